package io.etcdjava.server.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.internal.InternalRaftRequest;
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
 * Two members' lessors on one manual clock: the leader's proposals wait in a raft "log" until the
 * test commits them to both members, so a leader can die with an entry it proposed never committed.
 */
@Timeout(30)
class LessorLeaderChangeTest {
    private static final long SEC = 1_000_000_000L;
    /** Election timeout 1 s, checkpoints every 1 s: the defaults of a member with etcd's defaults. */
    private static final LessorConfig CONFIG = LessorConfig.defaults(Duration.ofSeconds(1));

    @TempDir
    Path dir;

    private long now = 1_000 * SEC;
    private long leaderTerm = 1;
    private long followerTerm;
    private long index;
    private MvccStore leaderMvcc;
    private MvccStore followerMvcc;
    private LeaseStore leaderStore;
    private LeaseStore followerStore;
    private Lessor leader;
    private Lessor follower;
    /** Proposed, not yet committed. */
    private final List<InternalRaftRequest> log = new ArrayList<>();
    private final List<CompletableFuture<Object>> waiting = new ArrayList<>();
    private final List<Long> followerRevokes = new ArrayList<>();

    @BeforeEach
    void setUp() {
        leaderMvcc = MvccStore.open(dir.resolve("leader"));
        followerMvcc = MvccStore.open(dir.resolve("follower"));
        leaderStore = LeaseStore.open(leaderMvcc, 1, new LeaseMetrics());
        followerStore = LeaseStore.open(followerMvcc, 1, new LeaseMetrics());
        leader = new Lessor(leaderStore, CONFIG, this::propose, () -> leaderTerm, () -> now, leaderStore.metrics());
        follower = new Lessor(followerStore, CONFIG, b -> {
            InternalRaftRequest r = b.build();
            if (r.hasLeaseRevoke()) {
                followerRevokes.add(r.getLeaseRevoke().getID());
            }
            return new CompletableFuture<>();
        }, () -> followerTerm, () -> now, followerStore.metrics());
    }

    @AfterEach
    void tearDown() throws Exception {
        leader.close();
        follower.close();
        leaderMvcc.close();
        followerMvcc.close();
    }

    private synchronized CompletableFuture<Object> propose(InternalRaftRequest.Builder b) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        log.add(b.build());
        waiting.add(f);
        return f;
    }

    /** Commits and applies on both members everything proposed so far. */
    private void commit() {
        List<InternalRaftRequest> entries;
        List<CompletableFuture<Object>> done;
        synchronized (this) {
            entries = new ArrayList<>(log);
            done = new ArrayList<>(waiting);
            log.clear();
            waiting.clear();
        }
        for (InternalRaftRequest r : entries) {
            index++;
            for (LeaseStore s : List.of(leaderStore, followerStore)) {
                if (r.hasLeaseCheckpoint()) {
                    s.checkpoint(r.getLeaseCheckpoint(), index, 1);
                } else {
                    throw new AssertionError("unexpected proposal " + r);
                }
            }
        }
        done.forEach(f -> f.complete(Boolean.TRUE));
    }

    /** The lessor thread proposes clears; wait until one is in the log. */
    private void awaitProposal() throws InterruptedException {
        long until = System.nanoTime() + 5 * SEC;
        while (System.nanoTime() < until) {
            synchronized (this) {
                if (!log.isEmpty()) {
                    return;
                }
            }
            Thread.sleep(1);
        }
        throw new AssertionError("nothing proposed");
    }

    private void advance(double seconds) {
        now += (long) (seconds * SEC);
        leader.tick();
        follower.tick();
    }

    @Test
    void aRenewalIsNotAcknowledgedWhileTheFollowersCouldStillExpireTheLeaseEarly() throws Exception {
        advance(0);
        index++;
        for (LeaseStore s : List.of(leaderStore, followerStore)) {
            s.grant(LeaseGrantRequest.newBuilder().setID(1).setTTL(10).build(), index, 1);
        }
        advance(0.01);
        // A renewal right after the grant rides on the grant: answered without raft.
        assertThat(leader.renew(1).get(5, TimeUnit.SECONDS)).isEqualTo(10L);
        assertThat(log).isEmpty();
        advance(1.0);
        assertThat(log).as("checkpoint of the remainder proposed").isNotEmpty();
        commit();
        // Renewed through raft: the checkpointed remainder is cleared first.
        advance(0.1);
        CompletableFuture<Long> cleared = leader.renew(1);
        awaitProposal();
        commit();
        assertThat(cleared.get(5, TimeUnit.SECONDS)).isEqualTo(10);
        long clearedAt = now;

        // Raft gets stuck, and a renewal comes in well past half an election timeout later.
        advance(1.0);
        advance(0.8);
        CompletableFuture<Long> renewal = leader.renew(1);
        long renewedAt = now;
        // Answered from memory, or a clear proposed (which never commits).
        long until = System.nanoTime() + 5 * SEC;
        while (!renewal.isDone() && System.nanoTime() < until) {
            synchronized (this) {
                if (!log.isEmpty()) {
                    break;
                }
            }
            Thread.sleep(1);
        }
        boolean acknowledged = renewal.isDone();

        // The leader dies with nothing of that committed; the follower takes over.
        leaderTerm = 0;
        followerTerm = 2;
        advance(0.1);
        long keptUntil = acknowledged ? renewedAt + 10 * SEC : clearedAt + 10 * SEC;
        while (now < keptUntil) {
            advance(0.05);
            assertThat(followerRevokes).as("revoked %.2f s before the deadline of an acknowledged renewal",
                    (keptUntil - now) / 1e9).isEmpty();
        }
        assertThat(acknowledged).as("the renewal was answered before anything recorded it").isFalse();
    }
}
