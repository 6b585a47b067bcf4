package io.etcdjava.server.rafthttp;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.etcdjava.api.internal.PeerProbeRequest;
import io.etcdjava.api.internal.PeerProbeResponse;
import io.etcdjava.api.internal.RaftSnapshotGrpc;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Measures the round-trip time to every peer with a small {@code RaftSnapshot.Probe} call at a
 * fixed interval (etcd probes every 30 s), into etcd_network_peer_round_trip_time_seconds. Calls
 * are asynchronous; nothing here touches the raft loop. Thread: "peer-prober", owned here.
 */
final class PeerProber implements AutoCloseable {
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

    private final long clusterId;
    private final long localId;
    private final Supplier<Map<Long, List<String>>> peers;
    private final ClientFactory factory;
    private final PeerMetrics metrics;
    private final Map<String, RaftSnapshotGrpc.RaftSnapshotStub> stubs = new ConcurrentHashMap<>();
    private final ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "peer-prober");
        t.setDaemon(true);
        return t;
    });

    PeerProber(long clusterId, long localId, Supplier<Map<Long, List<String>>> peers, ClientFactory factory,
               PeerMetrics metrics, Duration interval) {
        this.clusterId = clusterId;
        this.localId = localId;
        this.peers = peers;
        this.factory = factory;
        this.metrics = metrics;
        exec.scheduleWithFixedDelay(this::probeAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void probeAll() {
        try {
            for (Map.Entry<Long, List<String>> p : peers.get().entrySet()) {
                if (!p.getValue().isEmpty()) {
                    probe(p.getKey(), p.getValue().get(0));
                }
            }
        } catch (RuntimeException e) {
            // The next round tries again.
        }
    }

    private void probe(long peer, String url) {
        RaftSnapshotGrpc.RaftSnapshotStub stub = stubs.computeIfAbsent(url, u -> GrpcClients.builder(u)
                .factory(factory)
                .responseTimeout(Duration.ofSeconds(5))
                .build(RaftSnapshotGrpc.RaftSnapshotStub.class));
        long start = System.nanoTime();
        stub.probe(PeerProbeRequest.newBuilder().setClusterId(clusterId).setFrom(localId).build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(PeerProbeResponse value) {
                        metrics.roundTripSeconds.labels(PeerMetrics.label(peer)).observe((System.nanoTime() - start) / 1e9);
                    }

                    @Override
                    public void onError(Throwable t) {
                        // An unreachable peer has no round-trip time; the message stream reports it.
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
    }

    @Override
    public void close() throws InterruptedException {
        exec.shutdownNow();
        exec.awaitTermination(5, TimeUnit.SECONDS);
    }
}
