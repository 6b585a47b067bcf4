package io.etcdjava.testing.check;

/**
 * One stream of a watcher: it asked for events from {@code startRevision}; {@code compacted} when
 * the server refused because that revision was compacted (the events before it are then lost by
 * design and not a gap).
 */
public record WatchSegment(int watcher, int segment, long startRevision, boolean compacted) {
}
