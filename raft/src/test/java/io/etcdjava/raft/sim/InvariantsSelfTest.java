package io.etcdjava.raft.sim;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.HardState;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each checker must fail on a fabricated bad history: a checker that can never fail proves nothing. */
class InvariantsSelfTest {

    static Entry e(long index, long term, String data) {
        return Entry.newBuilder().setIndex(index).setTerm(term).setData(ByteString.copyFromUtf8(data)).build();
    }

    /** A log given as terms per index, starting at index 1. */
    static Invariants.LogView log(long... terms) {
        return new Invariants.LogView() {
            @Override
            public long term(long i) {
                return i >= 1 && i <= terms.length ? terms[(int) i - 1] : -1;
            }

            @Override
            public long firstIndex() {
                return 1;
            }

            @Override
            public long lastIndex() {
                return terms.length;
            }
        };
    }

    @Test
    void electionSafetyCatchesTwoLeadersInOneTerm() {
        Invariants inv = new Invariants();
        inv.onLeader(1, 3);
        inv.onLeader(1, 3);
        inv.onLeader(2, 4);
        assertThatThrownBy(() -> inv.onLeader(3, 3))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("ElectionSafety")
                .hasMessageContaining("term 3");
    }

    @Test
    void logMatchingCatchesDifferentEntriesAtSameIndexAndTerm() {
        Invariants inv = new Invariants();
        inv.onLogEntry(1, e(5, 2, "a"), 2);
        inv.onLogEntry(2, e(5, 2, "a"), 2);
        assertThatThrownBy(() -> inv.onLogEntry(3, e(5, 2, "b"), 2))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("LogMatching");
    }

    @Test
    void logMatchingCatchesDifferentPrefixes() {
        Invariants inv = new Invariants();
        inv.onLogEntry(1, e(5, 3, "a"), 2);
        assertThatThrownBy(() -> inv.onLogEntry(2, e(5, 3, "a"), 1))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("LogMatching")
                .hasMessageContaining("preceded by term 1");
    }

    @Test
    void leaderCompletenessCatchesLeaderMissingCommittedEntry() {
        Invariants inv = new Invariants();
        inv.onCommitted(1, 1, 1, 1, Map.of());
        inv.onCommitted(1, 2, 2, 2, Map.of());
        assertThatCode(() -> inv.onNewLeader(2, 3, log(1, 2, 3))).doesNotThrowAnyException();
        assertThatThrownBy(() -> inv.onNewLeader(3, 4, log(1, 1)))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("LeaderCompleteness");
        assertThatThrownBy(() -> inv.onNewLeader(3, 4, log(1)))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("LeaderCompleteness");
    }

    @Test
    void leaderCompletenessCatchesLateCommitMissingFromLaterLeader() {
        Invariants inv = new Invariants();
        Map<Long, Map.Entry<Long, Invariants.LogView>> leaders = Map.of(5L, Map.entry(7L, log(1, 1, 6)));
        assertThatThrownBy(() -> inv.onCommitted(1, 4, 3, 4, leaders))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("LeaderCompleteness");
    }

    @Test
    void leaderCompletenessAllowsStaleLeaderOfTermBeforeTheCommit() {
        // Seed 1537: entry 14 of term 5 committed by the leader of term 7; the deposed (partitioned)
        // leader of term 6 never had it, and need not.
        Invariants inv = new Invariants();
        Map<Long, Map.Entry<Long, Invariants.LogView>> leaders = Map.of(3L, Map.entry(6L, log(1, 1, 4)));
        assertThatCode(() -> inv.onCommitted(1, 7, 3, 5, leaders)).doesNotThrowAnyException();
    }

    @Test
    void commitAgreementCatchesDifferentCommittedTerms() {
        Invariants inv = new Invariants();
        inv.onCommitted(1, 2, 4, 2, Map.of());
        assertThatThrownBy(() -> inv.onCommitted(2, 3, 4, 3, Map.of()))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("CommitAgreement");
    }

