package io.etcdjava.raft;

import static io.etcdjava.raft.Network.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.EntryType;
import io.etcdjava.raft.pb.HardState;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The application-facing contract of {@link RawNode}: Ready/advance, proposals, bootstrap, durability flags. */
@Timeout(10)
class RawNodeTest {

    private static RawNode single(MemoryStorage s) {
        return new RawNode(Network.defaults(1, s).build());
    }

    private static void persist(MemoryStorage s, Ready rd) {
        if (rd.hardState() != null) {
            s.setHardState(rd.hardState());
        }
        s.append(rd.entries());
    }

    /**
     * Ready/advance contract: a Ready hands out each unstable entry and each committed entry
     * exactly once; after advance with nothing new there is no Ready.
     */
    @Test
    void readyHandsOutEachEntryOnceAndAdvanceClearsIt() {
        MemoryStorage s = new MemoryStorage();
        RawNode n = single(s);
        n.bootstrap(List.of(Peer.of(1)));
        Ready rd = n.ready();
        persist(s, rd);
        rd.committedEntries().stream().filter(e -> e.getType() != EntryType.EntryNormal)
                .forEach(e -> n.applyConfChange(Raft.confChangeOf(e)));
        n.advance(rd);
        assertThat(n.hasReady()).isFalse();

        n.campaign();
        n.propose(bytes("a"));
        rd = n.ready();
        assertThat(rd.entries()).extracting(e -> e.getData().toStringUtf8()).containsExactly("", "a");
        assertThat(rd.committedEntries()).as("not persisted yet, so not committed").isEmpty();
        persist(s, rd);
        n.advance(rd);
        assertThat(n.hasReady()).isTrue();
        rd = n.ready();
        assertThat(rd.entries()).isEmpty();
        assertThat(rd.committedEntries()).extracting(e -> e.getData().toStringUtf8()).containsExactly("", "a");
        persist(s, rd);
        n.advance(rd);
        assertThat(n.hasReady()).isFalse();
    }

    /**
     * Deliberate difference from etcd 3.4: a leader counts its own entries for commitment only
     * once the application has persisted them (advance after the Ready carrying them).
     */
    @Test
    void leaderCommitsOwnEntriesOnlyAfterPersisting() {
        MemoryStorage s = new MemoryStorage();
        s.applySnapshot(io.etcdjava.raft.pb.Snapshot.newBuilder().setMetadata(io.etcdjava.raft.pb.SnapshotMetadata.newBuilder()
                .setIndex(1).setTerm(1).setConfState(Msgs.voters(1))).build());
        RawNode n = single(s);
        n.campaign();
        Raft r = n.raft();
        assertThat(r.state).isEqualTo(StateType.LEADER);
        assertThat(r.raftLog.committed()).isEqualTo(1);
        Ready rd = n.ready();
        persist(s, rd);
        assertThat(r.raftLog.committed()).as("persisted but not yet reported").isEqualTo(1);
        n.advance(rd);
        assertThat(r.raftLog.committed()).isEqualTo(2);
    }

    /** Proposals with no known leader are refused with ProposalDroppedException instead of being lost silently. */
    @Test
    void proposalWithoutLeaderIsRefused() {
        Network net = Network.of(1, 2, 3);
        assertThatThrownBy(() -> net.node(2).raw.propose(bytes("x"))).isInstanceOf(ProposalDroppedException.class);
        net.stepCollect(1, Msgs.hup());
        assertThatThrownBy(() -> net.node(1).raw.propose(bytes("x"))).as("candidate").isInstanceOf(ProposalDroppedException.class);
    }

    /** With forwarding disabled a follower refuses proposals rather than passing them to the leader. */
    @Test
    void proposalRefusedByFollowerWhenForwardingDisabled() {
        Network net = Network.builder().voters(1, 2, 3).config(b -> b.disableProposalForwarding(true)).build();
        net.campaign(1);
        assertThatThrownBy(() -> net.node(2).raw.propose(bytes("x"))).isInstanceOf(ProposalDroppedException.class);
        Network fwd = Network.of(1, 2, 3);
        fwd.campaign(1);
        fwd.propose(2, "forwarded");
        assertThat(fwd.node(1).appliedData()).containsExactly("forwarded");
    }

    /** Bootstrap seeds the same committed conf-change entries on every member; it needs peers and an empty storage. */
    @Test
    void bootstrapSeedsCommittedConfChangesAndRejectsMisuse() {
        MemoryStorage s = new MemoryStorage();
        RawNode n = single(s);
        assertThatThrownBy(() -> n.bootstrap(List.of())).isInstanceOf(IllegalArgumentException.class);
        n.bootstrap(List.of(Peer.of(1), Peer.of(2), Peer.of(3)));
        Ready rd = n.ready();
        assertThat(rd.hardState()).isEqualTo(HardState.newBuilder().setTerm(1).setCommit(3).build());
        assertThat(rd.entries()).extracting(Entry::getType).containsOnly(EntryType.EntryConfChange);
        assertThat(rd.entries()).extracting(Entry::getIndex).containsExactly(1L, 2L, 3L);
        assertThat(rd.committedEntries()).isEqualTo(rd.entries());
        assertThat(rd.mustSync()).isTrue();
        persist(s, rd);
        ConfState cs = null;
        for (Entry e : rd.committedEntries()) {
            cs = n.applyConfChange(Raft.confChangeOf(e));
        }
        n.advance(rd);
        assertThat(cs.getVotersList()).containsExactly(1L, 2L, 3L);
        assertThat(n.status().config().voters().ids()).containsExactly(1L, 2L, 3L);

        RawNode again = single(s);
        assertThatThrownBy(() -> again.bootstrap(List.of(Peer.of(1)))).isInstanceOf(IllegalStateException.class);
    }

