package io.etcdjava.raft;

import static io.etcdjava.raft.Msgs.cc1;
import static io.etcdjava.raft.Msgs.cc2;
import static io.etcdjava.raft.Msgs.leaveJoint;
import static io.etcdjava.raft.Msgs.single;
import static io.etcdjava.raft.Msgs.voters;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.raft.pb.ConfChangeTransition;
import io.etcdjava.raft.pb.ConfChangeType;
import io.etcdjava.raft.pb.ConfChangeV2;
import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.EntryType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Membership changes through joint consensus (Raft paper §6, thesis §4.3). */
@Timeout(10)
class JointConsensusTest {

    /** Cluster {1,2,3} led by 1, with empty nodes 4 and 5 ready to join. */
    private static Network withSpares() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        net.addNode(4, voters(1, 2, 3), b -> {
        });
        net.addNode(5, voters(1, 2, 3), b -> {
        });
        return net;
    }

    private static ConfChangeV2 replace3By4And5(ConfChangeTransition tr) {
        return cc2(tr, single(ConfChangeType.ConfChangeRemoveNode, 3),
                single(ConfChangeType.ConfChangeAddNode, 4), single(ConfChangeType.ConfChangeAddNode, 5));
    }

    private static Entry lastEntry(Network net, long id) {
        List<Entry> log = net.log(id);
        return log.get(log.size() - 1);
    }

    /**
     * §6: a multi-member change goes through the joint configuration C_old,new; with auto-leave
     * the leader proposes the transition to C_new by itself once the joint config is applied.
     */
    @Test
    void enterJointThenAutoLeave() {
        Network net = withSpares();
        net.proposeConf(1, replace3By4And5(ConfChangeTransition.ConfChangeTransitionAuto));
        net.tick(1, 2);
        List<ConfState> hist = net.node(1).confHistory;
        assertThat(hist).hasSize(2);
        assertThat(hist.get(0).getVotersList()).containsExactlyInAnyOrder(1L, 2L, 4L, 5L);
        assertThat(hist.get(0).getVotersOutgoingList()).containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(hist.get(0).getAutoLeave()).isTrue();
        assertThat(hist.get(1).getVotersList()).containsExactlyInAnyOrder(1L, 2L, 4L, 5L);
        assertThat(hist.get(1).getVotersOutgoingList()).isEmpty();
        assertThat(net.raft(1).prs.config().voters().isJoint()).isFalse();
        for (long id : new long[] {2, 4, 5}) {
            assertThat(net.node(id).confHistory).as("node %d", id).isEqualTo(hist);
        }
        Entry leave = lastEntry(net, 1);
        assertThat(leave.getType()).isEqualTo(EntryType.EntryConfChangeV2);
        assertThat(Raft.confChangeOf(leave)).isEqualTo(ConfChangeV2.getDefaultInstance());
    }

    /** §6: with an explicit transition the cluster stays joint until the application proposes the leave. */
    @Test
    void explicitJointStaysUntilLeaveIsProposed() {
        Network net = withSpares();
        net.proposeConf(1, replace3By4And5(ConfChangeTransition.ConfChangeTransitionJointExplicit));
        net.tickAll(3);
        assertThat(net.raft(1).prs.config().voters().isJoint()).isTrue();
        assertThat(net.node(1).confHistory).hasSize(1);
        assertThat(net.node(1).confState.getAutoLeave()).isFalse();
        net.proposeConf(1, leaveJoint());
        net.tick(1, 1);
        assertThat(net.raft(1).prs.config().voters().isJoint()).isFalse();
        assertThat(net.node(1).confState.getVotersList()).containsExactlyInAnyOrder(1L, 2L, 4L, 5L);
    }

    /** §6: in C_old,new agreement (commitment) needs separate majorities of both C_old and C_new. */
    @Test
    void jointConfigurationNeedsMajoritiesOfBothHalvesToCommit() {
        Network net = withSpares();
        net.proposeConf(1, replace3By4And5(ConfChangeTransition.ConfChangeTransitionJointExplicit));
        net.tick(1, 1);
        assertThat(net.raft(1).prs.config().voters().isJoint()).isTrue();
        // Old {1,2,3} has a majority without 4 and 5, but new {1,2,4,5} does not.
        net.isolate(4);
        net.isolate(5);
        long before = net.committed(1);
        net.propose(1, "x");
        assertThat(net.committed(1)).isEqualTo(before);
        net.heal();
        net.tick(1, 1);
        assertThat(net.committed(1)).isEqualTo(net.lastIndex(1));
        // New {1,2,4,5} has a majority without 2 and 3, but old {1,2,3} does not.
        before = net.committed(1);
        net.isolate(2);
        net.isolate(3);
        net.propose(1, "y");
        assertThat(net.committed(1)).isEqualTo(before);
        net.heal();
        net.tick(1, 1);
        assertThat(net.committed(1)).isEqualTo(net.lastIndex(1));
        assertThat(net.node(1).appliedData()).containsExactly("x", "y");
    }

    /** §6 (one change at a time): a second conf change proposed while one is unapplied becomes a no-op. */
    @Test
    void onlyOneConfChangePendingAtATime() {
        Network net = withSpares();
        net.isolate(1);
        net.cut(1, 4); // keep 4, 5 out too
        net.proposeConf(1, cc1(ConfChangeType.ConfChangeAddNode, 4));
        net.proposeConf(1, cc1(ConfChangeType.ConfChangeAddNode, 5));
        List<Entry> log = net.log(1);
        Entry first = log.get(log.size() - 2);
        Entry second = log.get(log.size() - 1);
        assertThat(first.getType()).isEqualTo(EntryType.EntryConfChange);
        assertThat(second.getType()).isEqualTo(EntryType.EntryNormal);
        assertThat(second.getData().isEmpty()).isTrue();
        net.heal();
        net.tick(1, 1);
        assertThat(net.node(1).confState.getVotersList()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
        // Applied: the next change is accepted again.
        net.proposeConf(1, cc1(ConfChangeType.ConfChangeAddNode, 5));
        net.tick(1, 1);
        assertThat(net.node(1).confState.getVotersList()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
    }

    /** §6: while joint, only the leave transition is accepted; other conf changes become no-ops. */
    @Test
    void confChangesRefusedWhileJoint() {
        Network net = withSpares();
        net.proposeConf(1, replace3By4And5(ConfChangeTransition.ConfChangeTransitionJointExplicit));
        net.tick(1, 1);
        net.proposeConf(1, cc2(ConfChangeTransition.ConfChangeTransitionAuto, single(ConfChangeType.ConfChangeRemoveNode, 2)));
        Entry refused = lastEntry(net, 1);
        assertThat(refused.getType()).isEqualTo(EntryType.EntryNormal);
        assertThat(refused.getData().isEmpty()).isTrue();
        assertThat(net.raft(1).prs.config().voters().isJoint()).isTrue();
        assertThat(net.node(1).confHistory).hasSize(1);
    }

    /** §6: a leave-joint (empty) change outside a joint configuration is refused. */
    @Test
    void leaveJointRefusedWhenNotJoint() {
        Network net = withSpares();
        net.proposeConf(1, leaveJoint());
        Entry refused = lastEntry(net, 1);
        assertThat(refused.getType()).isEqualTo(EntryType.EntryNormal);
        assertThat(net.node(1).confHistory).isEmpty();
    }

    /**
     * §6 (etcd): a new leader treats every entry it has not applied as a possible conf change, so
     * it refuses a conf change until it has applied its log.
     */
    @Test
    void newLeaderRefusesConfChangeUntilItsLogIsApplied() {
        Network net = Network.builder().voters(1, 2, 3).log(1, 1, 1).log(2, 1, 1).build();
        net.isolate(1);
        Raft r = net.raft(1);
        r.becomeCandidate();
        r.becomeLeader();
        assertThat(r.pendingConfIndex).isEqualTo(2);
        net.node(1).raw.proposeConfChange(cc1(ConfChangeType.ConfChangeAddNode, 4));
        net.drain(1);
        assertThat(lastEntry(net, 1).getType()).isEqualTo(EntryType.EntryNormal);
    }

    /** §6: a removed member stops counting; the remaining majority commits on its own. */
    @Test
    void removedMemberNoLongerNeededForCommit() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        net.proposeConf(1, cc1(ConfChangeType.ConfChangeRemoveNode, 3));
        net.tick(1, 1);
        assertThat(net.node(1).confState.getVotersList()).containsExactlyInAnyOrder(1L, 2L);
        net.isolate(3);
        net.propose(1, "after-remove");
        assertThat(net.node(1).appliedData()).containsExactly("after-remove");
        assertThat(net.node(1).raw.status().progress()).doesNotContainKey(3L);
    }
}
