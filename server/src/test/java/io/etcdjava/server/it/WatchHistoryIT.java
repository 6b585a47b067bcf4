package io.etcdjava.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.api.etcdserverpb.CompactionRequest;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.MaintenanceGrpc;
import io.etcdjava.api.etcdserverpb.StatusRequest;
import io.etcdjava.server.it.HistoryEvent.KeyRange;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 5's randomized watch check on a 3-member cluster of our processes: concurrent writers (put,
 * delete, txn, one compaction) and many watchers spread over the members (followers serve watches
 * from their local store) and over start revisions. Midway the leader is killed (leader change)
 * and a follower is restarted; every watcher on a broken stream resumes elsewhere at its last
 * revision + 1, as clients do, and a watcher cancelled for compaction resumes at the compact
 * revision. In the end every watcher's events equal the history of its range from its start
 * revision: no gap, no duplicate, no reordering. The history is what the writers' responses say
 * ({@link HistoryWriters}), checked against what the store gives back revision by revision
 * ({@link WatchHistoryCheck}); the watchers are {@link WatcherFleet}'s.
 *
 * <p>Sizes: {@code -Dwatch.it.watchers} (default 1,000), {@code -Dwatch.it.writes} per phase
 * (default 150), {@code -Dwatch.it.seed} to replay a failed run's choices (the seed is printed and
 * named in every failure; thread interleavings are not replayed).
 */
@Timeout(600)
class WatchHistoryIT {
    private static final int WATCHERS = Integer.getInteger("watch.it.watchers", 1000);
    private static final int WRITES = Integer.getInteger("watch.it.writes", 150);
    private static final long SEED = Long.getLong("watch.it.seed", System.nanoTime());

    private ProcessCluster cluster;
    private List<EtcdProcess> members = List.of();
    private final ManagedChannel[] channels = new ManagedChannel[3];
    private final Random random = new Random(SEED);
    private final long began = System.nanoTime();

    @Test
    void everyWatcherSeesItsRangesHistoryExactlyOnceInOrderAcrossLeaderChangeAndRestart() throws Exception {
        System.out.println("WatchHistoryIT seed " + SEED + " watchers " + WATCHERS + " writes/phase " + WRITES);
        try {
            run();
        } catch (Throwable t) {
            throw new AssertionError("WatchHistoryIT failed with seed " + SEED + " (replay the choices with -Dwatch.it.seed="
                    + SEED + "): " + t.getMessage(), t);
        } finally {
            phase("done");
        }
    }

