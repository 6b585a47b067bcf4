package io.etcdjava.raft;

import static io.etcdjava.raft.Network.bytes;
import static io.etcdjava.raft.Network.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import io.etcdjava.raft.pb.Snapshot;
import io.etcdjava.raft.pb.SnapshotMetadata;
import io.etcdjava.raft.tracker.Progress;
import io.etcdjava.raft.tracker.ProgressState;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Log compaction and InstallSnapshot (Raft paper §7). */
@Timeout(10)
class SnapshotTest {

    /**
     * Leader 1 commits a..e while 3 is cut off, then snapshots its applied state and compacts
     * its log, so 3 is behind the leader's first index. Returns the snapshot index.
     */
    private static long leaderCompactsWhileThreeIsAway(Network net) {
        net.campaign(1);
        net.isolate(3);
        for (String s : new String[] {"a", "b", "c", "d", "e"}) {
            net.propose(1, s);
        }
        Network.Node leader = net.node(1);
        long applied = net.raft(1).raftLog.applied();
        leader.storage.mem.createSnapshot(applied, Msgs.voters(1, 2, 3), bytes(String.join(",", leader.appliedData())));
        leader.storage.mem.compact(applied);
        assertThat(net.raft(1).raftLog.firstIndex()).isEqualTo(applied + 1);
        return applied;
    }

    private static Progress progressOf3(Network net) {
        return net.raft(1).prs.progress().get(3L);
    }

    /** §7: the leader sends InstallSnapshot to a follower that needs entries it has already discarded. */
    @Test
    void leaderSendsSnapshotToFollowerBehindItsFirstIndex() {
        Network net = Network.of(1, 2, 3);
        long snapIndex = leaderCompactsWhileThreeIsAway(net);
        net.heal();
        net.tick(1, 1);
        List<Message> snaps = ofType(net.delivered, MessageType.MsgSnap);
        assertThat(snaps).singleElement().satisfies(m -> {
            assertThat(m.getTo()).isEqualTo(3);
            assertThat(m.getSnapshot().getMetadata().getIndex()).isEqualTo(snapIndex);
            assertThat(m.getSnapshot().getMetadata().getConfState().getVotersList()).containsExactly(1L, 2L, 3L);
        });
    }

    /**
     * §7: the follower discards its log, restores the snapshot (state and configuration), and
     * then receives the entries after it; it ends with the leader's state machine.
     */
    @Test
    void followerRestoresSnapshotAndCatchesUp() {
        Network net = Network.of(1, 2, 3);
        long snapIndex = leaderCompactsWhileThreeIsAway(net);
        net.heal();
        net.tick(1, 1);
        net.propose(1, "f");
        net.tick(1, 1);
        Network.Node three = net.node(3);
        assertThat(three.restoredSnapshot).isNotNull();
        assertThat(three.restoredSnapshot.getData().toStringUtf8()).isEqualTo("a,b,c,d,e");
        assertThat(three.storage.mem.snapshot().getMetadata().getIndex()).isEqualTo(snapIndex);
        assertThat(three.storage.mem.firstIndex()).isEqualTo(snapIndex + 1);
        assertThat(three.appliedData()).containsExactly("f");
        assertThat(net.committed(3)).isEqualTo(net.committed(1));
        assertThat(net.log(3)).isEqualTo(net.log(1).subList(net.log(1).size() - net.log(3).size(), net.log(1).size()));
        assertThat(progressOf3(net).state()).isEqualTo(ProgressState.REPLICATE);
        assertThat(progressOf3(net).match()).isEqualTo(net.lastIndex(1));
        assertThat(net.violations()).isEmpty();
    }

    /** §7 (etcd): while a snapshot is in flight the follower's progress is in snapshot state and replication to it pauses. */
    @Test
    void pendingSnapshotPausesReplication() {
        Network net = Network.of(1, 2, 3);
        long snapIndex = leaderCompactsWhileThreeIsAway(net);
        net.autoReportSnapshot = false;
        net.heal();
        net.ignore(MessageType.MsgSnap);
        net.tick(1, 1);
        Progress pr = progressOf3(net);
        assertThat(pr.state()).isEqualTo(ProgressState.SNAPSHOT);
        assertThat(pr.pendingSnapshot()).isEqualTo(snapIndex);
        assertThat(pr.isPaused()).isTrue();
        net.node(1).raw.propose(bytes("g"));
        List<Message> out = net.drain(1);
        assertThat(out).noneMatch(m -> m.getTo() == 3 && m.getType() == MessageType.MsgApp);
        net.send(out);
        assertThat(pr.state()).isEqualTo(ProgressState.SNAPSHOT);
    }

