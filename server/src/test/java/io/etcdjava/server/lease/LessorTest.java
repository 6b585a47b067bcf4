package io.etcdjava.server.lease;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.internal.InternalRaftRequest;
import io.etcdjava.server.apply.KvApplier;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.mvcc.MvccStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader's lessor on a manual clock: proposals are recorded and applied at once (a member
 * whose raft commits instantly), and the test drives {@link Lessor#tick()} itself.
 */
@Timeout(30)
class LessorTest {
    private static final long SEC = 1_000_000_000L;
    /** The lessor settings of the manual-clock tests (this one and LessorKeepAliveRegressionTest). */
    static final LessorConfig CONFIG = new LessorConfig(Duration.ofMillis(500), Duration.ofMillis(50), 2,
            Duration.ofSeconds(1), Duration.ofSeconds(3));

    @TempDir
    Path dir;

    private MvccStore mvcc;
    private LeaseStore leases;
    private Lessor lessor;
    private long now = 1_000 * SEC;
    private long term = 1;
    private long index;
    private final List<InternalRaftRequest> proposed = new ArrayList<>();

    @BeforeEach
    void setUp() {
        mvcc = MvccStore.open(dir.resolve("db"));
        leases = LeaseStore.open(mvcc, 1, new LeaseMetrics());
        lessor = new Lessor(leases, CONFIG, this::applyNow, () -> term, () -> now, leases.metrics());
    }

    @AfterEach
    void tearDown() throws Exception {
        lessor.close();
        mvcc.close();
    }

    private CompletableFuture<Object> applyNow(InternalRaftRequest.Builder b) {
        InternalRaftRequest r = b.build();
        proposed.add(r);
        try {
            if (r.hasLeaseRevoke()) {
                return CompletableFuture.completedFuture(leases.revoke(r.getLeaseRevoke().getID(), ++index, 1));
            }
            if (r.hasLeaseCheckpoint()) {
                leases.checkpoint(r.getLeaseCheckpoint(), ++index, 1);
                return CompletableFuture.completedFuture(Boolean.TRUE);
            }
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
        throw new AssertionError("unexpected proposal " + r);
    }

    private void grant(long id, long ttl) {
        leases.grant(LeaseGrantRequest.newBuilder().setID(id).setTTL(ttl).build(), ++index, 1);
    }

    private void advance(double seconds) {
        now += (long) (seconds * SEC);
        lessor.tick();
    }

    private long revokes() {
        return proposed.stream().filter(InternalRaftRequest::hasLeaseRevoke).count();
    }

    @Test
    void anExpiredLeaseIsRevokedThroughRaftWithItsKeys() {
        lessor.tick();
        grant(1, 5);
        new KvApplier(mvcc, leases).put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
                .setLease(1).build(), ++index, 1);
        advance(0.1);
        advance(4.8);
        assertThat(revokes()).isZero();
        advance(0.2);
        assertThat(revokes()).isEqualTo(1);
        assertThat(leases.exists(1)).isFalse();
        assertThat(mvcc.keysTotal()).isZero();
    }

    @Test
    void revokesAreRateLimited() {
        lessor.tick();
        for (int i = 1; i <= 6; i++) {
            grant(i, 1);
        }
        advance(0.01);
        advance(1.0);
        // 2 per second: a tick's bucket holds at most one.
        assertThat(revokes()).isEqualTo(1);
        for (int i = 0; i < 20; i++) {
            advance(0.05);
        }
        assertThat(revokes()).isBetween(2L, 3L);
        for (int i = 0; i < 50; i++) {
            advance(0.05);
        }
        assertThat(revokes()).isEqualTo(6);
    }

    @Test
    void aKeepAliveRestartsTheClockAtTheFullTtl() throws Exception {
        lessor.tick();
        grant(1, 3);
        advance(0.01);
        for (int i = 0; i < 10; i++) {
            advance(2);
            assertThat(lessor.renew(1).get(1, TimeUnit.SECONDS)).isEqualTo(3);
        }
        assertThat(revokes()).isZero();
        assertThat(lessor.timeToLive(1, false).orElseThrow().remaining()).isEqualTo(3);
        assertThat(leases.metrics().renewedTotal()).isEqualTo(10);
    }

    @Test
    void remainingTtlsAreCheckpointedAndARenewalClearsTheCheckpoint() throws Exception {
        lessor.tick();
        grant(1, 10);
        advance(0.01);
        advance(3.5);
        assertThat(leases.lookup(1).orElseThrow().remainingTtl()).isEqualTo(7);
        lessor.renew(1).get(1, TimeUnit.SECONDS);
        // The clear is proposed on the lessor thread; wait for it rather than for time.
        long deadline = System.nanoTime() + 5 * SEC;
        while (leases.lookup(1).orElseThrow().remainingTtl() != 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(leases.lookup(1).orElseThrow().remainingTtl()).isZero();
    }

    @Test
    void aNewLeaderStartsFromTheDeadlineItSawAppliedPlusOneElectionTimeout() {
        lessor.tick();
        grant(1, 10);
        advance(0.01);
        advance(4.2);
        assertThat(leases.lookup(1).orElseThrow().remainingTtl()).isEqualTo(6);
        term = 0;
        advance(2);
        assertThat(revokes()).as("a follower revokes nothing").isZero();
        term = 2;
        lessor.tick();
        // Granted (applied) at t=0: deadline 10.0 — the checkpoint of 6 s applied at t=4.21 only
        // proves "after 9.21" — plus 0.5 s; now is t=6.21, not reset to 10.
        assertThat(lessor.timeToLive(1, false).orElseThrow().remaining()).isEqualTo(4);
        advance(4.2);
        assertThat(revokes()).isZero();
        advance(0.15);
        assertThat(revokes()).isEqualTo(1);
    }

    @Test
    void aLeaseOverdueWhileThereWasNoLeaderGetsOneElectionTimeoutFromTheNewLeader() {
        lessor.tick();
        grant(1, 5);
        advance(0.01);
        term = 0;
        advance(30);
        term = 2;
        lessor.tick();
        assertThat(revokes()).isZero();
        advance(0.4);
        assertThat(revokes()).isZero();
        advance(0.2);
        assertThat(revokes()).isEqualTo(1);
    }

    @Test
    void withoutAnAppliedDeadlineANewLeaderStartsFromTheCheckpointedRemainder() {
        grant(1, 10);
        leases.checkpoint(io.etcdjava.api.etcdserverpb.LeaseCheckpointRequest.newBuilder()
                .addCheckpoints(io.etcdjava.api.etcdserverpb.LeaseCheckpoint.newBuilder().setID(1).setRemainingTTL(6))
                .build(), ++index, 1);
        // A fresh lessor over the same store: what a full restart sees.
        Lessor restarted = new Lessor(leases, CONFIG, this::applyNow, () -> term, () -> now, leases.metrics());
        try {
            assertThat(restarted.timeToLive(1, false).orElseThrow().remaining()).isEqualTo(6);
        } finally {
            lessor = restarted;
        }
    }

    @Test
    void aFollowerSendsKeepAlivesAndTimeToLiveToTheLeader() {
        term = 0;
        grant(1, 10);
        assertThat(lessor.renew(1)).failsWithin(1, TimeUnit.SECONDS)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(NotPrimaryException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> lessor.timeToLive(1, false))
                .isInstanceOf(NotPrimaryException.class);
    }

    @Test
    void aKeepAliveWaitingForARevokeIsSentToTheNewLeaderWhenLeadershipIsLost() throws Exception {
        List<CompletableFuture<Object>> held = new ArrayList<>();
        lessor.close();
        lessor = new Lessor(leases, CONFIG, b -> {
                    CompletableFuture<Object> f = new CompletableFuture<>();
                    held.add(f);
                    return f;
                }, () -> term, () -> now, leases.metrics()).start();
        grant(1, 1);
        lessor.leases();
        now += 2 * SEC;
        CompletableFuture<Long> renewal = lessor.renew(1);
        assertThat(renewal).isNotDone();
        term = 0;
        lessor.leases();
        assertThat(renewal).failsWithin(5, TimeUnit.SECONDS)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(NotPrimaryException.class);
    }

    @Test
    void expiryScansOnlyDueLeases() {
        lessor.tick();
        for (int i = 1; i <= 5000; i++) {
            grant(i, 100 + i);
        }
        advance(0.01);
        advance(101.5);
        // Rate 2/s: the bucket holds one; only lease 1 is due anyway.
        assertThat(revokes()).isEqualTo(1);
        assertThat(leases.exists(1)).isFalse();
        assertThat(leases.exists(2)).isTrue();
    }

    @Test
    void leasesAreListedSoonestExpiryFirst() {
        lessor.tick();
        grant(1, 30);
        grant(2, 10);
        grant(3, 20);
        advance(0.01);
        assertThat(lessor.leases()).containsExactly(2L, 3L, 1L);
    }
}
