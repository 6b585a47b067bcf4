package io.etcdjava.server.raftnode;

import io.etcdjava.raft.StateType;

/** What the member reports about raft (status RPC, metrics, headers); an immutable snapshot. */
public record RaftStatus(long leader, long term, long commitIndex, long lastIndex, StateType role) {
    public static final RaftStatus INITIAL = new RaftStatus(0, 0, 0, 0, StateType.FOLLOWER);

    public boolean hasLeader() {
        return leader != 0;
    }
}
