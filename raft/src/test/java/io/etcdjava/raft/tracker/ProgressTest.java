package io.etcdjava.raft.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProgressTest {

    private static Progress progress(ProgressState state, long match, long next) {
        Progress p = new Progress(next, new Inflights(256), false);
        p.setMatch(match);
        switch (state) {
            case PROBE -> { }
            case REPLICATE -> p.becomeReplicate();
            case SNAPSHOT -> p.becomeSnapshot(0);
        }
        p.setNext(next);
        return p;
    }

    @Test
    void newProgressStartsProbingWithMatchZero() {
        Progress p = new Progress(7, new Inflights(4), true);
        assertThat(p.state()).isEqualTo(ProgressState.PROBE);
        assertThat(p.match()).isZero();
        assertThat(p.next()).isEqualTo(7);
        assertThat(p.isLearner()).isTrue();
        assertThat(p.recentActive()).isFalse();
        assertThat(p.probeSent()).isFalse();
        assertThat(p.pendingSnapshot()).isZero();
    }

    @Test
    void toStringListsEveryNonDefaultAttribute() {
        Inflights ins = new Inflights(1);
        ins.add(123);
        Progress p = new Progress(2, ins, true);
        p.setMatch(1);
        p.becomeSnapshot(123);
        ins.add(123); // becomeSnapshot resets the window
        p.setNext(2);
        p.setProbeSent(true);
        assertThat(p).hasToString("StateSnapshot match=1 next=2 learner paused pendingSnap=123 inactive inflight=1[full]");
    }

    @Test
    void toStringOfAnActiveProbeIsMinimal() {
        Progress p = new Progress(1, new Inflights(1), false);
        p.setRecentActive(true);
        assertThat(p).hasToString("StateProbe match=0 next=1");
    }

    @ParameterizedTest(name = "{0} probeSent={1} -> paused={2}")
    @CsvSource({
        "PROBE, false, false",
        "PROBE, true, true",
        "REPLICATE, false, false",
        "REPLICATE, true, false",
        "SNAPSHOT, false, true",
        "SNAPSHOT, true, true",
    })
    void isPausedDependsOnState(ProgressState state, boolean probeSent, boolean paused) {
        Progress p = progress(state, 0, 1);
        p.setProbeSent(probeSent);
        assertThat(p.isPaused()).isEqualTo(paused);
    }

    @Test
    void replicateIsPausedOnlyWhileTheInflightWindowIsFull() {
        Progress p = new Progress(1, new Inflights(2), false);
        p.becomeReplicate();
        p.inflights().add(1);
        assertThat(p.isPaused()).isFalse();
        p.inflights().add(2);
        assertThat(p.isPaused()).isTrue();
        p.inflights().freeLE(1);
        assertThat(p.isPaused()).isFalse();
    }

    @Test
    void rejectionWhileProbingResumesProbing() {
        Progress p = progress(ProgressState.PROBE, 0, 2);
        p.setProbeSent(true);
        p.maybeDecrTo(1, 1);
        assertThat(p.probeSent()).isFalse();
    }

    @Test
    void ackThatRaisesMatchResumesProbing() {
        Progress p = progress(ProgressState.PROBE, 0, 2);
        p.setProbeSent(true);
        p.maybeUpdate(2);
        assertThat(p.probeSent()).isFalse();
    }

    @Test
    void becomeProbeFromReplicateRestartsAfterMatch() {
        Progress p = progress(ProgressState.REPLICATE, 1, 5);
        p.inflights().add(3);
        p.becomeProbe();
        assertThat(p.state()).isEqualTo(ProgressState.PROBE);
        assertThat(p.match()).isEqualTo(1);
        assertThat(p.next()).isEqualTo(2);
        assertThat(p.inflights().count()).isZero();
    }

    @Test
    void becomeProbeAfterSnapshotRestartsAfterTheSnapshot() {
        Progress p = progress(ProgressState.PROBE, 1, 5);
        p.becomeSnapshot(10);
        p.becomeProbe();
        assertThat(p.state()).isEqualTo(ProgressState.PROBE);
        assertThat(p.next()).isEqualTo(11);
        assertThat(p.pendingSnapshot()).isZero();
    }

    @Test
    void becomeProbeAfterAbortedSnapshotRestartsAfterMatch() {
        Progress p = progress(ProgressState.SNAPSHOT, 1, 5); // pending snapshot 0 = failed/aborted
        p.becomeProbe();
        assertThat(p.next()).isEqualTo(2);
    }

    @Test
    void becomeReplicateSetsNextJustPastMatch() {
        Progress p = progress(ProgressState.PROBE, 1, 5);
        p.setProbeSent(true);
        p.becomeReplicate();
        assertThat(p.state()).isEqualTo(ProgressState.REPLICATE);
        assertThat(p.match()).isEqualTo(1);
        assertThat(p.next()).isEqualTo(2);
        assertThat(p.probeSent()).isFalse();
    }

    @Test
    void becomeSnapshotRecordsThePendingSnapshotAndKeepsMatch() {
        Progress p = progress(ProgressState.PROBE, 1, 5);
        p.becomeSnapshot(10);
        assertThat(p.state()).isEqualTo(ProgressState.SNAPSHOT);
        assertThat(p.match()).isEqualTo(1);
        assertThat(p.pendingSnapshot()).isEqualTo(10);
        assertThat(p.isPaused()).isTrue();
    }

    @ParameterizedTest(name = "match=3 next=5, update {0} -> match={1} next={2} updated={3}")
    @CsvSource({
        "2, 3, 5, false", // stale: neither moves back
        "3, 3, 5, false", // same match: next does not move back
        "4, 4, 5, true",  // match moves, next already ahead
        "5, 5, 6, true",  // both move
    })
    void maybeUpdateNeverMovesBackwards(long n, long wantMatch, long wantNext, boolean wantUpdated) {
        Progress p = progress(ProgressState.PROBE, 3, 5);
        assertThat(p.maybeUpdate(n)).isEqualTo(wantUpdated);
        assertThat(p.match()).isEqualTo(wantMatch);
        assertThat(p.next()).isEqualTo(wantNext);
    }

    @Test
    void optimisticUpdateMovesNextPastTheSentIndex() {
        Progress p = progress(ProgressState.REPLICATE, 3, 4);
        p.optimisticUpdate(9);
        assertThat(p.next()).isEqualTo(10);
        assertThat(p.match()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0} match={1} next={2} rejected={3} hint={4} -> {5}, next={6}")
    @CsvSource({
        // replicate: a rejection at or below match is stale
        "REPLICATE, 5, 10, 5, 5, false, 10",
        "REPLICATE, 5, 10, 4, 4, false, 10",
        // replicate: otherwise fall back to match+1
        "REPLICATE, 5, 10, 9, 9, true, 6",
        // probe: only a rejection of next-1 counts
        "PROBE, 0, 0, 0, 0, false, 0",
        "PROBE, 0, 10, 5, 5, false, 10",
        // probe: step back by one
        "PROBE, 0, 10, 9, 9, true, 9",
        "PROBE, 0, 2, 1, 1, true, 1",
        // probe: never below 1
        "PROBE, 0, 1, 0, 0, true, 1",
        // probe: jump straight to the follower's hint + 1
        "PROBE, 0, 10, 9, 2, true, 3",
        "PROBE, 0, 10, 9, 0, true, 1",
        // snapshot behaves like probe here
        "SNAPSHOT, 0, 10, 9, 2, true, 3",
        "SNAPSHOT, 0, 10, 5, 2, false, 10",
    })
    void maybeDecrToIgnoresStaleRejections(ProgressState state, long match, long next, long rejected, long hint,
            boolean want, long wantNext) {
        Progress p = progress(state, match, next);
        assertThat(p.maybeDecrTo(rejected, hint)).isEqualTo(want);
        assertThat(p.match()).isEqualTo(match);
        assertThat(p.next()).isEqualTo(wantNext);
    }

    @Test
    void copyIsDeepIncludingInflights() {
        Progress p = progress(ProgressState.REPLICATE, 3, 4);
        p.inflights().add(4);
        p.setRecentActive(true);
        Progress cp = p.copy();
        assertThat(cp).hasToString(p.toString());
        p.inflights().freeLE(4);
        p.setMatch(9);
        p.setLearner(true);
        assertThat(cp.inflights().count()).isEqualTo(1);
        assertThat(cp.match()).isEqualTo(3);
        assertThat(cp.isLearner()).isFalse();
        assertThat(cp.state()).isEqualTo(ProgressState.REPLICATE);
        assertThat(cp.recentActive()).isTrue();
    }
}
