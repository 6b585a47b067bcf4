package io.etcdjava.testing.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.testing.check.Linearizability.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LinearizabilityTest {
    private static final Linearizability CHECKER = new Linearizability(Duration.ofSeconds(10));

    private static Outcome outcome(H h) {
        Linearizability.Result r = CHECKER.check(h.ops());
        assertThat(r.keys()).isNotEmpty();
        return r.keys().stream().map(Linearizability.KeyResult::outcome)
                .reduce((a, b) -> a == Outcome.ILLEGAL || b == Outcome.ILLEGAL ? Outcome.ILLEGAL
                        : a == Outcome.UNKNOWN || b == Outcome.UNKNOWN ? Outcome.UNKNOWN : Outcome.OK).orElseThrow();
    }

    @Test
    void aReadAfterAWriteSeesIt() {
        assertThat(outcome(new H().put(1, "a", "v1", 0, 1, 2).get(2, "a", "v1", 2, 2, 3, 2))).isEqualTo(Outcome.OK);
    }

    @Test
    void aStaleReadIsCaught() {
        H h = new H().put(1, "a", "v1", 0, 1, 2).put(1, "a", "v2", 2, 3, 3).get(2, "a", "v1", 2, 4, 5, 3);
        Linearizability.Result r = CHECKER.check(h.ops());
        assertThat(r.keys().get(0).outcome()).isEqualTo(Outcome.ILLEGAL);
        assertThat(r.violations()).singleElement().satisfies(v -> assertThat(v.detail()).contains("not linearizable"));
    }

    @Test
    void aLostWriteIsCaught() {
        H h = new H().put(1, "a", "v1", 0, 1, 2).get(2, "a", null, 0, 2, 3, 2);
        assertThat(outcome(h)).isEqualTo(Outcome.ILLEGAL);
    }

    @Test
    void aReadMayObserveAWriteThatHasNotCompletedYet() {
        H h = new H().put(1, "a", "v1", 0, 10, 2).get(2, "a", "v1", 2, 1, 2, 2).get(2, "a", "v1", 2, 3, 4, 2);
        assertThat(outcome(h)).isEqualTo(Outcome.OK);
    }

    @Test
    void onceAConcurrentWriteIsObservedAnOlderValueMayNotReturn() {
        H h = new H().put(1, "a", "v1", 0, 10, 2).get(2, "a", "v1", 2, 1, 2, 2).get(2, "a", null, 0, 3, 4, 2);
        assertThat(outcome(h)).isEqualTo(Outcome.ILLEGAL);
    }

    @Test
    void concurrentWritesMayTakeEffectInEitherOrderButOnlyOne() {
        H valid = new H().put(1, "a", "v1", 0, 10, 3).put(2, "a", "v2", 0, 10, 2)
                .get(3, "a", "v2", 2, 1, 2, 2).get(3, "a", "v1", 3, 3, 4, 3);
        assertThat(outcome(valid)).isEqualTo(Outcome.OK);
        H flipFlop = new H().put(1, "a", "v1", 0, 10, 3).put(2, "a", "v2", 0, 10, 2)
                .get(3, "a", "v2", 2, 1, 2, 2).get(3, "a", "v1", 3, 3, 4, 3).get(3, "a", "v2", 2, 5, 6, 3);
        assertThat(outcome(flipFlop)).isEqualTo(Outcome.ILLEGAL);
    }

    @Test
    void anIndeterminateWriteMayTakeEffectLate() {
        H h = new H().putLost(1, "a", "v1", 0).get(2, "a", null, 0, 1, 2, 1).get(2, "a", "v1", 5, 30, 31, 5)
                .get(3, "a", "v1", 5, 40, 41, 5);
        assertThat(outcome(h)).isEqualTo(Outcome.OK);
    }

    @Test
    void anIndeterminateWriteMayNeverTakeEffect() {
        H h = new H().putLost(1, "a", "v1", 0).put(2, "a", "v2", 5, 6, 3).get(2, "a", "v2", 3, 10, 11, 3);
        assertThat(outcome(h)).isEqualTo(Outcome.OK);
    }

    @Test
    void anIndeterminateWriteTakesEffectAtMostOnce() {
        H h = new H().putLost(1, "a", "v1", 0).get(2, "a", "v1", 2, 1, 2, 2).put(2, "a", "v2", 3, 4, 3)
                .get(2, "a", "v1", 2, 5, 6, 3);
        assertThat(outcome(h)).isEqualTo(Outcome.ILLEGAL);
    }

    @Test
    void aValueNobodyWroteIsCaught() {
        assertThat(outcome(new H().put(1, "a", "v1", 0, 1, 2).get(2, "a", "v9", 2, 2, 3, 2)))
                .isEqualTo(Outcome.ILLEGAL);
    }

    @Test
    void compareAndSetOnValue() {
        H valid = new H().put(1, "a", "v1", 0, 1, 2).cas(1, "a", "v1", "v2", true, 2, 3, 3)
                .cas(2, "a", "v1", "v3", false, 4, 5, 3).get(2, "a", "v2", 3, 6, 7, 3)
                .cas(3, "b", null, "w1", true, 0, 1, 4).cas(3, "b", null, "w2", false, 2, 3, 4);
        assertThat(outcome(valid)).isEqualTo(Outcome.OK);
        H lostUpdate = new H().put(1, "a", "v1", 0, 1, 2).cas(1, "a", "v1", "v2", true, 2, 10, 3)
                .cas(2, "a", "v1", "v3", true, 2, 10, 4);
        assertThat(outcome(lostUpdate)).isEqualTo(Outcome.ILLEGAL);
    }

    @Test
    void compareAndSetOnModRevision() {
        H valid = new H().put(1, "a", "v1", 0, 1, 5).casRev(1, "a", 5, "v2", true, 2, 3, 6)
                .casRev(2, "a", 5, "v3", false, 4, 5, 6).get(2, "a", "v2", 6, 6, 7, 6)
                .casRev(2, "b", 0, "w1", true, 8, 9, 7);
        assertThat(outcome(valid)).isEqualTo(Outcome.OK);
        H twice = new H().put(1, "a", "v1", 0, 1, 5).casRev(1, "a", 5, "v2", true, 2, 3, 6)
                .casRev(2, "a", 5, "v3", true, 4, 5, 7);
        assertThat(outcome(twice)).isEqualTo(Outcome.ILLEGAL);
    }

    @Test
    void deletes() {
        H valid = new H().put(1, "a", "v1", 0, 1, 2).del(1, "a", true, 2, 3, 3).del(2, "a", false, 4, 5, 3)
                .get(2, "a", null, 0, 6, 7, 3);
        assertThat(outcome(valid)).isEqualTo(Outcome.OK);
        H phantom = new H().put(1, "a", "v1", 0, 1, 2).del(1, "a", true, 2, 3, 3).del(2, "a", true, 4, 5, 4);
        assertThat(outcome(phantom)).isEqualTo(Outcome.ILLEGAL);
    }

    @Test
    void aReadOfAWrongModRevisionIsCaught() {
        H h = new H().put(1, "a", "v1", 0, 1, 2).get(2, "a", "v1", 7, 2, 3, 7);
        assertThat(CHECKER.check(h.ops()).violations()).singleElement()
                .satisfies(v -> assertThat(v.detail()).contains("read mod revision 7"));
    }

    @Test
    void leasedKeysAreLeftToTheLeaseChecker() {
        H h = new H().add(Op.put(1, 1, "l", "v1", 0, 1, 2).withLease(7)).get(2, "l", null, 0, 2, 3, 3);
        assertThat(CHECKER.check(h.ops()).violations()).isEmpty();
    }

    @Test
    void keysAreJudgedSeparately() {
        H h = new H().put(1, "a", "v1", 0, 1, 2).get(2, "a", "v1", 2, 2, 3, 2)
                .put(1, "b", "w1", 0, 1, 3).get(2, "b", null, 0, 2, 3, 3);
        Linearizability.Result r = CHECKER.check(h.ops());
        assertThat(r.keys()).extracting(Linearizability.KeyResult::key, Linearizability.KeyResult::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", Outcome.OK),
                        org.assertj.core.groups.Tuple.tuple("b", Outcome.ILLEGAL));
    }

    @Test
    void aSearchOutOfTimeAnswersUnknownInsteadOfHanging() {
        H h = new H();
        for (int i = 0; i < 3000; i++) {
            h.put(i % 5, "a", "v" + i, 10L * i, 10L * i + 5, i + 2);
        }
        Linearizability.Result r = new Linearizability(Duration.ZERO).check(h.ops());
        assertThat(r.keys().get(0).outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(r.violations()).isEmpty();
    }

    /** A simulated register with 6 concurrent clients, some timeouts: valid, and judged fast. */
    @Test
    void aLargeConcurrentValidHistoryIsAcceptedQuickly() {
        List<Op> ops = simulate(new Random(42), 6, 3000, false);
        long t0 = System.nanoTime();
        Linearizability.Result r = CHECKER.check(ops);
        assertThat(r.violations()).isEmpty();
        assertThat(r.count(Outcome.OK)).isEqualTo(r.keys().size());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void theSameHistoryWithOneReadMadeStaleIsRejected() {
        List<Op> ops = simulate(new Random(42), 6, 3000, true);
        assertThat(CHECKER.check(ops).violations()).isNotEmpty();
    }

    /**
     * Clients take turns at random on keys k0..k3 of a true register; each operation's interval
     * covers the instant it took effect; 3% of writes time out (indeterminate). With
     * {@code corrupt}, one late read returns the value its key held two writes earlier.
     */
    static List<Op> simulate(Random rnd, int clients, int n, boolean corrupt) {
        String[] state = new String[4];
        long[] modRev = new long[4];
        java.util.Map<String, Long> revOf = new java.util.HashMap<>();
        List<List<String>> past = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            past.add(new ArrayList<>());
        }
        List<Op> ops = new ArrayList<>();
        long[] free = new long[clients];
        long rev = 1;
        boolean corrupted = false;
        for (int i = 0; i < n; i++) {
            int c = rnd.nextInt(clients);
            long at = Math.max(free[c] + 1, 10L * i);
            long inv = at - rnd.nextInt(15);
            inv = Math.max(inv, free[c] + 1);
            long comp = at + 1 + rnd.nextInt(15);
            free[c] = comp;
            int k = rnd.nextInt(4);
            String key = "k" + k;
            int kind = rnd.nextInt(4);
            if (kind == 0 || kind == 1) {
                String v = "v" + i;
                rev++;
                state[k] = v;
                modRev[k] = rev;
                revOf.put(v, rev);
                past.get(k).add(v);
                Op op = Op.put(i, c, key, v, inv, comp, rev);
                ops.add(rnd.nextInt(100) < 3 ? op.indeterminate() : op);
            } else if (kind == 2) {
                String read = state[k];
                List<String> p = past.get(k);
                if (corrupt && !corrupted && i > n / 2 && p.size() > 3 && read != null) {
                    read = p.get(p.size() - 3);
                    corrupted = true;
                }
                ops.add(Op.get(i, c, key, read, read == null ? 0 : revOf.get(read), inv, comp, rev));
            } else {
                String expect = rnd.nextBoolean() ? state[k] : "v" + rnd.nextInt(i + 1);
                boolean holds = java.util.Objects.equals(expect, state[k]);
                String v = "v" + i;
                if (holds) {
                    rev++;
                    state[k] = v;
                    revOf.put(v, rev);
                    past.get(k).add(v);
                }
                ops.add(Op.casValue(i, c, key, expect, v, holds, inv, comp, rev));
            }
        }
        return ops;
    }
}
