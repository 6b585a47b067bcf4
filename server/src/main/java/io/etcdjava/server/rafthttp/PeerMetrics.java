package io.etcdjava.server.rafthttp;

import io.etcdjava.server.membership.MemberIds;
import io.etcdjava.server.metrics.ExactCounter;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;

/**
 * The peer transport's metrics under etcd's names (etcd's rafthttp/metrics.go): bytes and
 * failures per peer, snapshot sends and receives, and the probed round-trip time. Labels carry
 * the peer's member ID in hex, as etcd's {@code types.ID} prints it. Created before the transport,
 * registered with the member's registry once it exists.
 */
public final class PeerMetrics {
    final Counter sentBytes = Counter.build("etcd_network_peer_sent_bytes_total",
            "The total number of bytes sent to peers.").labelNames("To").create();
    final Counter receivedBytes = Counter.build("etcd_network_peer_received_bytes_total",
            "The total number of bytes received from peers.").labelNames("From").create();
    final Counter sentFailures = Counter.build("etcd_network_peer_sent_failures_total",
            "The total number of send failures from peers.").labelNames("To").create();
    final Counter receivedFailures = Counter.build("etcd_network_peer_received_failures_total",
            "The total number of receive failures from peers.").labelNames("From").create();
    final ExactCounter snapshotSendSuccess = ExactCounter.build("etcd_network_snapshot_send_success",
            "Total number of successful snapshot sends").labelNames("To").create();
    final ExactCounter snapshotSendFailures = ExactCounter.build("etcd_network_snapshot_send_failures",
            "Total number of snapshot send failures").labelNames("To").create();
    final Gauge snapshotSendInflights = Gauge.build("etcd_network_snapshot_send_inflights_total",
            "Total number of inflight snapshot sends").labelNames("To").create();
    final Histogram snapshotSendSeconds = Histogram.build("etcd_network_snapshot_send_total_duration_seconds",
            "Total latency distributions of v3 snapshot sends").labelNames("To")
            .exponentialBuckets(0.1, 2, 10).create();
    final ExactCounter snapshotReceiveSuccess = ExactCounter.build("etcd_network_snapshot_receive_success",
            "Total number of successful snapshot receives").labelNames("From").create();
    final ExactCounter snapshotReceiveFailures = ExactCounter.build("etcd_network_snapshot_receive_failures",
            "Total number of snapshot receive failures").labelNames("From").create();
    final Gauge snapshotReceiveInflights = Gauge.build("etcd_network_snapshot_receive_inflights_total",
            "Total number of inflight snapshot receives").labelNames("From").create();
    final Histogram snapshotReceiveSeconds = Histogram.build("etcd_network_snapshot_receive_total_duration_seconds",
            "Total latency distributions of v3 snapshot receives").labelNames("From")
            .exponentialBuckets(0.1, 2, 10).create();
    final Histogram roundTripSeconds = Histogram.build("etcd_network_peer_round_trip_time_seconds",
            "Round-Trip-Time histogram between peers").labelNames("To")
            .exponentialBuckets(0.0001, 2, 16).create();

    /** Adds every collector to {@code registry} (the member's /metrics). */
    public void register(CollectorRegistry registry) {
        sentBytes.register(registry);
        receivedBytes.register(registry);
        sentFailures.register(registry);
        receivedFailures.register(registry);
        registry.register(snapshotSendSuccess);
        registry.register(snapshotSendFailures);
        snapshotSendInflights.register(registry);
        snapshotSendSeconds.register(registry);
        registry.register(snapshotReceiveSuccess);
        registry.register(snapshotReceiveFailures);
        snapshotReceiveInflights.register(registry);
        snapshotReceiveSeconds.register(registry);
        roundTripSeconds.register(registry);
    }

    static String label(long memberId) {
        return MemberIds.hex(memberId);
    }

    /** Successful snapshot sends to {@code peer} so far (tests). */
    public double snapshotsSent(long peer) {
        return snapshotSendSuccess.labels(label(peer)).get();
    }

    /** Bytes received from {@code peer} so far, raft messages and databases (tests). */
    public double snapshotBytesReceived(long peer) {
        return receivedBytes.labels(label(peer)).get();
    }

    /** Successful snapshot receives from {@code peer} so far (tests). */
    public double snapshotsReceived(long peer) {
        return snapshotReceiveSuccess.labels(label(peer)).get();
    }
}