    @Test
    void stateMachineSafetyCatchesDivergentAppliedEntry() {
        Invariants inv = new Invariants();
        inv.onApply(1, 1, e(2, 1, "x"), 10);
        inv.onApply(2, 1, e(2, 1, "x"), 10);
        assertThatThrownBy(() -> inv.onApply(3, 1, e(2, 1, "y"), 11))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("StateMachineSafety")
                .hasMessageContaining("\"y\"");
    }

    @Test
    void stateMachineSafetyCatchesGapsAndDivergentSnapshots() {
        Invariants inv = new Invariants();
        assertThatThrownBy(() -> inv.onApply(1, 3, e(5, 1, "x"), 1))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("gap");
        inv.onApply(1, 1, e(2, 1, "x"), 42);
        assertThatThrownBy(() -> inv.onApplySnapshot(2, 2, 43))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("snapshot");
    }

    @Test
    void monotonicCursorsCatchRegression() {
        Invariants inv = new Invariants();
        inv.onIndexMoved("Commit", 1, 5, 5, 0);
        assertThatThrownBy(() -> inv.onIndexMoved("Commit", 1, 5, 4, 0))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("MonotonicCommit");
        assertThatThrownBy(() -> inv.onIndexMoved("Applied", 1, 2, 3, 4))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("MonotonicApplied");
    }

    @Test
    void hardStateDurabilityCatchesDoubleVote() {
        Invariants inv = new Invariants();
        inv.onPersistHardState(1, HardState.newBuilder().setTerm(2).setVote(3).setCommit(4).build());
        assertThatThrownBy(() -> inv.onPersistHardState(1, HardState.newBuilder().setTerm(2).setVote(2).setCommit(4).build()))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("voted for 3 and then 2");
        assertThatThrownBy(() -> inv.onPersistHardState(1, HardState.newBuilder().setTerm(1).setCommit(4).build()))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("HardStateDurability");
    }

    @Test
    void readIndexSafetyCatchesStaleRead() {
        Invariants inv = new Invariants();
        inv.onCommitted(1, 1, 1, 1, Map.of());
        inv.onCommitted(1, 1, 2, 1, Map.of());
        ByteString ctx = ByteString.copyFromUtf8("r1");
        inv.onReadRequest(ctx);
        inv.onReadState(2, 2, ctx);
        assertThatThrownBy(() -> inv.onReadState(3, 1, ctx))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("ReadIndexSafety");
    }

    @Test
    void commitDurabilityCatchesCommitWithoutDurableQuorum() {
        Invariants inv = new Invariants();
        long[] voters = {1, 2, 3};
        assertThatCode(() -> inv.onLeaderCommit(1, 2, 5, 2, voters, new long[0], id -> id != 3)).doesNotThrowAnyException();
        // Only the leader's memory and one follower's disk: the leader's unpersisted log must not count.
        assertThatThrownBy(() -> inv.onLeaderCommit(1, 2, 5, 2, voters, new long[0], id -> id == 2))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("CommitDurability");
        // Joint: both halves need a durable majority.
        assertThatThrownBy(() -> inv.onLeaderCommit(1, 2, 5, 2, voters, new long[] {4, 5, 6}, id -> id <= 3))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("CommitDurability");
    }

    @Test
    void leaderAppendOnlyCatchesLeaderTruncatingItsLog() {
        Invariants inv = new Invariants();
        inv.onLeaderLog(1, 3, 10, 3, 12, 3);
        assertThatThrownBy(() -> inv.onLeaderLog(1, 3, 10, 3, 9, -1))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("LeaderAppendOnly");
        assertThatThrownBy(() -> inv.onLeaderLog(1, 3, 10, 3, 10, 2))
                .isInstanceOf(Invariants.Violation.class).hasMessageContaining("LeaderAppendOnly");
    }
}