    private void run() throws Exception {
        Path dir = EtcdProcess.workDir("WatchHistoryIT");
        WatcherFleet fleet = null;
        try {
            // A member exiting at start fails the test here, with its log.
            cluster = ProcessCluster.start(dir, "w", 3, "watch-it", false);
            members = cluster.members();
            for (int i = 0; i < 3; i++) {
                channels[i] = NettyChannelBuilder.forAddress("127.0.0.1", members.get(i).clientPort).usePlaintext()
                        .maxInboundMessageSize(64 << 20).build();
            }
            phase("cluster ready");
            HistoryWriters writers = new HistoryWriters(channels, m -> members.get(m).isAlive());
            long base = writers.writeBase(0); // watchers from revision 1 see it

            // Phase 1: writers race the creation of the watchers (start revisions 1..now).
            fleet = new WatcherFleet(channels, this::liveMember, SEED + 1);
            Thread w1 = writers.start(0, WRITES / 2, random.nextLong());
            Thread w2 = writers.start(1, WRITES / 2, random.nextLong());
            for (int i = 0; i < WATCHERS; i++) {
                long now = writers.maxWritten();
                long start = random.nextInt(4) == 0 ? 0 : 1 + random.nextLong(now + 1);
                fleet.add(i, randomRange(), start, i % 3);
            }
            w1.join();
            w2.join();
            phase("watchers created, phase 1 written");
            long compactAt = writers.maxWritten() - WRITES / 4;
            kv(leader()).compact(CompactionRequest.newBuilder().setRevision(compactAt).setPhysical(true).build());

            // Phase 2: more writes, then kill -9 the leader; the survivors elect another.
            writers.run(WRITES, random);
            phase("phase 2 written");
            int oldLeader = leader();
            members.get(oldLeader).kill9();
            fleet.memberDown(oldLeader);
            awaitLeaderAmongSurvivors();
            phase("new leader");
            writers.run(WRITES, random);

            // Phase 3: the old leader comes back; a follower restarts (its watchers resume elsewhere).
            members.get(oldLeader).restart();
            fleet.memberUp(oldLeader);
            phase("old leader back");
            int leader = leader();
            int follower = (oldLeader + 1) % 3 == leader ? (oldLeader + 2) % 3 : (oldLeader + 1) % 3;
            members.get(follower).terminate(Duration.ofSeconds(30));
            fleet.memberDown(follower);
            members.get(follower).restart();
            fleet.memberUp(follower);
            phase("follower restarted");
            writers.run(WRITES, random);

            assertThat(writers.problems()).as("every write answered, each with its own revision").isEmpty();
            phase("phase 3 written");
            WatchHistoryCheck check = new WatchHistoryCheck(writers.history());
            check.historyIsContiguous(base);
            check.storeAgrees(kv(leader()), compactAt);
            phase("store agrees");
            check.awaitCaughtUp(fleet.watchers(), 120);
            assertThat(fleet.problems()).as("no watch cancelled but for compaction").isEmpty();
            check.watchersSawHistory(fleet.watchers());
        } finally {
            if (fleet != null) {
                fleet.close();
            }
            for (ManagedChannel c : channels) {
                if (c != null) {
                    c.shutdownNow();
                }
            }
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    private void phase(String what) {
        System.out.printf("WatchHistoryIT seed %d at %.1f s: %s%n", SEED, (System.nanoTime() - began) / 1e9, what);
    }

    private KeyRange randomRange() {
        int keys = HistoryWriters.KEYS;
        int kind = random.nextInt(3);
        if (kind == 0) {
            return new KeyRange(HistoryWriters.key(random.nextInt(keys)), null);
        }
        if (kind == 1) {
            return new KeyRange(HistoryWriters.PREFIX, HistoryWriters.PREFIX_END); // the whole prefix
        }
        int a = random.nextInt(keys);
        int b = a + 1 + random.nextInt(keys - a);
        return new KeyRange(HistoryWriters.key(a), b == keys ? HistoryWriters.PREFIX_END : HistoryWriters.key(b));
    }

    private int liveMember(int preferred) {
        for (int i = 0; i < 3; i++) {
            int m = (preferred + i) % 3;
            if (members.get(m).isAlive()) {
                return m;
            }
        }
        throw new IllegalStateException("no member alive");
    }

    /** Waits until the live members agree on a leader, without writing (a write would enter the history). */
    private void awaitLeaderAmongSurvivors() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                leader();
                return;
            } catch (RuntimeException e) {
                assertThat(System.nanoTime()).as("a new leader within 60 s: %s", e).isLessThan(deadline);
            }
            Thread.sleep(100);
        }
    }

    /** The index of the member every live member names as leader. */
    private int leader() {
        Long leaderId = null;
        Map<Long, Integer> byId = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            if (!members.get(i).isAlive()) {
                continue;
            }
            var s = MaintenanceGrpc.newBlockingStub(channels[i]).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .status(StatusRequest.getDefaultInstance());
            byId.put(s.getHeader().getMemberId(), i);
            if (s.getLeader() == 0 || (leaderId != null && leaderId != s.getLeader())) {
                throw new IllegalStateException("no agreed leader");
            }
            leaderId = s.getLeader();
        }
        Integer idx = byId.get(leaderId);
        if (idx == null) {
            throw new IllegalStateException("leader not among live members");
        }
        return idx;
    }

    private KVGrpc.KVBlockingStub kv(int m) {
        return KVGrpc.newBlockingStub(channels[m]).withDeadlineAfter(20, TimeUnit.SECONDS);
    }
}
