package io.etcdjava.bench.tool;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Collects request results and prints them as etcd's {@code pkg/report} does: the summary
 * (Total, Slowest, Fastest, Average, Stddev, Requests/sec), the response-time histogram, the
 * latency distribution (10% ... 99.9%) and the error distribution. Thread-safe for recording.
 */
final class Report {
    /** etcd's percentiles, in order. */
    static final double[] PCTLS = {10, 25, 50, 75, 90, 95, 99, 99.9};
    private static final String BAR = "\u220e";

    private final String precision;
    private final double[] lats;
    /** Start times (ns) beside {@link #lats}, kept only when ETCD_BENCH_SAMPLES names a file to dump them to. */
    private final long[] starts;
    private final AtomicInteger count = new AtomicInteger();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, Integer> errorOrder = new ConcurrentHashMap<>();
    private final AtomicInteger errorSeq = new AtomicInteger();

    /** @param capacity the most successful results that will be recorded */
    Report(int capacity, boolean precise) {
        this.precision = precise ? "%g" : "%4.4f";
        this.lats = new double[Math.max(0, capacity)];
        this.starts = System.getenv("ETCD_BENCH_SAMPLES") == null ? null : new long[lats.length];
    }

    /** Records one request's outcome; {@code error} null for success. */
    void record(long startNanos, long endNanos, String error) {
        if (error != null) {
            errorOrder.computeIfAbsent(error, e -> errorSeq.getAndIncrement());
            errors.computeIfAbsent(error, e -> new LongAdder()).increment();
            return;
        }
        int i = count.getAndIncrement();
        if (i < lats.length) {
            lats[i] = (endNanos - startNanos) / 1e9;
            if (starts != null) {
                starts[i] = startNanos;
            }
        }
    }

    /** The statistics over what was recorded, for a run that took {@code totalNanos}. */
    Stats stats(long totalNanos) {
        int n = Math.min(count.get(), lats.length);
        dumpSamples(n);
        double[] sorted = Arrays.copyOf(lats, n);
        Map<String, Long> errs = new LinkedHashMap<>();
        errorOrder.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(e -> errs.put(e.getKey(), errors.get(e.getKey()).sum()));
        return Stats.of(sorted, totalNanos / 1e9, errs);
    }

