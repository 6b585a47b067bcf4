package io.etcdjava.bench.tool;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.WatchCreateRequest;
import io.etcdjava.api.etcdserverpb.WatchGrpc;
import io.etcdjava.api.etcdserverpb.WatchRequest;
import io.etcdjava.api.etcdserverpb.WatchResponse;
import io.etcdjava.api.mvccpb.Event;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * etcd's {@code benchmark watch-latency}: {@code --streams} Watch streams with
 * {@code --watchers-per-stream} watchers each, all on one key; then {@code --put-total} puts at
 * {@code --put-rate} per second, each waiting until every watcher got its event. A sample is the
 * time from sending the put to one watcher receiving the event, so one put gives one sample per
 * watcher. Prints etcd's report over all samples plus the count of events delivered. With
 * {@code --warmup N}, N put rounds on the same streams come first and are neither sampled nor
 * counted (this tool's own JIT would otherwise compete with the server during the measurement).
 */
final class WatchLatency {
    private final Cli.Options o;

    WatchLatency(Cli.Options o) {
        this.o = o;
    }

    int run(List<ManagedChannel> channels, PrintStream out) throws InterruptedException {
        int watchers = o.streams * o.watchersPerStream;
        long samples = (long) watchers * o.putTotal;
        Report report = new Report((int) Math.min(Integer.MAX_VALUE - 16, samples), o.precise);
        ByteString key = ByteString.copyFromUtf8("watch-latency-" + "k".repeat(Math.max(0, o.keySize - 14)));
        AtomicLong sentAt = new AtomicLong();
        AtomicLong delivered = new AtomicLong();
        // Written by the put loop between rounds, while no event is in flight (each round waits for
        // all of its events); read by the streams' threads.
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicReference<CountDownLatch> round = new AtomicReference<>(new CountDownLatch(0));
        CountDownLatch created = new CountDownLatch(watchers);
        AtomicBoolean done = new AtomicBoolean();
        List<StreamObserver<WatchRequest>> streams = new ArrayList<>();
        for (int s = 0; s < o.streams; s++) {
            ManagedChannel ch = channels.get(s % channels.size());
            StreamObserver<WatchRequest> req = WatchGrpc.newStub(ch).watch(new StreamObserver<>() {
                @Override
                public void onNext(WatchResponse r) {
                    if (r.getCreated()) {
                        created.countDown();
                    }
                    long now = System.nanoTime();
                    CountDownLatch l = round.get();
                    boolean counted = measuring.get();
                    for (Event e : r.getEventsList()) {
                        if (counted) {
                            report.record(sentAt.get(), now, null);
                            delivered.incrementAndGet();
                        }
                        l.countDown();
                    }
                }

                @Override
                public void onError(Throwable t) {
                    if (done.get()) {
                        return; // our own cancel at the end
                    }
                    System.err.println("watch stream failed: " + LoadRunner.goError(t));
                }

                @Override
                public void onCompleted() {
                }
            });
            streams.add(req);
            for (int w = 0; w < o.watchersPerStream; w++) {
                req.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                        .setKey(key).setPrevKv(o.prevKv)).build());
            }
        }
        if (!created.await(120, TimeUnit.SECONDS)) {
            System.err.println("watchers not created within 120 s: " + created.getCount() + " missing");
            return 1;
        }
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channels.get(0));
        byte[] value = new byte[Math.max(1, o.valSize)];
        Arrays.fill(value, (byte) 'v');
        ByteString v = ByteString.copyFrom(value);
        long intervalNanos = o.putRate > 0 ? TimeUnit.SECONDS.toNanos(1) / o.putRate : 0;
        for (int i = 0; i < o.warmup; i++) {
            if (!putRound(kv, key, v, new CountDownLatch(watchers), round, sentAt)) {
                System.err.println("warm-up put " + i + ": some watchers got no event within 60 s");
                return 1;
            }
        }
        measuring.set(true);
        long begin = System.nanoTime();
        long next = begin;
        int lost = 0;
        for (int i = 0; i < o.putTotal; i++) {
            if (intervalNanos > 0) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                next += intervalNanos;
            }
            CountDownLatch l = new CountDownLatch(watchers);
            if (!putRound(kv, key, v, l, round, sentAt)) {
                lost += (int) l.getCount();
                System.err.println("put " + i + ": " + l.getCount() + " watchers got no event within 60 s");
            }
        }
        long nanos = System.nanoTime() - begin;
        done.set(true);
        for (StreamObserver<WatchRequest> s : streams) {
            ((ClientCallStreamObserver<WatchRequest>) s).cancel("benchmark done", null);
        }
        out.println(report.format(report.stats(nanos)));
        out.printf("Events delivered: %d of %d (%d watchers x %d puts)%n", delivered.get(), samples, watchers,
                o.putTotal);
        return lost == 0 && delivered.get() == samples ? 0 : 1;
    }

    /** One put, then waits until every watcher counted its event down on {@code l}; false on timeout. */
    private static boolean putRound(KVGrpc.KVBlockingStub kv, ByteString key, ByteString v, CountDownLatch l,
            AtomicReference<CountDownLatch> round, AtomicLong sentAt) throws InterruptedException {
        round.set(l);
        sentAt.set(System.nanoTime());
        kv.put(PutRequest.newBuilder().setKey(key).setValue(v).build());
        return l.await(60, TimeUnit.SECONDS);
    }
}
