package io.etcdjava.bench.tool;

import io.etcdjava.api.etcdserverpb.MaintenanceGrpc;
import io.etcdjava.api.etcdserverpb.StatusRequest;
import io.etcdjava.api.etcdserverpb.StatusResponse;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * etcd's {@code benchmark} tool (tools/benchmark) over our gRPC stubs: {@code put}, {@code range}
 * and {@code txn-put} with {@code --endpoints --conns --clients --target-leader --precise}, and
 * etcd's report on stdout. Usage: {@code bin/benchmark --help}.
 */
public final class Benchmark {
    private Benchmark() {
    }

    public static void main(String[] argv) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        if (argv.length > 0 && "lease-keepalive".equals(argv[0])) {
            System.exit(LeaseKeepAliveBench.run(argv, out));
        }
        Cli.Options o;
        try {
            o = Cli.parse(argv);
        } catch (Cli.UsageException e) {
            System.err.println("Error: " + e.getMessage());
            System.err.print(Cli.USAGE);
            System.exit(1);
            return;
        }
        if (o.help) {
            out.print(Cli.USAGE);
            return;
        }
        System.exit(run(o, out));
    }

    /** Runs one benchmark; returns the exit status. */
    static int run(Cli.Options o, PrintStream out) throws InterruptedException {
        List<String> endpoints = o.endpoints;
        if (o.targetLeader) {
            endpoints = List.of(findLeader(o.endpoints, o.dialTimeout));
        }
        if ("range".equals(o.command)) {
            out.println("l".equals(o.consistency) ? "bench with linearizable range" : "bench with serializable range");
        }
        Workload workload = "watch-latency".equals(o.command) ? null : Workload.of(o);
        List<ManagedChannel> channels = new ArrayList<>();
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "benchmark-rate");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int i = 0; i < o.conns; i++) {
                channels.add(channel(endpoints.get(i % endpoints.size())));
            }
            if (!awaitReady(channels, o.dialTimeout.isZero() ? Duration.ofSeconds(5) : o.dialTimeout)
                    && !o.dialTimeout.isZero()) {
                System.err.println("dial error: context deadline exceeded");
                return 1;
            }
            if ("watch-latency".equals(o.command)) {
                return new WatchLatency(o).run(channels, out);
            }
            if (o.warmup > 0) {
                new LoadRunner(workload, o.warmup, o.rate, new Report(o.warmup, false), pacer).run(channels, o.clients);
            }
            Report report = new Report(o.total, o.precise);
            long nanos = new LoadRunner(workload, o.total, o.rate, report, pacer).run(channels, o.clients);
            String text = report.format(report.stats(nanos));
            if ("range".equals(o.command)) {
                out.print(text);
            } else {
                out.println(text);
            }
            out.flush();
            return 0;
        } finally {
            pacer.shutdownNow();
            for (ManagedChannel c : channels) {
                c.shutdownNow();
            }
            for (ManagedChannel c : channels) {
                c.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /** A plaintext channel to {@code host:port} (an {@code http://} prefix is accepted). */
    static ManagedChannel channel(String endpoint) {
        String target = endpoint.replaceFirst("^https?://", "").replaceFirst("/+$", "");
        return ManagedChannelBuilder.forTarget(target)
                .usePlaintext()
                .directExecutor()
                .maxInboundMessageSize(Integer.MAX_VALUE)
                .build();
    }

    /** Connects every channel; true when all are ready within {@code timeout}. */
    static boolean awaitReady(List<ManagedChannel> channels, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ManagedChannel c : channels) {
            while (true) {
                ConnectivityState s = c.getState(true);
                if (s == ConnectivityState.READY) {
                    break;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                CountDownLatch changed = new CountDownLatch(1);
                c.notifyWhenStateChanged(s, changed::countDown);
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        }
        return true;
    }

    /** The endpoint whose member is the leader, as etcd's --target-leader finds it (Status on each). */
    static String findLeader(List<String> endpoints, Duration dialTimeout) {
        Duration timeout = dialTimeout.isZero() ? Duration.ofSeconds(5) : dialTimeout;
        for (String ep : endpoints) {
            ManagedChannel c = channel(ep);
            try {
                StatusResponse s = MaintenanceGrpc.newBlockingStub(c)
                        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .status(StatusRequest.getDefaultInstance());
                if (s.getLeader() != 0 && s.getLeader() == s.getHeader().getMemberId()) {
                    return ep;
                }
            } catch (RuntimeException e) {
                System.err.println("failed to get status of " + ep + ": " + LoadRunner.goError(e));
            } finally {
                c.shutdownNow();
            }
        }
        System.err.println("no leader found among " + endpoints);
        System.exit(1);
        return null;
    }
}
