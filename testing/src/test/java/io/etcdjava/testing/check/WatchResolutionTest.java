package io.etcdjava.testing.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.testing.check.Linearizability.Outcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class WatchResolutionTest {
    private static final Linearizability CHECKER = new Linearizability(Duration.ofSeconds(10));

    private static WatchEvent put(String key, String value, long modRev, long received) {
        return new WatchEvent(1, 0, modRev, key, WatchEvent.Type.PUT, value, modRev, received);
    }

    @Test
    void aWriteAWatcherSawCompletesWhenTheWatcherGotIt() {
        Op timedOut = Op.put(2, 1, "a", "v2", 20, 25, 3).indeterminate();
        List<Op> out = WatchResolution.resolve(List.of(timedOut), List.of(put("a", "v2", 3, 40), put("a", "v2", 3, 31)));
        Op r = out.get(0);
        assertThat(r.completed()).isTrue();
        assertThat(r.completeNanos()).isEqualTo(31);
        assertThat(r.revision()).isEqualTo(3);
        assertThat(r.appliedWrite()).isTrue();
    }

    @Test
    void aWriteNoWatcherSawStaysIndeterminate() {
        Op timedOut = Op.put(2, 1, "a", "v2", 20, 25, 3).indeterminate();
        Op done = Op.put(1, 1, "a", "v1", 0, 10, 2);
        assertThat(WatchResolution.resolve(List.of(done, timedOut), List.of(put("a", "v1", 2, 12))))
                .containsExactly(done, timedOut);
    }

    @Test
    void aCompareAndSetAWatcherSawSucceeded() {
        Op timedOut = Op.casValue(3, 1, "a", "v1", "v3", false, 20, 25, 0).indeterminate();
        Op r = WatchResolution.resolve(List.of(timedOut), List.of(put("a", "v3", 4, 33))).get(0);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.appliedWrite()).isTrue();
        assertThat(r.revision()).isEqualTo(4);
    }

    /**
     * Known bad: a watcher saw v2 at t=30, yet a read from t=40 to 50 returned v1. With the put of
     * v2 pending until +∞ the read could come first, so only the resolved history shows the stale read.
     */
    @Test
    void aStaleReadAfterAWatcherSawTheWriteIsCaughtOnlyOnceResolved() {
        List<Op> ops = List.of(
                Op.put(1, 1, "a", "v1", 0, 10, 2),
                Op.put(2, 1, "a", "v2", 20, 25, 3).indeterminate(),
                Op.get(3, 2, "a", "v1", 2, 40, 50, 3));
        List<WatchEvent> events = List.of(put("a", "v1", 2, 11), put("a", "v2", 3, 30));
        assertThat(CHECKER.check(ops).keys().get(0).outcome()).isEqualTo(Outcome.OK);
        Linearizability.Result resolved = CHECKER.check(WatchResolution.resolve(ops, events));
        assertThat(resolved.keys().get(0).outcome()).isEqualTo(Outcome.ILLEGAL);
        assertThat(resolved.violations()).isNotEmpty();
    }

    @Test
    void aRandomTrueHistoryStaysLinearizableOnceResolved() {
        List<Op> ops = LinearizabilityTest.simulate(new java.util.Random(7), 6, 3000, false);
        // every applied write seen by a watcher right when it took effect (its completion is an upper bound)
        List<WatchEvent> events = new java.util.ArrayList<>();
        for (Op op : ops) {
            if (op.kind() == OpKind.PUT && op.completed()) {
                events.add(put(op.key(), op.value(), op.revision(), op.completeNanos()));
            }
        }
        Linearizability.Result r = CHECKER.check(WatchResolution.resolve(ops, events));
        assertThat(r.violations()).isEmpty();
        assertThat(r.count(Outcome.UNKNOWN)).isZero();
    }

    private static final List<WatchSegment> SAW_ALL = List.of(new WatchSegment(1, 0, 1, false));

    @Test
    void withAWatcherThatSawEverythingUnseenTimedOutWritesAreDropped() {
        Op done = Op.put(1, 1, "a", "v1", 0, 10, 2);
        Op lostPut = Op.put(2, 1, "a", "v2", 20, 25, 0).indeterminate();
        Op lostCas = Op.casValue(3, 1, "a", "v1", "v3", false, 30, 35, 0).indeterminate();
        Op lostDelete = Op.delete(4, 1, "a", false, 40, 45, 0).indeterminate();
        List<Op> out = WatchResolution.resolve(List.of(done, lostPut, lostCas, lostDelete),
                List.of(put("a", "v1", 2, 12)), SAW_ALL);
        assertThat(out).containsExactly(done);
    }

    @Test
    void aTimedOutDeleteFollowedByADeleteEventIsKept() {
        Op done = Op.put(1, 1, "a", "v1", 0, 10, 2);
        Op timedOut = Op.delete(2, 1, "a", false, 20, 25, 0).indeterminate();
        List<WatchEvent> events = List.of(put("a", "v1", 2, 12),
                new WatchEvent(1, 0, 3, "a", WatchEvent.Type.DELETE, null, 3, 30));
        assertThat(WatchResolution.resolve(List.of(done, timedOut), events, SAW_ALL)).containsExactly(done, timedOut);
    }

    @Test
    void nothingIsDroppedWhenNoWatcherSawEveryRevision() {
        Op done = Op.put(1, 1, "a", "v1", 0, 10, 5);
        Op lost = Op.put(2, 1, "a", "v2", 20, 25, 0).indeterminate();
        // resumed past a compaction: the events before it may be missing
        List<WatchSegment> compacted = List.of(new WatchSegment(1, 0, 1, false), new WatchSegment(1, 1, 4, true));
        assertThat(WatchResolution.resolve(List.of(done, lost), List.of(put("a", "v1", 5, 12)), compacted))
                .containsExactly(done, lost);
        // or stopped before the newest revision an operation reported
        assertThat(WatchResolution.resolve(List.of(done, lost), List.of(put("a", "v0", 4, 3)), SAW_ALL))
                .containsExactly(done, lost);
    }

    /** A lost write that a read then observes is still caught: the read's value was never written. */
    @Test
    void aReadOfAWriteThatNeverTookEffectIsCaughtOnceDropped() {
        List<Op> ops = List.of(
                Op.put(1, 1, "a", "v1", 0, 10, 2),
                Op.put(2, 1, "a", "v2", 20, 25, 0).indeterminate(),
                Op.get(3, 2, "a", "v2", 3, 40, 50, 3));
        // the watcher saw revision 2 and then 3 as someone else's write, never v2
        List<WatchEvent> events = List.of(put("a", "v1", 2, 11), put("b", "x", 3, 30));
        Linearizability.Result r = CHECKER.check(WatchResolution.resolve(ops, events, SAW_ALL));
        assertThat(r.violations()).isNotEmpty();
    }
}
