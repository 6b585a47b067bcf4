package io.etcdjava.raft;

import static io.etcdjava.raft.Msgs.appResp;
import static io.etcdjava.raft.Msgs.hup;
import static io.etcdjava.raft.Msgs.vote;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Raft paper §5.4 (safety): election restriction, Leader Completeness, State Machine Safety, §5.4.2. */
@Timeout(20)
class RaftPaperSafetyTest {

    /**
     * Election restriction (§5.4.1): a voter denies its vote to a candidate whose log is less up
     * to date than its own — compare last terms, then lengths.
     */
    @Test
    void electionRestriction_voterRejectsCandidateWithLessUpToDateLog() {
        record Case(long lastTerm, long lastIndex, boolean reject) {
        }
        List<Case> cases = List.of(
                new Case(2, 2, false), new Case(2, 3, false), new Case(3, 1, false), new Case(3, 3, false),
                new Case(2, 1, true), new Case(1, 2, true), new Case(1, 5, true), new Case(0, 0, true));
        for (Case c : cases) {
            Network net = Network.builder().voters(1, 2, 3).log(1, 1, 2).build();
            List<Message> out = net.stepCollect(1, vote(2, 1, 3, c.lastTerm, c.lastIndex));
            assertThat(out).hasSize(1);
            assertThat(out.get(0).getType()).isEqualTo(MessageType.MsgVoteResp);
            assertThat(out.get(0).getReject()).as("%s", c).isEqualTo(c.reject);
            assertThat(net.raft(1).vote).as("%s", c).isEqualTo(c.reject ? 0 : 2);
        }
    }

