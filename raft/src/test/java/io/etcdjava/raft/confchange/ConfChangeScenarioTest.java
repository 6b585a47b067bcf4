package io.etcdjava.raft.confchange;

import static io.etcdjava.raft.confchange.Script.lines;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Scenarios restated from etcd's confchange/testdata. Each command runs with lastIndex one higher
 * than the previous one (errors included), which is what the {@code next=} values reveal.
 */
class ConfChangeScenarioTest {

    /** Restates etcd confchange/testdata/joint_autoleave.txt. */
    @Test
    void enterJointPassesAutoLeaveThroughUntilLeaving() {
        Script s = new Script();
        assertThat(s.simple("v1")).isEqualTo(lines("voters=(1)",
                "1: StateProbe match=0 next=0"));
        assertThat(s.enterJoint(true, "v2 v3")).isEqualTo(lines("voters=(1 2 3)&&(1) autoleave",
                "1: StateProbe match=0 next=0",
                "2: StateProbe match=0 next=1",
                "3: StateProbe match=0 next=1"));
        assertThat(s.enterJoint(false, "")).isEqualTo(lines("config is already joint"));
        assertThat(s.leaveJoint()).isEqualTo(lines("voters=(1 2 3)",
                "1: StateProbe match=0 next=0",
                "2: StateProbe match=0 next=1",
                "3: StateProbe match=0 next=1"));
    }

    /** Restates etcd confchange/testdata/joint_idempotency.txt. */
    @Test
    void jointChangesRepeatingTheSameOperationAreIdempotent() {
        Script s = new Script();
        assertThat(s.simple("v1")).isEqualTo(lines("voters=(1)",
                "1: StateProbe match=0 next=0"));
        assertThat(s.enterJoint(false, "r1 r2 r9 v2 v3 v4 v2 v3 v4 l2 l2 r4 r4 l1 l1")).isEqualTo(lines("voters=(3)&&(1) learners=(2) learners_next=(1)",
                "1: StateProbe match=0 next=0",
                "2: StateProbe match=0 next=1 learner",
                "3: StateProbe match=0 next=1"));
        assertThat(s.leaveJoint()).isEqualTo(lines("voters=(3) learners=(1 2)",
                "1: StateProbe match=0 next=0 learner",
                "2: StateProbe match=0 next=1 learner",
                "3: StateProbe match=0 next=1"));
    }

    /** Restates etcd confchange/testdata/joint_learners_next.txt. */
    @Test
    void demotedVoterIsStagedInLearnersNextUntilLeavingJoint() {
        Script s = new Script();
        assertThat(s.simple("v1")).isEqualTo(lines("voters=(1)",
                "1: StateProbe match=0 next=0"));
        assertThat(s.enterJoint(false, "v2 l1")).isEqualTo(lines("voters=(2)&&(1) learners_next=(1)",
                "1: StateProbe match=0 next=0",
                "2: StateProbe match=0 next=1"));
        assertThat(s.leaveJoint()).isEqualTo(lines("voters=(2) learners=(1)",
                "1: StateProbe match=0 next=0 learner",
                "2: StateProbe match=0 next=1"));
    }

