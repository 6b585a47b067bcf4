package io.etcdjava.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.mvccpb.KeyValue;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.server.it.EtcdProcess.Kind;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3, crash safety: concurrent writers put unique keys into our member process and record
 * every put it acknowledged; the process gets SIGKILL mid-stream, restarts on the same data dir, and
 * must still hold every acknowledged key with its value at the acknowledged revision, keep its
 * revisions moving forward, and take new writes. A few rounds, each killed at a random point.
 */
@Timeout(150)
class KillDashNineIT {
    private static final int WRITERS = 4;
    private static final int MAX_ROUNDS = 3;
    /** No new round starts after this much time (the first always runs). */
    private static final Duration ROUNDS_BUDGET = Duration.ofSeconds(30);
    private static final String PREFIX = "kill9/";

    /** A put the member answered: it must survive any crash from then on. */
    record Acked(String key, String value, long revision) {
    }

    @Test
    void everyAcknowledgedPutSurvivesKillDashNine() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<Acked> acked = new ArrayList<>();
        try (EtcdProcess member = EtcdProcess.start(Kind.OURS, EtcdProcess.workDir("KillDashNineIT"))) {
            long started = System.nanoTime();
            for (int round = 0; round < MAX_ROUNDS; round++) {
                if (round > 0 && System.nanoTime() - started > ROUNDS_BUDGET.toNanos()) {
                    break;
                }
                int killAfterAcks = 20 + random.nextInt(400);
                String context = "seed " + seed + ", round " + round + ", kill after " + killAfterAcks
                        + " acks; member log " + member.log();
                List<Acked> thisRound = writeUntilKilled(member, round, killAfterAcks, context);
                acked.addAll(thisRound);
                System.out.println("KillDashNineIT " + context + ": " + thisRound.size() + " acknowledged this round, "
                        + acked.size() + " in all");

                member.restart();
                verifyAfterRestart(member, acked, context);
            }
        }
        assertThat(acked).as("seed %d: the writers got acknowledgements at all", seed).isNotEmpty();
    }

    /** Writers put until the member acknowledged {@code killAfterAcks} puts, then SIGKILL. */
    private static List<Acked> writeUntilKilled(EtcdProcess member, int round, int killAfterAcks, String context)
            throws Exception {
        Queue<Acked> acks = new ConcurrentLinkedQueue<>();
        AtomicInteger count = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean(); // set just before SIGKILL: failures are expected from then on
        AtomicBoolean stopped = new AtomicBoolean(); // set once the process is gone
        CountDownLatch enoughAcks = new CountDownLatch(killAfterAcks);
        ManagedChannel channel = channel(member);
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS, r -> new Thread(r, "kill9-writer"));
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                done.add(writers.submit(() -> {
                    KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
                    long last = 0;
                    for (int i = 0; !stopped.get(); i++) {
                        String key = PREFIX + "r" + round + "/w" + writer + "/" + i;
                        String value = "v-" + round + "-" + writer + "-" + i;
                        PutResponse r;
                        try {
                            r = kv.withDeadlineAfter(10, TimeUnit.SECONDS).put(PutRequest.newBuilder()
                                    .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value))
                                    .build());
                        } catch (StatusRuntimeException e) {
                            if (killed.get()) {
                                return null; // the crash: this put's fate is unknown, and that is allowed
                            }
                            while (enoughAcks.getCount() > 0) {
                                enoughAcks.countDown(); // wake the test thread, which reports this failure
                            }
                            throw new AssertionError(context + ": put " + key + " failed before the kill", e);
                        }
                        long rev = r.getHeader().getRevision();
                        assertThat(rev).as("%s: one writer's acknowledged revisions increase", context)
                                .isGreaterThan(last);
                        last = rev;
                        acks.add(new Acked(key, value, rev));
                        count.incrementAndGet();
                        enoughAcks.countDown();
                    }
                    return null;
                }));
            }
            if (!enoughAcks.await(30, TimeUnit.SECONDS)) {
                fail(context + ": only " + count.get() + " acknowledged puts in 30s");
            }
            for (Future<?> f : done) {
                if (f.isDone()) {
                    f.get(); // a writer failed before the kill: surface why
                }
            }
            killed.set(true);
            member.kill9();
            stopped.set(true);
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            stopped.set(true);
            writers.shutdownNow();
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        return new ArrayList<>(acks);
    }

    private static void verifyAfterRestart(EtcdProcess member, List<Acked> acked, String context) throws Exception {
        ManagedChannel channel = channel(member);
        try {
            KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
            ByteString prefix = ByteString.copyFromUtf8(PREFIX);
            ByteString end = ByteString.copyFromUtf8(PREFIX.substring(0, PREFIX.length() - 1) + "0");
            RangeResponse all = kv.range(RangeRequest.newBuilder().setKey(prefix).setRangeEnd(end).build());
            Map<String, KeyValue> stored = new HashMap<>();
            for (KeyValue k : all.getKvsList()) {
                stored.put(k.getKey().toStringUtf8(), k);
            }
            long maxAcked = 0;
            Set<Long> revisions = new HashSet<>();
            for (Acked a : acked) {
                KeyValue k = stored.get(a.key());
                assertThat(k).as("%s: acknowledged put of %s (revision %d) lost", context, a.key(), a.revision())
                        .isNotNull();
                assertThat(k.getValue().toStringUtf8()).as("%s: value of %s", context, a.key()).isEqualTo(a.value());
                assertThat(k.getModRevision()).as("%s: revision of %s", context, a.key()).isEqualTo(a.revision());
                assertThat(revisions.add(a.revision())).as("%s: revision %d acknowledged twice", context, a.revision())
                        .isTrue();
                maxAcked = Math.max(maxAcked, a.revision());
            }
            assertThat(all.getHeader().getRevision()).as("%s: revision after restart", context)
                    .isGreaterThanOrEqualTo(maxAcked);
            PutResponse after = kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(PREFIX + "after"))
                    .setValue(ByteString.copyFromUtf8("x")).build());
            assertThat(after.getHeader().getRevision()).as("%s: a new write moves the revision on", context)
                    .isGreaterThan(all.getHeader().getRevision());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static ManagedChannel channel(EtcdProcess member) {
        return NettyChannelBuilder.forAddress("127.0.0.1", member.clientPort).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
    }
}
