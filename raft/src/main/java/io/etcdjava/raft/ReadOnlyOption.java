package io.etcdjava.raft;

/** How the leader confirms it is still leader before answering a read index. */
public enum ReadOnlyOption {
    /** One heartbeat round acknowledged by a quorum (etcd's default). */
    SAFE,
    /** Trust the leader lease; needs check-quorum and bounded clock drift. */
    LEASE_BASED
}