    /** §5.4.1: a server missing a committed entry cannot collect a majority, so cannot become leader. */
    @Test
    void electionRestriction_serverMissingCommittedEntryCannotWin() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        net.isolate(3);
        net.propose(1, "committed");
        assertThat(net.committed(1)).isEqualTo(2);
        net.heal();
        net.isolate(1);
        net.campaign(3);
        assertThat(net.state(3)).isNotEqualTo(StateType.LEADER);
        net.campaign(2);
        assertThat(net.state(2)).isEqualTo(StateType.LEADER);
        assertThat(net.log(2)).extracting(e -> e.getData().toStringUtf8()).contains("committed");
    }

    /**
     * Leader Completeness (§5.4): an entry committed in a term is present in the logs of the
     * leaders of all higher terms. Besides the direct case, the network checks every newly
     * elected leader against everything applied anywhere, through partitions and restarts.
     */
    @Test
    void leaderCompleteness_committedEntriesPresentInEveryLaterLeader() {
        Network net = Network.of(1, 2, 3, 4, 5);
        net.campaign(1);
        net.partition(new long[] {1, 2, 3}, new long[] {4, 5});
        net.propose(1, "a");
        net.heal();
        net.isolate(1);
        net.campaign(4);
        assertThat(net.state(4)).isNotEqualTo(StateType.LEADER);
        for (int i = 0; i < 300 && net.leader() == 1; i++) {
            net.tickAll(1);
        }
        long leader = net.leader();
        assertThat(leader).isIn(2L, 3L);
        assertThat(net.log(leader)).extracting(e -> e.getData().toStringUtf8()).contains("a");
        assertThat(net.violations()).isEmpty();

        for (long seed = 31; seed <= 36; seed++) {
            Network chaos = Network.builder().voters(1, 2, 3, 4, 5).config(b -> b.electionTick(5)).build();
            Scenarios.chaos(chaos, 5, seed, 60);
            assertThat(chaos.violations()).as("seed %d", seed).isEmpty();
        }
    }

    /**
     * State Machine Safety (§5.4.3): once a server has applied an entry at an index, no other
     * server ever applies a different entry at that index; after healing all state machines hold
     * the same sequence.
     */
    @Test
    void stateMachineSafety_noTwoServersApplyDifferentEntriesAtAnIndex() {
        for (long seed = 41; seed <= 46; seed++) {
            Network net = Network.builder().voters(1, 2, 3, 4, 5).config(b -> b.electionTick(5)).build();
            int accepted = Scenarios.chaos(net, 5, seed, 60);
            assertThat(net.violations()).as("seed %d", seed).isEmpty();
            long leader = net.leader();
            assertThat(leader).as("seed %d has a leader after healing", seed).isNotZero();
            net.propose(leader, "final");
            net.tickAll(3);
            List<Entry> reference = net.node(leader).applied;
            for (long id = 1; id <= 5; id++) {
                assertThat(net.node(id).applied).as("seed %d node %d", seed, id).isEqualTo(reference);
            }
            assertThat(net.node(leader).appliedData()).hasSizeGreaterThan(accepted / 4);
        }
    }

    /**
     * State Machine Safety (§5.4.3) with log compaction (§7), pre-vote and check-quorum mixed in:
     * nodes snapshot and compact at random, so lagging nodes catch up through InstallSnapshot.
     */
    @Test
    void stateMachineSafety_holdsWithSnapshotsPreVoteAndCheckQuorum() {
        for (long seed = 51; seed <= 70; seed++) {
            boolean preVote = seed % 2 == 0;
            boolean checkQuorum = seed % 3 == 0;
            Network net = Network.builder().voters(1, 2, 3, 4, 5).config(b -> b.electionTick(5)
                    .preVote(preVote).checkQuorum(checkQuorum).maxSizePerMsg(200).maxInflightMsgs(4)).build();
            Scenarios.chaos(net, 5, seed, 60, true);
            assertThat(net.violations()).as("seed %d", seed).isEmpty();
            long leader = net.leader();
            if (leader != 0) {
                for (long id = 1; id <= 5; id++) {
                    assertThat(net.committed(id)).as("seed %d node %d", seed, id).isEqualTo(net.committed(leader));
                }
            }
        }
    }

    /**
     * Commitment rule for earlier terms (§5.4.2): a leader counts replicas only for entries of its
     * current term; older entries commit indirectly once one of its own entries commits.
     */
    @Test
    void commitmentRule_leaderCountsReplicasOnlyForEntriesOfItsTerm() {
        record Case(long ackIndex, long wantCommit) {
        }
        for (Case c : List.of(new Case(1, 0), new Case(2, 0), new Case(3, 3))) {
            Network net = Network.builder().voters(1, 2).log(1, 1, 1).term(1, 1).build();
            net.stepCollect(1, hup());
            net.stepCollect(1, Msgs.voteResp(2, 1, 2, false));
            assertThat(net.state(1)).isEqualTo(StateType.LEADER);
            assertThat(net.lastIndex(1)).isEqualTo(3);
            net.stepCollect(1, appResp(2, 1, 2, c.ackIndex));
            assertThat(net.committed(1)).as("ack %d", c.ackIndex).isEqualTo(c.wantCommit);
        }
    }

    /**
     * Figure 8 (§5.4.2): an entry from an earlier term that is stored on a majority is still not
     * committed, because a later leader may legitimately overwrite it. S1 (term 1) places x at
     * index 2 on S1,S2; S5 wins term 2 alone-with-its-entry; S1 restarts, wins term 3 and copies x to
     * S3 (a majority) without committing it; S5 then restarts, wins term 4 and overwrites x everywhere.
     */
    @Test
    void commitmentRule_figure8_oldTermEntryOnMajorityIsNotCommittedAndMayBeOverwritten() {
        Network net = Network.builder().voters(1, 2, 3, 4, 5).config(b -> b.maxSizePerMsg(1)).build();
        net.campaign(1);
        assertThat(net.committed(1)).isEqualTo(1);

        // (a) S1 leads term 1 and replicates x at index 2 to S2 only.
        net.partition(new long[] {1, 2}, new long[] {3, 4, 5});
        net.propose(1, "x");
        assertThat(net.log(2)).hasSize(2);

        // (b) S1 crashes; S5 wins term 2 with votes of S3, S4 and writes index 2 only locally.
        net.heal();
        net.isolate(1);
        net.cut(5, 2);
        net.drop(m -> m.getFrom() == 5 && m.getType() == MessageType.MsgApp);
        net.campaign(5);
        assertThat(net.state(5)).isEqualTo(StateType.LEADER);
        assertThat(net.term(5)).isEqualTo(2);
        net.propose(5, "y");

        // (c) S5 crashes; S1 restarts, wins term 3 and replicates x (term 1) to S3; its own entry is lost.
        net.heal();
        net.isolate(5);
        net.restart(1);
        // Lose S1's own (term 3) entry wherever it would be accepted; probes that S3 rejects pass.
        net.drop(m -> m.getFrom() == 1 && m.getType() == MessageType.MsgApp
                && m.getEntriesList().stream().anyMatch(e -> e.getTerm() == 3)
                && net.lastIndex(m.getTo()) >= m.getIndex());
        net.drop(m -> m.getFrom() == 1 && m.getTo() == 4 && m.getType() == MessageType.MsgApp);
        net.campaign(1);
        if (net.state(1) != StateType.LEADER) {
            net.campaign(1);
        }
        assertThat(net.state(1)).isEqualTo(StateType.LEADER);
        assertThat(net.term(1)).isEqualTo(3);
        for (long id : new long[] {1, 2, 3}) {
            assertThat(net.raft(id).raftLog.term(2)).as("S%d holds x", id).isEqualTo(1);
        }
        assertThat(net.committed(1)).as("x is on a majority but from an older term").isEqualTo(1);

        // (d) S1 crashes; S5 restarts and wins term 4 (its last term 2 beats their 1), overwriting index 2.
        net.heal();
        net.isolate(1);
        net.restart(5);
        net.campaign(5);
        if (net.state(5) != StateType.LEADER) {
            net.campaign(5);
        }
        assertThat(net.state(5)).isEqualTo(StateType.LEADER);
        for (long id : new long[] {2, 3, 4, 5}) {
            assertThat(net.raft(id).raftLog.term(2)).as("S%d index 2", id).isEqualTo(2);
            assertThat(net.node(id).appliedData()).as("S%d", id).containsExactly("y");
        }
        net.heal();
        net.tickAll(5);
        assertThat(net.node(1).appliedData()).containsExactly("y");
        assertThat(net.violations()).isEmpty();
    }

    /**
     * Figure 8 (e): if instead S1 replicates an entry of its current term on a majority, that
     * commits it and x before it, and S5 can no longer win an election.
     */
    @Test
    void commitmentRule_figure8_currentTermEntryOnMajorityCommitsEarlierEntries() {
        Network net = Network.builder().voters(1, 2, 3, 4, 5).config(b -> b.maxSizePerMsg(1)).build();
        net.campaign(1);
        net.partition(new long[] {1, 2}, new long[] {3, 4, 5});
        net.propose(1, "x");
        net.heal();
        net.isolate(1);
        net.cut(5, 2);
        net.drop(m -> m.getFrom() == 5 && m.getType() == MessageType.MsgApp);
        net.campaign(5);
        net.propose(5, "y");

        net.heal();
        net.isolate(5);
        net.restart(1);
        net.campaign(1);
        if (net.state(1) != StateType.LEADER) {
            net.campaign(1);
        }
        assertThat(net.state(1)).isEqualTo(StateType.LEADER);
        net.propose(1, "z");
        assertThat(net.committed(1)).isEqualTo(net.lastIndex(1));
        assertThat(net.node(1).appliedData()).containsExactly("x", "z");

        net.heal();
        net.isolate(1);
        net.restart(5);
        net.campaign(5);
        net.campaign(5);
        assertThat(net.state(5)).isNotEqualTo(StateType.LEADER);
        assertThat(net.violations()).isEmpty();
    }
}
