package io.etcdjava.bench.tool;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.LeaseGrantResponse;
import io.etcdjava.api.etcdserverpb.LeaseGrpc;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code benchmark lease-keepalive}: issue 6's lease workload. Grants {@code --leases} long leases
 * and keeps them alive from {@code --clients} keep-alive streams (each renews its share round-robin,
 * {@code --window} requests in flight), measuring keep-alive QPS for {@code --seconds}. Then runs
 * {@code --put-clients} sequential put loops for 5 s beside the keep-alives (the baseline: what a
 * put costs on this machine anyway), grants {@code --expiring} short leases with one key each and,
 * while the keep-alives go on, runs the put loops again until every expiring key is gone, reporting
 * the longest put (the stall) and how long the mass expiry took. Prints one line of {@code key=value}.
 */
final class LeaseKeepAliveBench {
    private LeaseKeepAliveBench() {
    }

    static final String USAGE = """
            Usage: benchmark lease-keepalive [--endpoints=host:port] [--conns=N] [--clients=100] \\
                   [--leases=100000] [--ttl=600] [--window=16] [--seconds=20] \\
                   [--expiring=10000] [--expiring-ttl=5] [--put-clients=8]
            """;

    static int run(String[] argv, PrintStream out) throws Exception {
        String endpoint = "127.0.0.1:2379";
        int conns = 10;
        int clients = 100;
        int leases = 100_000;
        long ttl = 600;
        int window = 16;
        int seconds = 20;
        int expiring = 10_000;
        long expiringTtl = 5;
        int putClients = 8;
        for (int i = 1; i < argv.length; i++) {
            String a = argv[i];
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            if (kv.length != 2) {
                System.err.print("Error: flags take --name=value: " + a + "\n" + USAGE);
                return 1;
            }
            switch (kv[0]) {
                case "endpoints" -> endpoint = kv[1].split(",")[0];
                case "conns" -> conns = Integer.parseInt(kv[1]);
                case "clients" -> clients = Integer.parseInt(kv[1]);
                case "leases" -> leases = Integer.parseInt(kv[1]);
                case "ttl" -> ttl = Long.parseLong(kv[1]);
                case "window" -> window = Integer.parseInt(kv[1]);
                case "seconds" -> seconds = Integer.parseInt(kv[1]);
                case "expiring" -> expiring = Integer.parseInt(kv[1]);
                case "expiring-ttl" -> expiringTtl = Long.parseLong(kv[1]);
                case "put-clients" -> putClients = Integer.parseInt(kv[1]);
                default -> {
                    System.err.print("Error: unknown flag: --" + kv[0] + "\n" + USAGE);
                    return 1;
                }
            }
        }
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < conns; i++) {
            channels.add(Benchmark.channel(endpoint));
        }
        try {
            long[] ids = grant(channels, leases, ttl, false);
            AtomicLong renewed = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            List<CompletableFuture<Void>> streams = new ArrayList<>();
            int per = (leases + clients - 1) / clients;
            for (int c = 0; c < clients; c++) {
                int from = Math.min(leases, c * per);
                int to = Math.min(leases, from + per);
                if (from < to) {
                    streams.add(keepAlive(channels.get(c % channels.size()), ids, from, to, window, renewed, stop));
                }
            }
            long before = renewed.get();
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long qps = Math.round((renewed.get() - before) / ((System.nanoTime() - t0) / 1e9));

            // Baseline: the same put load for a few seconds with only the keep-alives running.
            PutLoad baseline = PutLoad.start(channels, putClients);
            Thread.sleep(5000);
            baseline.stop();

            // Mass expiry under a put load, keep-alives still running.
            long[] shortIds = grant(channels, expiring, expiringTtl, true);
            long expiryStart = System.nanoTime();
            PutLoad load = PutLoad.start(channels, putClients);
            KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channels.get(0));
            RangeRequest left = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("bench-expire/"))
                    .setRangeEnd(ByteString.copyFromUtf8("bench-expire0")).setCountOnly(true).build();
            long gone = -1;
            long limit = expiryStart + TimeUnit.SECONDS.toNanos(expiringTtl + 120);
            while (System.nanoTime() < limit) {
                if (kv.withDeadlineAfter(30, TimeUnit.SECONDS).range(left).getCount() == 0) {
                    gone = System.nanoTime();
                    break;
                }
                Thread.sleep(50);
            }
            Thread.sleep(1000);
            load.stop();
            long qpsDuring = Math.round((renewed.get() - before) / ((System.nanoTime() - t0) / 1e9));
            stop.set(true);
            for (CompletableFuture<Void> s : streams) {
                s.get(30, TimeUnit.SECONDS);
            }
            for (long[] t : load.slowest(5)) {
                System.err.printf("slow put: started %.2f s into the expiry phase, took %.1f ms%n",
                        (t[0] - expiryStart) / 1e9, t[1] / 1e6);
            }
            out.printf("keepalive_qps=%d keepalive_qps_overall=%d leases=%d clients=%d expiring=%d "
                            + "expiry_done_after_s=%.2f puts=%d longest_put_ms=%.1f put_p99_ms=%.1f puts_over_100ms=%d "
                            + "baseline_puts=%d baseline_longest_put_ms=%.1f baseline_put_p99_ms=%.1f%n",
                    qps, qpsDuring, leases, clients, shortIds.length,
                    gone < 0 ? -1.0 : (gone - expiryStart) / 1e9, load.count(), load.longestMs(), load.p99Ms(),
                    load.over(100), baseline.count(), baseline.longestMs(), baseline.p99Ms());
            return gone < 0 ? 2 : 0;
        } finally {
            for (ManagedChannel c : channels) {
                c.shutdownNow();
            }
        }
    }

    /** Grants {@code n} leases (with a key each when {@code withKeys}), 256 requests in flight. */
    private static long[] grant(List<ManagedChannel> channels, int n, long ttl, boolean withKeys) throws Exception {
        long[] ids = new long[n];
        Semaphore inFlight = new Semaphore(256);
        CountDownLatch done = new CountDownLatch(n);
        AtomicLong failures = new AtomicLong();
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            int idx = i;
            ManagedChannel ch = channels.get(i % channels.size());
            LeaseGrpc.newStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS).leaseGrant(
                    LeaseGrantRequest.newBuilder().setTTL(ttl).build(), new StreamObserver<>() {
                        @Override
                        public void onNext(LeaseGrantResponse r) {
                            ids[idx] = r.getID();
                            if (withKeys) {
                                KVGrpc.newStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS).put(PutRequest.newBuilder()
                                        .setKey(ByteString.copyFrom("bench-expire/" + idx, StandardCharsets.UTF_8))
                                        .setValue(ByteString.copyFromUtf8("x")).setLease(r.getID()).build(),
                                        new StreamObserver<>() {
                                            @Override
                                            public void onNext(io.etcdjava.api.etcdserverpb.PutResponse p) {
                                            }

                                            @Override
                                            public void onError(Throwable t) {
                                                failures.incrementAndGet();
                                                inFlight.release();
                                                done.countDown();
                                            }

                                            @Override
                                            public void onCompleted() {
                                                inFlight.release();
                                                done.countDown();
                                            }
                                        });
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            failures.incrementAndGet();
                            inFlight.release();
                            done.countDown();
                        }

                        @Override
                        public void onCompleted() {
                            if (!withKeys) {
                                inFlight.release();
                                done.countDown();
                            }
                        }
                    });
        }
        done.await();
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " grants failed");
        }
        return ids;
    }

    /** One keep-alive stream renewing ids[from, to) round-robin with {@code window} in flight. */
    private static CompletableFuture<Void> keepAlive(ManagedChannel ch, long[] ids, int from, int to, int window,
                                                     AtomicLong renewed, AtomicBoolean stop) {
        CompletableFuture<Void> finished = new CompletableFuture<>();
        Object lock = new Object();
        int[] next = {from};
        @SuppressWarnings("unchecked")
        StreamObserver<LeaseKeepAliveRequest>[] requests = new StreamObserver[1];
        requests[0] = LeaseGrpc.newStub(ch).leaseKeepAlive(new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse r) {
                renewed.incrementAndGet();
                synchronized (lock) {
                    if (stop.get()) {
                        return;
                    }
                    requests[0].onNext(LeaseKeepAliveRequest.newBuilder().setID(ids[next[0]]).build());
                    next[0] = next[0] + 1 == to ? from : next[0] + 1;
                }
            }

            @Override
            public void onError(Throwable t) {
                finished.complete(null);
            }

            @Override
            public void onCompleted() {
                finished.complete(null);
            }
        });
        synchronized (lock) {
            for (int i = 0; i < window; i++) {
                requests[0].onNext(LeaseKeepAliveRequest.newBuilder().setID(ids[next[0]]).build());
                next[0] = next[0] + 1 == to ? from : next[0] + 1;
            }
        }
        // Half-close once stopped; the server answers what is in flight, then completes.
        Thread closer = new Thread(() -> {
            while (!stop.get()) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
            synchronized (lock) {
                requests[0].onCompleted();
            }
        }, "bench-keepalive-closer");
        closer.setDaemon(true);
        closer.start();
        return finished;
    }

    /** {@code clients} sequential put loops, each put's start and duration recorded until {@link #stop}. */
    private static final class PutLoad {
        private final ConcurrentLinkedQueue<long[]> times = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean done = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();
        private long[][] sorted;

        /** Starts the loops and returns once each has done 20 untimed warm-up puts. */
        static PutLoad start(List<ManagedChannel> channels, int clients) throws InterruptedException {
            PutLoad l = new PutLoad();
            CountDownLatch warm = new CountDownLatch(clients);
            for (int p = 0; p < clients; p++) {
                KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channels.get(p % channels.size()));
                int n = p;
                Thread t = new Thread(() -> {
                    long i = 0;
                    // A loop's first calls pay for the client's own warm-up: not timed.
                    for (; i < 20; i++) {
                        put(kv, n, i);
                    }
                    warm.countDown();
                    while (!l.done.get()) {
                        long s = System.nanoTime();
                        put(kv, n, i++ % 1000);
                        l.times.add(new long[] {s, System.nanoTime() - s});
                    }
                }, "bench-put-" + p);
                t.setDaemon(true);
                t.start();
                l.threads.add(t);
            }
            warm.await(60, TimeUnit.SECONDS);
            return l;
        }

        private static void put(KVGrpc.KVBlockingStub kv, int client, long i) {
            kv.withDeadlineAfter(30, TimeUnit.SECONDS).put(PutRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8("bench-put/" + client + "/" + i))
                    .setValue(ByteString.copyFromUtf8("v")).build());
        }

        void stop() throws InterruptedException {
            done.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
            sorted = times.toArray(long[][]::new);
            Arrays.sort(sorted, Comparator.comparingLong((long[] t) -> t[1]).reversed());
        }

        int count() {
            return sorted.length;
        }

        double longestMs() {
            return sorted.length == 0 ? 0 : sorted[0][1] / 1e6;
        }

        double p99Ms() {
            return sorted.length == 0 ? 0 : sorted[sorted.length / 100][1] / 1e6;
        }

        long over(long millis) {
            return Arrays.stream(sorted).filter(t -> t[1] > millis * 1_000_000L).count();
        }

        List<long[]> slowest(int n) {
            return Arrays.asList(sorted).subList(0, Math.min(n, sorted.length));
        }
    }
}
