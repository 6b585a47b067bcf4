package io.etcdjava.raft.confchange;

import io.etcdjava.raft.tracker.Progress;
import io.etcdjava.raft.tracker.TrackerConfig;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** A validated new configuration with the progress map that goes with it (unmodifiable, sorted by id). */
public record ChangeResult(TrackerConfig config, Map<Long, Progress> progress) {
    public ChangeResult {
        Objects.requireNonNull(config, "config");
        progress = Collections.unmodifiableSortedMap(new TreeMap<>(progress));
    }
}
