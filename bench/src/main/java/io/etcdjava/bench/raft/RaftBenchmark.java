package io.etcdjava.bench.raft;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Raft throughput and latency: N in-process members with real WALs (fsync on) and an in-memory
 * network; proposals with 1 and with 256 outstanding. Usage:
 *
 * <pre>java -cp ... io.etcdjava.bench.raft.RaftBenchmark [--nodes 3] [--outstanding 1,256]
 *     [--seconds 10] [--warmup 3] [--value-size 256] [--dir DIR]</pre>
 */
public final class RaftBenchmark {
    private RaftBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        int nodes = Integer.parseInt(opts.getOrDefault("nodes", "3"));
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "10"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "3"));
        int valueSize = Integer.parseInt(opts.getOrDefault("value-size", "256"));
        int[] outstanding = Arrays.stream(opts.getOrDefault("outstanding", "1,256").split(","))
                .mapToInt(Integer::parseInt).toArray();
        Path base = opts.containsKey("dir") ? Path.of(opts.get("dir"))
                : Path.of(System.getProperty("java.io.tmpdir"));
        System.out.printf("raft benchmark: %d members, WAL fsync on, value %d bytes, %d s per run (+%d s warm-up)%n",
                nodes, valueSize, seconds, warmup);
        System.out.printf("%-12s %12s %10s %10s %10s%n", "outstanding", "proposals/s", "p50 ms", "p99 ms", "max ms");
        for (int o : outstanding) {
            Path dir = Files.createTempDirectory(base, "raft-bench-");
            try {
                Result r = runOnce(dir, nodes, o, warmup, seconds, valueSize);
                System.out.printf("%-12d %12.0f %10.3f %10.3f %10.3f%n", o, r.perSecond, r.p50Ms, r.p99Ms, r.maxMs);
            } finally {
                deleteTree(dir);
            }
        }
    }

    record Result(double perSecond, double p50Ms, double p99Ms, double maxMs) {
    }

    static Result runOnce(Path dir, int n, int outstanding, int warmupSeconds, int seconds, int valueSize)
            throws Exception {
        List<Long> ids = new ArrayList<>();
        for (long i = 1; i <= n; i++) {
            ids.add(i);
        }
        Map<Long, BenchNode> cluster = new LinkedHashMap<>();
        for (long id : ids) {
            cluster.put(id, new BenchNode(id, ids, dir.resolve("member-" + id)));
        }
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "bench-ticker"));
        try {
            for (BenchNode node : cluster.values()) {
                node.start(cluster);
            }
            ticker.scheduleAtFixedRate(() -> cluster.values().forEach(BenchNode::tick), 100, 100, TimeUnit.MILLISECONDS);
            cluster.get(1L).campaign();
            BenchNode leader = awaitLeader(cluster);
            Load warm = new Load(leader, outstanding, valueSize, 0);
            warm.runFor(warmupSeconds);
            Load load = new Load(leader, outstanding, valueSize, 1L << 40);
            long elapsed = load.runFor(seconds);
            long[] lat = load.latencies();
            Arrays.sort(lat);
            return new Result(lat.length / (elapsed / 1e9), pct(lat, 0.50), pct(lat, 0.99),
                    lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6);
        } finally {
            ticker.shutdownNow();
            for (BenchNode node : cluster.values()) {
                node.close();
            }
        }
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }

    private static BenchNode awaitLeader(Map<Long, BenchNode> cluster) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (BenchNode node : cluster.values()) {
                if (node.isLeader()) {
                    return node;
                }
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("no leader elected within 10 s");
    }

    /** Keeps {@code outstanding} proposals in flight against the leader and records latencies. */
    private static final class Load {
        private final BenchNode leader;
        private final Semaphore window;
        private final int outstanding;
        private final byte[] value;
        private final AtomicLong nextId;
        private final long[] latencies = new long[20_000_000];
        private final AtomicInteger count = new AtomicInteger();

        Load(BenchNode leader, int outstanding, int valueSize, long firstId) {
            this.leader = leader;
            this.outstanding = outstanding;
            this.window = new Semaphore(outstanding);
            this.value = new byte[Math.max(8, valueSize)];
            this.nextId = new AtomicLong(firstId);
        }

        /** Runs for the given time, waits for the stragglers; returns elapsed nanos. */
        long runFor(int seconds) throws InterruptedException {
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                long reqId = nextId.getAndIncrement();
                byte[] data = value.clone();
                ByteBuffer.wrap(data).putLong(reqId);
                CompletableFuture<Void> done = new CompletableFuture<>();
                long t0 = System.nanoTime();
                done.whenComplete((v, err) -> {
                    if (err == null) {
                        int i = count.getAndIncrement();
                        if (i < latencies.length) {
                            latencies[i] = System.nanoTime() - t0;
                        }
                    }
                    window.release();
                });
                leader.propose(new BenchNode.Proposal(reqId, ByteString.copyFrom(data), done));
            }
            // Let everything in flight finish so it is counted.
            if (!window.tryAcquire(outstanding, 30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("proposals did not complete within 30 s");
            }
            window.release(outstanding);
            return System.nanoTime() - start;
        }

        long[] latencies() {
            return Arrays.copyOf(latencies, Math.min(count.get(), latencies.length));
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
            String key = a.substring(2);
            String val;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                val = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("flag needs an argument: " + a);
                }
                val = args[++i];
            }
            m.put(key, val);
        }
        return m;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
