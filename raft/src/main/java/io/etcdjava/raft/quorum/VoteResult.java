package io.etcdjava.raft.quorum;

/** Outcome of an election as seen by a quorum configuration. */
public enum VoteResult {
    /** Neither side has a quorum yet; the outcome depends on missing votes. */
    PENDING,
    /** A quorum can no longer be reached with "yes" votes. */
    LOST,
    /** A quorum has voted "yes". */
    WON
}
