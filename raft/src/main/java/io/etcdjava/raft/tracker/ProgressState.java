package io.etcdjava.raft.tracker;

/** How the leader currently replicates to a follower. */
public enum ProgressState {
    /** Follower's last index is unknown: send at most one append per heartbeat and probe. */
    PROBE,
    /** Steady state: entries are streamed optimistically, bounded by the inflight window. */
    REPLICATE,
    /** Follower needs a snapshot; appends are paused until it is reported. */
    SNAPSHOT
}
