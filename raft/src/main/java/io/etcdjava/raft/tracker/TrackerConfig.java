package io.etcdjava.raft.tracker;

import io.etcdjava.raft.quorum.JointConfig;
import io.etcdjava.raft.quorum.MajorityConfig;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Immutable membership: the (possibly joint) voters, the learners, and the voters that become
 * learners when the joint config is left.
 *
 * <p>Intended invariant (enforced by the confchange package, not here, so that corrupt states can
 * be represented and rejected): learners never overlap either voter half, and learnersNext holds
 * outgoing voters that are being demoted, because a node cannot be voter and learner at once.
 */
public final class TrackerConfig {
    private static final TrackerConfig EMPTY =
            new TrackerConfig(new JointConfig(MajorityConfig.empty(), MajorityConfig.empty()), false, Set.of(), Set.of());

    private final JointConfig voters;
    private final boolean autoLeave;
    private final Set<Long> learners;
    private final Set<Long> learnersNext;

    public TrackerConfig(JointConfig voters, boolean autoLeave, Set<Long> learners, Set<Long> learnersNext) {
        this.voters = Objects.requireNonNull(voters, "voters");
        this.autoLeave = autoLeave;
        this.learners = Collections.unmodifiableSortedSet(new TreeSet<>(learners));
        this.learnersNext = Collections.unmodifiableSortedSet(new TreeSet<>(learnersNext));
    }

    public static TrackerConfig empty() {
        return EMPTY;
    }

    public JointConfig voters() {
        return voters;
    }

    /** True if joint and Raft should leave the joint config on its own once possible. */
    public boolean autoLeave() {
        return autoLeave;
    }

    /** Sorted, unmodifiable. */
    public Set<Long> learners() {
        return learners;
    }

    /** Sorted, unmodifiable. */
    public Set<Long> learnersNext() {
        return learnersNext;
    }

    @Override
    public boolean equals(Object o) {
        return this == o
                || (o instanceof TrackerConfig c
                        && autoLeave == c.autoLeave
                        && voters.equals(c.voters)
                        && learners.equals(c.learners)
                        && learnersNext.equals(c.learnersNext));
    }

    @Override
    public int hashCode() {
        return Objects.hash(voters, autoLeave, learners, learnersNext);
    }

    /** Formats like etcd: {@code voters=(1 2)&&(1) learners=(3) learners_next=(4) autoleave}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("voters=").append(voters);
        if (!learners.isEmpty()) {
            sb.append(" learners=").append(MajorityConfig.of(learners));
        }
        if (!learnersNext.isEmpty()) {
            sb.append(" learners_next=").append(MajorityConfig.of(learnersNext));
        }
        if (autoLeave) {
            sb.append(" autoleave");
        }
        return sb.toString();
    }
}
