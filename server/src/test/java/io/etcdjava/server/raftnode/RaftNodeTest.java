package io.etcdjava.server.raftnode;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.Peer;
import io.etcdjava.raft.RaftLogger;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.EntryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class RaftNodeTest {
    static final RaftLogger PRINT = new RaftLogger() {
        public void info(String m) { System.err.println("I " + m); }
        public void warn(String m) { System.err.println("W " + m); }
        public void debug(java.util.function.Supplier<String> m) { }
    };
    @TempDir
    Path dir;

    /** Records applied normal entries; "durable" is everything applied (an in-memory backend). */
    static final class RecordingApplier implements Applier {
        final List<String> applied = Collections.synchronizedList(new ArrayList<>());
        volatile long consistentIndex;
        volatile long lastApplied;

        RecordingApplier(long consistentIndex) {
            this.consistentIndex = consistentIndex;
        }

        @Override
        public void apply(List<Entry> committed) {
            for (Entry e : committed) {
                if (e.getIndex() <= consistentIndex) {
                    continue; // applied before the restart
                }
                if (e.getType() == EntryType.EntryNormal && !e.getData().isEmpty()) {
                    applied.add(e.getData().toStringUtf8());
                }
                lastApplied = e.getIndex();
            }
        }

        @Override
        public long forceCommit() {
            consistentIndex = Math.max(consistentIndex, lastApplied);
            return consistentIndex;
        }
    }

    private RaftNodeConfig config(long snapshotCount) {
        return config(snapshotCount, nanos -> { });
    }

    private RaftNodeConfig config(long snapshotCount, LongConsumer fsyncObserver) {
        return new RaftNodeConfig(1, 77, List.of(Peer.of(1)), dir.resolve("member/wal"), dir.resolve("member/snap"),
                Duration.ofMillis(10), 10, snapshotCount, 5,
                true, RaftLogger.NOOP, fsyncObserver);
    }

    private static void proposeAndWait(RaftNode node, RecordingApplier applier, String... values) throws Exception {
        node.leaderKnown().get(10, TimeUnit.SECONDS);
        List<CompletableFuture<Void>> accepted = new ArrayList<>();
        for (String v : values) {
            accepted.add(node.propose(ByteString.copyFromUtf8(v)));
        }
        CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        node.linearizableBarrier().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aLoneMemberElectsItselfAndAppliesProposalsInOrder() throws Exception {
        RecordingApplier applier = new RecordingApplier(0);
        try (RaftNode node = RaftNode.start(config(1000), applier, Transport.NONE)) {
            proposeAndWait(node, applier, "a", "b", "c");
            assertThat(applier.applied).containsExactly("a", "b", "c");
            assertThat(node.status().hasLeader()).isTrue();
            assertThat(node.status().leader()).isEqualTo(1);
        }
    }

    @Test
    void aRestartReplaysTheWalAndSkipsWhatTheBackendAlreadyHas() throws Exception {
        RecordingApplier first = new RecordingApplier(0);
        try (RaftNode node = RaftNode.start(config(1000), first, Transport.NONE)) {
            proposeAndWait(node, first, "a", "b");
            first.forceCommit();
            proposeAndWait(node, first, "c");
        }
        // The backend durably holds a and b (its consistent index), but not c.
        long durable = first.consistentIndex;
        RecordingApplier second = new RecordingApplier(durable);
        try (RaftNode node = RaftNode.start(config(1000), second, Transport.NONE)) {
            assertThat(node.memberId()).isEqualTo(1);
            assertThat(node.clusterId()).isEqualTo(77);
            proposeAndWait(node, second, "d");
            assertThat(second.applied).containsExactly("c", "d");
        }
    }

    @Test
    void snapshotsReleaseOldWalSegmentsAndARestartStartsFromTheNewestSnapshot() throws Exception {
        RecordingApplier applier = new RecordingApplier(0);
        try (RaftNode node = RaftNode.start(config(20), applier, Transport.NONE)) {
            for (int i = 0; i < 100; i++) {
                proposeAndWait(node, applier, "v" + i);
            }
        }
        try (Stream<Path> snaps = Files.list(dir.resolve("member/snap"))) {
            assertThat(snaps.filter(p -> p.toString().endsWith(".snap")).count()).isBetween(1L, 5L);
        }
        RecordingApplier again = new RecordingApplier(applier.consistentIndex);
        try (RaftNode node = RaftNode.start(config(20), again, Transport.NONE)) {
            proposeAndWait(node, again, "after");
            assertThat(again.applied).endsWith("after");
            assertThat(again.applied).doesNotContain("v0");
        }
    }

    @Test
    void concurrentLinearizableReadsAllComplete() throws Exception {
        RecordingApplier applier = new RecordingApplier(0);
        try (RaftNode node = RaftNode.start(config(1000), applier, Transport.NONE)) {
            proposeAndWait(node, applier, "x");
            List<CompletableFuture<Long>> reads = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                reads.add(node.readIndex());
            }
            for (CompletableFuture<Long> r : reads) {
                assertThat(r.get(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(node.appliedIndex() - 1);
            }
        }
    }

    @Test
    void aTaskAtTheAppliedStateSeesEverythingAppliedDurablyAndGetsThatStatesMetadata() throws Exception {
        RecordingApplier applier = new RecordingApplier(0);
        // A small snapshot count: raft's own snapshot falls behind what is applied (etcd's merged snapshot case).
        try (RaftNode node = RaftNode.start(config(3), applier, Transport.NONE)) {
            proposeAndWait(node, applier, "a", "b", "c", "d", "e");
            long[] seen = new long[2];
            var meta = node.atAppliedState(() -> {
                seen[0] = applier.lastApplied;
                seen[1] = applier.consistentIndex;
            }).get(10, TimeUnit.SECONDS);
            assertThat(meta.getIndex()).isEqualTo(node.appliedIndex()).isEqualTo(seen[0]);
            assertThat(seen[1]).as("durable before the action runs").isEqualTo(seen[0]);
            assertThat(meta.getTerm()).isEqualTo(node.status().term());
            assertThat(meta.getConfState().getVotersList()).containsExactly(1L);
        }
    }

    @Test
    void committedEntriesAreAppliedWhileTheNextEntriesAreStillBeingPersisted() throws Exception {
        RecordingApplier applier = new RecordingApplier(0);
        AtomicBoolean armed = new AtomicBoolean();
        AtomicInteger armedFsyncs = new AtomicInteger();
        CountDownLatch aPersisting = new CountDownLatch(1);
        CountDownLatch bProposed = new CountDownLatch(1);
        CompletableFuture<Boolean> aAppliedDuringBsFsync = new CompletableFuture<>();
        // Runs on the raft loop right after each fsync, inside the save of a Ready.
        LongConsumer observer = nanos -> {
            if (!armed.get()) {
                return;
            }
            int n = armedFsyncs.incrementAndGet();
            try {
                if (n == 1) { // a's entry: hold the loop until b waits in the inbox
                    aPersisting.countDown();
                    bProposed.await(10, TimeUnit.SECONDS);
                } else if (n == 2) { // the Ready with b's entry, and a committed
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (!applier.applied.contains("a") && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    aAppliedDuringBsFsync.complete(applier.applied.contains("a"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (RaftNode node = RaftNode.start(config(1000, observer), applier, Transport.NONE)) {
            proposeAndWait(node, applier, "warm-up");
            armed.set(true);
            CompletableFuture<Void> a = node.propose(ByteString.copyFromUtf8("a"));
            assertThat(aPersisting.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> b = node.propose(ByteString.copyFromUtf8("b"));
            bProposed.countDown();
            CompletableFuture.allOf(a, b).get(10, TimeUnit.SECONDS);
            assertThat(aAppliedDuringBsFsync.get(10, TimeUnit.SECONDS))
                    .as("a, committed, reached the apply thread before b's fsync returned").isTrue();
            node.linearizableBarrier().get(10, TimeUnit.SECONDS);
            assertThat(applier.applied).containsExactly("warm-up", "a", "b");
        }
    }

    @Test
    void proposalsAfterCloseFailWithServerStopped() throws Exception {
        RecordingApplier applier = new RecordingApplier(0);
        RaftNode node = RaftNode.start(config(1000), applier, Transport.NONE);
        node.close();
        assertThat(node.propose(ByteString.copyFromUtf8("late"))).isCompletedExceptionally();
    }
}