    /** mustSync is set exactly when entries, term or vote must be made durable; a commit-only change needs no fsync. */
    @Test
    void mustSyncOnlyForEntriesTermOrVote() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        List<Ready> readies = net.node(2).readies;
        assertThat(readies).anyMatch(rd -> rd.hardState() != null && rd.hardState().getVote() == 1 && rd.mustSync());
        for (Ready rd : readies) {
            boolean needed = !rd.entries().isEmpty() || (rd.hardState() != null
                    && (rd.hardState().getTerm() != 0 || rd.hardState().getVote() != 0) && isTermOrVoteChange(readies, rd));
            assertThat(rd.mustSync()).isEqualTo(needed);
        }
        List<Ready> follower = net.node(2).readies;
        int before = follower.size();
        net.propose(1, "x");
        List<Ready> commitOnly = follower.subList(before, follower.size()).stream()
                .filter(rd -> rd.hardState() != null && rd.entries().isEmpty() && !isTermOrVoteChange(follower, rd))
                .toList();
        assertThat(commitOnly).isNotEmpty().allMatch(rd -> !rd.mustSync());
    }

    private static boolean isTermOrVoteChange(List<Ready> readies, Ready rd) {
        HardState prev = HardState.getDefaultInstance();
        for (Ready r : readies) {
            if (r == rd) {
                return rd.hardState().getTerm() != prev.getTerm() || rd.hardState().getVote() != prev.getVote();
            }
            if (r.hardState() != null) {
                prev = r.hardState();
            }
        }
        throw new AssertionError();
    }

    /** Soft and hard state appear in a Ready only when they changed since the previous one. */
    @Test
    void softAndHardStateOnlyWhenChanged() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        List<Ready> readies = net.node(1).readies;
        SoftState lastSoft = null;
        HardState lastHard = null;
        for (Ready rd : readies) {
            if (rd.softState() != null) {
                assertThat(rd.softState()).isNotEqualTo(lastSoft);
                lastSoft = rd.softState();
            }
            if (rd.hardState() != null) {
                assertThat(rd.hardState()).isNotEqualTo(lastHard);
                lastHard = rd.hardState();
            }
        }
        assertThat(lastSoft).isEqualTo(new SoftState(1, StateType.LEADER));
        net.tick(1, 1);
        assertThat(readies.get(readies.size() - 1).softState()).isNull();
    }

    /** step refuses messages only a node may generate for itself, and responses from non-members. */
    @Test
    void stepRejectsLocalMessagesAndStrangerResponses() {
        Network net = Network.of(1, 2, 3);
        RawNode n = net.node(1).raw;
        for (MessageType t : List.of(MessageType.MsgHup, MessageType.MsgBeat, MessageType.MsgUnreachable,
                MessageType.MsgSnapStatus, MessageType.MsgCheckQuorum)) {
            assertThatThrownBy(() -> n.step(Msgs.msg(t, 2, 1, 0).build())).as("%s", t)
                    .isInstanceOf(StepLocalMessageException.class);
        }
        assertThatThrownBy(() -> n.step(Msgs.msg(MessageType.MsgAppResp, 9, 1, 0).build()))
                .isInstanceOf(StepPeerNotFoundException.class);
    }

    /** After a restart the node recovers term, vote, commit and configuration from storage and does not re-deliver applied entries. */
    @Test
    void restartRecoversDurableStateWithoutRedeliveringAppliedEntries() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        net.propose(1, "a");
        net.tick(1, 1);
        HardState hs = net.raft(2).hardState();
        net.restart(2);
        Raft r = net.raft(2);
        assertThat(r.hardState()).isEqualTo(hs);
        assertThat(r.state).isEqualTo(StateType.FOLLOWER);
        assertThat(r.prs.voterNodes()).containsExactly(1L, 2L, 3L);
        assertThat(net.node(2).raw.hasReady()).isFalse();
        net.propose(1, "b");
        assertThat(net.node(2).appliedData()).containsExactly("a", "b");
    }

    /** Outgoing messages leave only through a Ready, and each is handed out once. */
    @Test
    void readyMessagesAreTheOnlyOutput() {
        Network net = Network.of(1, 2, 3);
        net.node(1).raw.campaign();
        Ready rd = net.node(1).raw.ready();
        assertThat(rd.messages()).extracting(Message::getType).containsOnly(MessageType.MsgVote);
        assertThat(rd.hardState().getTerm()).isEqualTo(1);
        assertThat(rd.hardState().getVote()).isEqualTo(1);
        net.node(1).raw.advance(rd);
        assertThat(net.node(1).raw.hasReady()).as("messages are handed out once").isFalse();
    }
}
