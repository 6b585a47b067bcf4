package io.etcdjava.testing.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LeaseSafetyTest {
    private static final long S = 1_000_000_000L;
    private static final Duration BOUND = Duration.ofSeconds(5);

    /** Lease 7, ttl 10 s, granted over [0, 0.1 s]; key l put with it over [0.2 s, 0.3 s]. */
    private static H leased() {
        return new H().add(Op.leaseGrant(1, 1, 7, 10, 0, S / 10))
                .add(Op.put(2, 1, "l", "v1", 2 * S / 10, 3 * S / 10, 2).withLease(7));
    }

    @Test
    void aKeyThatLivesItsTtlAndThenGoesPasses() {
        H h = leased().get(1, "l", "v1", 2, 9 * S, 9 * S + 1, 2).get(1, "l", null, 0, 11 * S, 11 * S + 1, 3);
        List<WatchEvent> evs = List.of(new WatchEvent(1, 0, 3, "l", WatchEvent.Type.DELETE, null, 0, 11 * S));
        assertThat(LeaseSafety.check(h.ops(), evs, BOUND)).isEmpty();
    }

    @Test
    void anEarlyDeathSeenByAReadIsCaught() {
        H h = leased().get(1, "l", null, 0, 5 * S, 5 * S + 1, 3);
        assertThat(LeaseSafety.check(h.ops(), List.of(), BOUND)).singleElement()
                .satisfies(v -> assertThat(v.detail()).contains("was gone"));
    }

    @Test
    void anEarlyDeathSeenByAWatcherIsCaught() {
        List<WatchEvent> evs = List.of(new WatchEvent(1, 0, 3, "l", WatchEvent.Type.DELETE, null, 0, 4 * S));
        assertThat(LeaseSafety.check(leased().ops(), evs, BOUND)).singleElement()
                .satisfies(v -> assertThat(v.detail()).contains("deleted"));
    }

    @Test
    void aKeyThatOutlivesItsLeaseBeyondTheBoundIsCaught() {
        H h = leased().get(1, "l", "v1", 2, 16 * S, 16 * S + 1, 2);
        assertThat(LeaseSafety.check(h.ops(), List.of(), BOUND)).singleElement()
                .satisfies(v -> assertThat(v.detail()).contains("still read"));
    }

    @Test
    void aKeyStillThereWithinTheBoundPasses() {
        H h = leased().get(1, "l", "v1", 2, 14 * S, 14 * S + 1, 2);
        assertThat(LeaseSafety.check(h.ops(), List.of(), BOUND)).isEmpty();
    }

    // --- keep-alives: lease 7 (ttl 10 s) kept alive at 8 s, answered ttl 10 at 8.1 s

    private static H keptAlive() {
        return leased().add(Op.leaseKeepAlive(3, 1, 7, 10, 8 * S, 8 * S + S / 10));
    }

    @Test
    void aKeyKeptAlivePastItsFirstTtlPasses() {
        H h = keptAlive().get(1, "l", "v1", 2, 17 * S, 17 * S + 1, 2).get(1, "l", null, 0, 20 * S, 20 * S + 1, 3);
        List<WatchEvent> evs = List.of(new WatchEvent(1, 0, 3, "l", WatchEvent.Type.DELETE, null, 0, 19 * S));
        assertThat(LeaseSafety.check(h.ops(), evs, BOUND)).isEmpty();
    }

    @Test
    void aKeyGoneWhileAKeepAliveStillHoldsItsLeaseIsCaught() {
        // dead at 15 s although the keep-alive at 8 s kept the lease until at least 18 s
        H h = keptAlive().get(1, "l", null, 0, 15 * S, 15 * S + 1, 3);
        assertThat(LeaseSafety.check(h.ops(), List.of(), BOUND)).singleElement()
                .satisfies(v -> assertThat(v.detail()).contains("was gone"));
    }

    @Test
    void aDeleteEventWhileAKeepAliveStillHoldsItsLeaseIsCaught() {
        List<WatchEvent> evs = List.of(new WatchEvent(1, 0, 3, "l", WatchEvent.Type.DELETE, null, 0, 12 * S));
        assertThat(LeaseSafety.check(keptAlive().ops(), evs, BOUND)).singleElement()
                .satisfies(v -> assertThat(v.detail()).contains("deleted"));
    }

    @Test
    void aKeepAliveAnsweringNotFoundBeforeTheLeaseCouldExpireIsCaught() {
        H h = keptAlive().add(Op.leaseKeepAlive(4, 1, 7, 0, 12 * S, 12 * S + 1));
        assertThat(LeaseSafety.check(h.ops(), List.of(), BOUND)).singleElement()
                .satisfies(v -> assertThat(v.detail()).contains("was not found"));
    }

    @Test
    void aKeyThatOutlivesItsLastKeepAliveBeyondTheBoundIsCaught() {
        // last refresh by 8.1 s, ttl 10 s, bound 5 s: a read invoked at 24 s must not see it
        H h = keptAlive().get(1, "l", "v1", 2, 24 * S, 24 * S + 1, 2);
        assertThat(LeaseSafety.check(h.ops(), List.of(), BOUND)).singleElement()
                .satisfies(v -> assertThat(v.detail()).contains("still read"));
    }

    @Test
    void aKeepAliveWhoseAnswerWasLostMayHaveRefreshedTheLease() {
        H h = keptAlive().add(Op.leaseKeepAlive(4, 1, 7, 0, 12 * S, 0).indeterminate())
                .get(1, "l", "v1", 2, 24 * S, 24 * S + 1, 2);
        assertThat(LeaseSafety.check(h.ops(), List.of(), BOUND)).isEmpty();
    }
}
