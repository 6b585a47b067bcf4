package io.etcdjava.testing.check;

/**
 * One event a watcher received. {@code segment} counts the watcher's streams: after a broken
 * stream the recorder opens the next segment from the last revision seen + 1.
 *
 * @param value         PUT: the value; DELETE: null
 * @param receivedNanos {@link System#nanoTime()} when the client received it
 */
public record WatchEvent(int watcher, int segment, long revision, String key, Type type, String value, long modRev,
                         long receivedNanos) {
    public enum Type { PUT, DELETE }

    @Override
    public String toString() {
        return "w" + watcher + "/" + segment + " @" + revision + " " + type + " " + key
                + (value == null ? "" : " = " + value);
    }
}