    /** Restates etcd confchange/testdata/joint_safety.txt. */
    @Test
    void jointTransitionsRejectIllegalStates() {
        Script s = new Script();
        assertThat(s.leaveJoint()).isEqualTo(lines("can't leave a non-joint config"));
        assertThat(s.enterJoint(false, "")).isEqualTo(lines("can't make a zero-voter config joint"));
        assertThat(s.enterJoint(false, "v1")).isEqualTo(lines("can't make a zero-voter config joint"));
        assertThat(s.simple("v1")).isEqualTo(lines("voters=(1)",
                "1: StateProbe match=0 next=3"));
        assertThat(s.leaveJoint()).isEqualTo(lines("can't leave a non-joint config"));
        assertThat(s.enterJoint(false, "")).isEqualTo(lines("voters=(1)&&(1)",
                "1: StateProbe match=0 next=3"));
        assertThat(s.enterJoint(false, "")).isEqualTo(lines("config is already joint"));
        assertThat(s.leaveJoint()).isEqualTo(lines("voters=(1)",
                "1: StateProbe match=0 next=3"));
        assertThat(s.leaveJoint()).isEqualTo(lines("can't leave a non-joint config"));
        assertThat(s.enterJoint(false, "r1 v2 v3 l4")).isEqualTo(lines("voters=(2 3)&&(1) learners=(4)",
                "1: StateProbe match=0 next=3",
                "2: StateProbe match=0 next=9",
                "3: StateProbe match=0 next=9",
                "4: StateProbe match=0 next=9 learner"));
        assertThat(s.enterJoint(false, "")).isEqualTo(lines("config is already joint"));
        assertThat(s.enterJoint(false, "v12")).isEqualTo(lines("config is already joint"));
        assertThat(s.simple("l15")).isEqualTo(lines("can't apply simple config change in joint config"));
        assertThat(s.leaveJoint()).isEqualTo(lines("voters=(2 3) learners=(4)",
                "2: StateProbe match=0 next=9",
                "3: StateProbe match=0 next=9",
                "4: StateProbe match=0 next=9 learner"));
        assertThat(s.simple("l9")).isEqualTo(lines("voters=(2 3) learners=(4 9)",
                "2: StateProbe match=0 next=9",
                "3: StateProbe match=0 next=9",
                "4: StateProbe match=0 next=9 learner",
                "9: StateProbe match=0 next=14 learner"));
    }

    /** Restates etcd confchange/testdata/simple_idempotency.txt. */
    @Test
    void simpleChangesRepeatingTheSameOperationAreIdempotent() {
        Script s = new Script();
        assertThat(s.simple("v1")).isEqualTo(lines("voters=(1)",
                "1: StateProbe match=0 next=0"));
        assertThat(s.simple("v1")).isEqualTo(lines("voters=(1)",
                "1: StateProbe match=0 next=0"));
        assertThat(s.simple("v2")).isEqualTo(lines("voters=(1 2)",
                "1: StateProbe match=0 next=0",
                "2: StateProbe match=0 next=2"));
        assertThat(s.simple("l1")).isEqualTo(lines("voters=(2) learners=(1)",
                "1: StateProbe match=0 next=0 learner",
                "2: StateProbe match=0 next=2"));
        assertThat(s.simple("l1")).isEqualTo(lines("voters=(2) learners=(1)",
                "1: StateProbe match=0 next=0 learner",
                "2: StateProbe match=0 next=2"));
        assertThat(s.simple("r1")).isEqualTo(lines("voters=(2)",
                "2: StateProbe match=0 next=2"));
        assertThat(s.simple("r1")).isEqualTo(lines("voters=(2)",
                "2: StateProbe match=0 next=2"));
        assertThat(s.simple("v3")).isEqualTo(lines("voters=(2 3)",
                "2: StateProbe match=0 next=2",
                "3: StateProbe match=0 next=7"));
        assertThat(s.simple("r3")).isEqualTo(lines("voters=(2)",
                "2: StateProbe match=0 next=2"));
        assertThat(s.simple("r3")).isEqualTo(lines("voters=(2)",
                "2: StateProbe match=0 next=2"));
        assertThat(s.simple("r4")).isEqualTo(lines("voters=(2)",
                "2: StateProbe match=0 next=2"));
    }