    /** §7 (etcd): a failed snapshot (reportSnapshot failure) returns the follower to probing, and a new snapshot follows. */
    @Test
    void reportSnapshotFailureReturnsToProbeAndRetries() {
        Network net = Network.of(1, 2, 3);
        leaderCompactsWhileThreeIsAway(net);
        net.autoReportSnapshot = false;
        net.heal();
        net.ignore(MessageType.MsgSnap);
        net.tick(1, 1);
        assertThat(progressOf3(net).state()).isEqualTo(ProgressState.SNAPSHOT);
        net.node(1).raw.reportSnapshot(3, true);
        assertThat(progressOf3(net).state()).isEqualTo(ProgressState.PROBE);
        assertThat(progressOf3(net).pendingSnapshot()).isZero();
        assertThat(progressOf3(net).isPaused()).as("waits for the next heartbeat response").isTrue();
        net.heal();
        net.autoReportSnapshot = true;
        net.tick(1, 1);
        assertThat(ofType(net.delivered, MessageType.MsgSnap)).hasSize(1);
        assertThat(progressOf3(net).state()).isEqualTo(ProgressState.REPLICATE);
        assertThat(net.committed(3)).isEqualTo(net.committed(1));
    }

    /** §7 (etcd): a successful report moves progress to probe just after the snapshot, ready to continue. */
    @Test
    void reportSnapshotSuccessProbesAfterSnapshot() {
        Network net = Network.of(1, 2, 3);
        long snapIndex = leaderCompactsWhileThreeIsAway(net);
        net.autoReportSnapshot = false;
        net.heal();
        net.ignore(MessageType.MsgSnap);
        net.tick(1, 1);
        net.node(1).raw.reportSnapshot(3, false);
        Progress pr = progressOf3(net);
        assertThat(pr.state()).isEqualTo(ProgressState.PROBE);
        assertThat(pr.next()).isEqualTo(snapIndex + 1);
    }

    /** §7: a snapshot not newer than what the follower already committed is ignored. */
    @Test
    void followerIgnoresSnapshotNotBeyondItsCommit() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        net.propose(1, "a");
        net.tick(1, 1);
        long commit = net.committed(2);
        Snapshot old = Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder()
                .setIndex(commit - 1).setTerm(1).setConfState(Msgs.voters(1, 2, 3))).build();
        List<Message> out = net.stepCollect(2, Msgs.msg(MessageType.MsgSnap, 1, 2, 1).setSnapshot(old).build());
        assertThat(out).singleElement().satisfies(m -> {
            assertThat(m.getType()).isEqualTo(MessageType.MsgAppResp);
            assertThat(m.getIndex()).isEqualTo(commit);
        });
        assertThat(net.node(2).restoredSnapshot).isNull();
        assertThat(net.raft(2).raftLog.firstIndex()).isEqualTo(1);
    }

    /** §7: if the follower already has the snapshot's last entry, it keeps its log and only advances commit. */
    @Test
    void snapshotCoveredByLocalLogOnlyAdvancesCommit() {
        Network net = Network.builder().voters(1, 2).log(2, 1, 1, 1).build();
        net.raft(2).becomeFollower(1, 1);
        Snapshot s = Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder()
                .setIndex(2).setTerm(1).setConfState(Msgs.voters(1, 2))).build();
        net.stepCollect(2, Msgs.msg(MessageType.MsgSnap, 1, 2, 1).setSnapshot(s).build());
        assertThat(net.committed(2)).isEqualTo(2);
        assertThat(net.lastIndex(2)).isEqualTo(3);
        assertThat(net.node(2).restoredSnapshot).isNull();
    }

    /** §7: a node restarted from storage that holds a snapshot resumes from it. */
    @Test
    void restartFromSnapshotResumesAfterIt() {
        Network net = Network.of(1, 2, 3);
        long snapIndex = leaderCompactsWhileThreeIsAway(net);
        net.heal();
        net.tick(1, 1);
        net.restart(3);
        assertThat(net.raft(3).raftLog.firstIndex()).isEqualTo(snapIndex + 1);
        assertThat(net.committed(3)).isGreaterThanOrEqualTo(snapIndex);
        assertThat(net.raft(3).prs.voterNodes()).containsExactly(1L, 2L, 3L);
        net.propose(1, "after-restart");
        assertThat(net.node(3).appliedData()).contains("after-restart");
    }
}