    /**
     * Writes "start-ms latency-ms" per success to ETCD_BENCH_SAMPLES (start relative to the first
     * one), to see when slow requests happen; the report itself is unchanged. The header gives the
     * first start as epoch ms and as raw nanoTime (CLOCK_MONOTONIC, the clock of
     * {@code perf sched record -k CLOCK_MONOTONIC}), to line slow requests up with a trace.
     */
    private void dumpSamples(int n) {
        String file = System.getenv("ETCD_BENCH_SAMPLES");
        if (starts == null || file == null || n == 0) {
            return;
        }
        long first = Arrays.stream(starts, 0, n).min().orElse(0);
        StringBuilder sb = new StringBuilder();
        long firstEpochMs = System.currentTimeMillis() - (System.nanoTime() - first) / 1_000_000;
        sb.append("# first start at epoch ms ").append(firstEpochMs).append(" nanoTime ").append(first).append('\n');
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%.3f %.3f%n", (starts[i] - first) / 1e6, lats[i] * 1e3));
        }
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of(file), sb);
        } catch (java.io.IOException e) {
            System.err.println("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** Raw statistics, as etcd's report.Stats. Latencies in seconds, sorted ascending. */
    record Stats(double total, double fastest, double slowest, double average, double stddev, double rps,
                 double[] lats, Map<String, Long> errors) {
        /** Computes the statistics as etcd's processResults does; sorts {@code lats} in place. */
        static Stats of(double[] lats, double totalSeconds, Map<String, Long> errors) {
            double sum = 0;
            for (double l : lats) {
                sum += l;
            }
            double average = sum / lats.length;
            double dev = 0;
            for (double l : lats) {
                dev += (l - average) * (l - average);
            }
            double stddev = Math.sqrt(dev / lats.length);
            Arrays.sort(lats);
            double fastest = lats.length > 0 ? lats[0] : 0;
            double slowest = lats.length > 0 ? lats[lats.length - 1] : 0;
            return new Stats(totalSeconds, fastest, slowest, average, stddev, lats.length / totalSeconds,
                    lats, errors);
        }

        /** The latency at each of {@link #PCTLS}, as etcd computes it (0 when not reached). */
        double[] percentiles() {
            double[] data = new double[PCTLS.length];
            int j = 0;
            int n = lats.length;
            for (int i = 0; i < n && j < PCTLS.length; i++) {
                double current = (double) i * 100.0 / (double) n;
                if (current >= PCTLS[j]) {
                    data[j] = lats[i];
                    j++;
                }
            }
            return data;
        }

        /** The latency at percentile {@code p} (one of {@link #PCTLS}). */
        double percentile(double p) {
            double[] data = percentiles();
            for (int i = 0; i < PCTLS.length; i++) {
                if (PCTLS[i] == p) {
                    return data[i];
                }
            }
            throw new IllegalArgumentException("not one of etcd's percentiles: " + p);
        }
    }

    /** etcd's report text for these statistics. */
    String format(Stats s) {
        StringBuilder out = new StringBuilder();
        if (s.lats().length > 0) {
            out.append("\nSummary:\n");
            out.append("  Total:\t").append(secs(s.total())).append(".\n");
            out.append("  Slowest:\t").append(secs(s.slowest())).append(".\n");
            out.append("  Fastest:\t").append(secs(s.fastest())).append(".\n");
            out.append("  Average:\t").append(secs(s.average())).append(".\n");
            out.append("  Stddev:\t").append(secs(s.stddev())).append(".\n");
            out.append("  Requests/sec:\t").append(num(s.rps())).append('\n');
            histogram(s, out);
            latencies(s, out);
        }
        if (!s.errors().isEmpty()) {
            out.append("\nError distribution:\n");
            s.errors().forEach((err, n) -> out.append("  [").append(n).append("]\t").append(err).append('\n'));
        }
        return out.toString();
    }

    private String num(double v) {
        return GoFormat.number(precision, v);
    }

    private String secs(double v) {
        return num(v) + " secs";
    }

    private void histogram(Stats s, StringBuilder out) {
        int bc = 10;
        double[] buckets = new double[bc + 1];
        int[] counts = new int[bc + 1];
        double bs = (s.slowest() - s.fastest()) / bc;
        for (int i = 0; i < bc; i++) {
            buckets[i] = s.fastest() + bs * i;
        }
        buckets[bc] = s.slowest();
        int bi = 0;
        int max = 0;
        double[] lats = s.lats();
        for (int i = 0; i < lats.length; ) {
            if (lats[i] <= buckets[bi]) {
                i++;
                counts[bi]++;
                if (max < counts[bi]) {
                    max = counts[bi];
                }
            } else if (bi < buckets.length - 1) {
                bi++;
            } else {
                // Cannot happen (the last bucket is the slowest); counted there rather than spinning.
                counts[bi]++;
                i++;
            }
        }
        out.append("\nResponse time histogram:\n");
        for (int i = 0; i < buckets.length; i++) {
            int barLen = max > 0 ? counts[i] * 40 / max : 0;
            out.append("  ").append(num(buckets[i])).append(" [").append(counts[i]).append("]\t|")
                    .append(BAR.repeat(barLen)).append('\n');
        }
    }

    private void latencies(Stats s, StringBuilder out) {
        double[] data = s.percentiles();
        out.append("\nLatency distribution:\n");
        for (int i = 0; i < PCTLS.length; i++) {
            if (data[i] > 0) {
                out.append("  ").append(GoFormat.shortest(PCTLS[i])).append("% in ").append(secs(data[i]))
                        .append(".\n");
            }
        }
    }
}