    /** Restates etcd confchange/testdata/simple_promote_demote.txt. */
    @Test
    void simpleChangesPromoteAndDemote() {
        Script s = new Script();
        assertThat(s.simple("v1")).isEqualTo(lines("voters=(1)",
                "1: StateProbe match=0 next=0"));
        assertThat(s.simple("v2")).isEqualTo(lines("voters=(1 2)",
                "1: StateProbe match=0 next=0",
                "2: StateProbe match=0 next=1"));
        assertThat(s.simple("v3")).isEqualTo(lines("voters=(1 2 3)",
                "1: StateProbe match=0 next=0",
                "2: StateProbe match=0 next=1",
                "3: StateProbe match=0 next=2"));
        assertThat(s.simple("l1 v1")).isEqualTo(lines("voters=(1 2 3)",
                "1: StateProbe match=0 next=0",
                "2: StateProbe match=0 next=1",
                "3: StateProbe match=0 next=2"));
        assertThat(s.simple("l2")).isEqualTo(lines("voters=(1 3) learners=(2)",
                "1: StateProbe match=0 next=0",
                "2: StateProbe match=0 next=1 learner",
                "3: StateProbe match=0 next=2"));
        assertThat(s.simple("v2 l2")).isEqualTo(lines("voters=(1 3) learners=(2)",
                "1: StateProbe match=0 next=0",
                "2: StateProbe match=0 next=1 learner",
                "3: StateProbe match=0 next=2"));
        assertThat(s.simple("v2")).isEqualTo(lines("voters=(1 2 3)",
                "1: StateProbe match=0 next=0",
                "2: StateProbe match=0 next=1",
                "3: StateProbe match=0 next=2"));
    }

    /** Restates etcd confchange/testdata/simple_safety.txt. */
    @Test
    void simpleChangesRejectUnsafeVoterChanges() {
        Script s = new Script();
        assertThat(s.simple("l1")).isEqualTo(lines("removed all voters"));
        assertThat(s.simple("v1")).isEqualTo(lines("voters=(1)",
                "1: StateProbe match=0 next=1"));
        assertThat(s.simple("v2 l3")).isEqualTo(lines("voters=(1 2) learners=(3)",
                "1: StateProbe match=0 next=1",
                "2: StateProbe match=0 next=2",
                "3: StateProbe match=0 next=2 learner"));
        assertThat(s.simple("r1 v5")).isEqualTo(lines("more than one voter changed without entering joint config"));
        assertThat(s.simple("r1 r2")).isEqualTo(lines("removed all voters"));
        assertThat(s.simple("v3 v4")).isEqualTo(lines("more than one voter changed without entering joint config"));
        assertThat(s.simple("l1 v5")).isEqualTo(lines("more than one voter changed without entering joint config"));
        assertThat(s.simple("l1 l2")).isEqualTo(lines("removed all voters"));
        assertThat(s.simple("l2 l3 l4 l5")).isEqualTo(lines("voters=(1) learners=(2 3 4 5)",
                "1: StateProbe match=0 next=1",
                "2: StateProbe match=0 next=2 learner",
                "3: StateProbe match=0 next=2 learner",
                "4: StateProbe match=0 next=8 learner",
                "5: StateProbe match=0 next=8 learner"));
        assertThat(s.simple("r1")).isEqualTo(lines("removed all voters"));
        assertThat(s.simple("r2 r3 r4 r5")).isEqualTo(lines("voters=(1)",
                "1: StateProbe match=0 next=1"));
    }

    /** Restates etcd confchange/testdata/update.txt. */
    @Test
    void updateNodeChangesNothing() {
        Script s = new Script();
        assertThat(s.simple("v1")).isEqualTo(lines("voters=(1)",
                "1: StateProbe match=0 next=0"));
        assertThat(s.simple("v2 u1")).isEqualTo(lines("voters=(1 2)",
                "1: StateProbe match=0 next=0",
                "2: StateProbe match=0 next=1"));
        assertThat(s.simple("u1 u2 u3 u1 u2 u3")).isEqualTo(lines("voters=(1 2)",
                "1: StateProbe match=0 next=0",
                "2: StateProbe match=0 next=1"));
    }

    /** Restates etcd confchange/testdata/zero.txt. */
    @Test
    void nodeIdZeroIsIgnored() {
        Script s = new Script();
        assertThat(s.simple("v1 r0 v0 l0")).isEqualTo(lines("voters=(1)",
                "1: StateProbe match=0 next=0"));
    }
}
