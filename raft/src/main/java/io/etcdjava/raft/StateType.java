package io.etcdjava.raft;

/** The role a Raft node currently plays. */
public enum StateType {
    FOLLOWER("StateFollower"),
    CANDIDATE("StateCandidate"),
    LEADER("StateLeader"),
    PRE_CANDIDATE("StatePreCandidate");

    private final String etcdName;

    StateType(String etcdName) {
        this.etcdName = etcdName;
    }

    /** The name etcd prints for this state (status output, logs). */
    public String etcdName() {
        return etcdName;
    }
}
