package io.etcdjava.server.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.internal.InternalRaftRequest;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.mvcc.MvccStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #6: keep-alives the lessor used to leave unanswered forever. A manual clock; the test ticks
 * the lessor itself, and may hold the lessor thread inside a checkpoint proposal to choose which
 * caller takes in an applied revoke.
 */
@Timeout(60)
class LessorKeepAliveRegressionTest {
    private static final long SEC = 1_000_000_000L;

    @TempDir
    Path dir;

    private MvccStore mvcc;
    private LeaseStore leases;
    private Lessor lessor;
    private long now = 1_000 * SEC;
    private long index;
    /** Counted down when the lessor thread is inside a checkpoint proposal. */
    private final CountDownLatch proposing = new CountDownLatch(1);
    /** Lets that proposal return. */
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void setUp() {
        mvcc = MvccStore.open(dir.resolve("db"));
        leases = LeaseStore.open(mvcc, 1, new LeaseMetrics());
        lessor = new Lessor(leases, LessorTest.CONFIG, this::propose, () -> 1, () -> now, leases.metrics());
    }

    @AfterEach
    void tearDown() throws Exception {
        release.countDown();
        lessor.close();
        mvcc.close();
    }

    /** Checkpoints (the clears of renewals) hold the proposing thread until released, then apply. */
    private CompletableFuture<Object> propose(InternalRaftRequest.Builder b) {
        InternalRaftRequest r = b.build();
        if (!r.hasLeaseCheckpoint()) {
            return CompletableFuture.failedFuture(new AssertionError("unexpected proposal " + r));
        }
        proposing.countDown();
        try {
            if (!release.await(30, TimeUnit.SECONDS)) {
                return CompletableFuture.failedFuture(new AssertionError("never released"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        }
        synchronized (this) {
            leases.checkpoint(r.getLeaseCheckpoint(), ++index, 1);
        }
        return CompletableFuture.completedFuture(Boolean.TRUE);
    }

    private synchronized void grant(long id, long ttl) {
        leases.grant(LeaseGrantRequest.newBuilder().setID(id).setTTL(ttl).build(), ++index, 1);
    }

    private static EtcdError errorOf(CompletableFuture<Long> renewal) {
        assertThat(renewal).failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(EtcdException.class);
        return ((EtcdException) renewal.handle((v, err) -> err).join()).error();
    }

    @Test
    void aKeepAliveWaitingForARevokeIsAnsweredWhenTimeToLiveTakesTheRevokeIn() throws Exception {
        grant(1, 1);
        grant(2, 10);
        lessor.tick();
        now += 2 * SEC;
        // Lease 1 expired: its keep-alive waits for the revoke. Lease 2 was last restarted through
        // raft 2 s ago (more than half an election timeout): its keep-alive proposes a clear, which
        // holds the lessor thread, so the drain the revoke schedules cannot run before timeToLive.
        CompletableFuture<Long> expired = lessor.renew(1);
        CompletableFuture<Long> live = lessor.renew(2);
        assertThat(proposing.await(10, TimeUnit.SECONDS)).as("the lessor thread proposes the clear").isTrue();
        assertThat(expired).isNotDone();
        synchronized (this) {
            leases.revoke(1, ++index, 1);
        }
        assertThat(lessor.timeToLive(1, false)).isEmpty();
        release.countDown();
        assertThat(live.get(10, TimeUnit.SECONDS)).isEqualTo(10);
        assertThat(errorOf(expired)).isEqualTo(EtcdError.LEASE_NOT_FOUND);
    }

    @Test
    void everyKeepAliveAfterCloseFailsWithServerStopped() throws Exception {
        grant(1, 10);
        lessor.tick();
        lessor.close();
        List<CompletableFuture<Long>> renewals = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            renewals.add(lessor.renew(1));
        }
        // First that each is answered at all (the bug: all but the first waited forever), then how.
        for (int i = 0; i < renewals.size(); i++) {
            assertThat(renewals.get(i)).as("keep-alive %d after close", i).failsWithin(10, TimeUnit.SECONDS)
                    .withThrowableOfType(ExecutionException.class);
        }
        for (CompletableFuture<Long> r : renewals) {
            assertThat(errorOf(r)).isEqualTo(EtcdError.STOPPED);
        }
    }
}
