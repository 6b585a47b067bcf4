package io.etcdjava.server.membership;

import io.etcdjava.server.errors.EtcdError;
import java.util.List;
import java.util.Map;

/**
 * etcd's strict reconfiguration checks (--strict-reconfig-check, on by default): a conf change is
 * refused when it would leave fewer started voters than the new quorum needs, so an operator
 * cannot lock a cluster out of quorum with one command. "Started" means the member published its
 * name through raft.
 */
public final class ReconfigCheck {
    /** etcd promotes a learner once its log matches at least 90% of the leader's. */
    static final double LEARNER_READY_FRACTION = 0.9;

    private ReconfigCheck() {
    }

    /** Adding one voter: the started voters must still form a quorum of the larger cluster. */
    public static void checkAddVoter(List<Member> members) {
        int voters = 1;
        int started = 0;
        for (Member m : members) {
            if (!m.isLearner()) {
                voters++;
                if (m.isStarted()) {
                    started++;
                }
            }
        }
        // A lone started member may always take a second one, or it could never grow.
        if (started == 1 && voters == 2) {
            return;
        }
        if (started < voters / 2 + 1) {
            throw EtcdError.MEMBER_NOT_ENOUGH_STARTED.exception();
        }
    }

    /** Removing a voter: the remaining started voters must form a quorum of the smaller cluster. */
    public static void checkRemoveVoter(List<Member> members, long removed) {
        int voters = 0;
        int started = 0;
        boolean isLearner = false;
        for (Member m : members) {
            if (m.id() == removed && m.isLearner()) {
                isLearner = true;
            }
            if (!m.isLearner()) {
                voters++;
                if (m.isStarted() && m.id() != removed) {
                    started++;
                }
            }
        }
        if (!isLearner && started < (voters - 1) / 2 + 1) {
            throw EtcdError.MEMBER_NOT_ENOUGH_STARTED.exception();
        }
    }

    /** Promoting a learner: counted as started, it joins the voters. */
    public static void checkPromote(List<Member> members) {
        int voters = 1;
        int started = 1;
        for (Member m : members) {
            if (!m.isLearner()) {
                voters++;
                if (m.isStarted()) {
                    started++;
                }
            }
        }
        if (started < voters / 2 + 1) {
            throw EtcdError.MEMBER_NOT_ENOUGH_STARTED.exception();
        }
    }

    /**
     * The leader's view after removing a voter: the voters it heard from recently (itself
     * included) must still be a quorum of the smaller cluster, else the removal would leave a
     * cluster that cannot commit ("unhealthy cluster").
     *
     * @param recentlyActive voter ID → whether the leader heard from it within an election timeout
     */
    public static void checkActiveQuorumAfterRemove(List<Member> members, long removed, long leader,
                                                    Map<Long, Boolean> recentlyActive) {
        int voters = 0;
        int active = 0;
        for (Member m : members) {
            if (m.isLearner()) {
                if (m.id() == removed) {
                    return;
                }
                continue;
            }
            voters++;
            if (m.id() != removed && (m.id() == leader || recentlyActive.getOrDefault(m.id(), false))) {
                active++;
            }
        }
        if (active < (voters - 1) / 2 + 1) {
            throw EtcdError.UNHEALTHY.exception();
        }
    }

    /** Whether a learner whose log matches up to {@code learnerMatch} may be promoted. */
    public static void checkLearnerInSync(long learnerMatch, long leaderMatch) {
        if (learnerMatch < leaderMatch * LEARNER_READY_FRACTION) {
            throw EtcdError.LEARNER_NOT_READY.exception();
        }
    }
}
