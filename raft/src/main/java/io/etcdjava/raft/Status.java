package io.etcdjava.raft;

import io.etcdjava.raft.pb.HardState;
import io.etcdjava.raft.tracker.Progress;
import io.etcdjava.raft.tracker.TrackerConfig;
import java.util.Map;

/**
 * A snapshot of a node's state for status endpoints and tests.
 *
 * @param progress copies of every peer's progress, empty unless this node leads
 */
public record Status(
        long id,
        HardState hardState,
        SoftState softState,
        long applied,
        long lastIndex,
        TrackerConfig config,
        Map<Long, Progress> progress,
        long leadTransferee,
        boolean isLearner) {
}
