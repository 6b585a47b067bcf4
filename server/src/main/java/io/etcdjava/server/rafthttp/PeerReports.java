package io.etcdjava.server.rafthttp;

/** What the transport tells raft about its peers. Called from transport threads; must not block. */
public interface PeerReports {
    /** Messages to {@code peer} could not be delivered. */
    void unreachable(long peer);

    /** The snapshot raft sent to {@code peer} did not arrive (or was not sent). */
    void snapshotFailed(long peer);

    /** The snapshot raft sent to {@code peer} arrived and was handed to its raft. */
    default void snapshotSucceeded(long peer) {
    }

    /**
     * A peer refused our raft stream because this member was removed from the cluster (etcd's
     * "the member has been permanently removed from the cluster"); the member must stop.
     */
    default void removedFromCluster() {
    }
}
