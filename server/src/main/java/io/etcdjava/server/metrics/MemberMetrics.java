package io.etcdjava.server.metrics;

import io.etcdjava.server.etcdserver.EtcdServer;
import io.prometheus.client.Collector;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Histogram;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The member's server, disk and mvcc metrics under etcd's names, read from the member when
 * scraped (nothing is counted twice on hot paths), plus the WAL fsync histogram fed by the raft
 * driver.
 */
public final class MemberMetrics {
    private final Histogram walFsync;
    private final Histogram backendCommit;

    private MemberMetrics(Metrics metrics) {
        // etcd's buckets: 1 ms doubling to about 8 s.
        this.walFsync = Histogram.build("etcd_disk_wal_fsync_duration_seconds",
                        "The latency distributions of fsync called by WAL.")
                .exponentialBuckets(0.001, 2, 14).create();
        metrics.register(walFsync);
        this.backendCommit = Histogram.build("etcd_disk_backend_commit_duration_seconds",
                        "The latency distributions of commit called by backend.")
                .exponentialBuckets(0.001, 2, 14).create();
        metrics.register(backendCommit);
    }

    /** Creates the fsync histogram; call before the member starts so it can observe from the first fsync. */
    public static MemberMetrics create(Metrics metrics) {
        return new MemberMetrics(metrics);
    }

    public LongConsumer walFsyncObserver() {
        return nanos -> walFsync.observe(nanos / (double) TimeUnit.SECONDS.toNanos(1));
    }

    /** Registers the gauges that read the running member and starts timing its backend commits. */
    public void bind(Metrics metrics, EtcdServer server) {
        server.observeBackendCommits(nanos -> backendCommit.observe(nanos / (double) TimeUnit.SECONDS.toNanos(1)));
        metrics.register(new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                var rs = server.raftStatus();
                return List.of(
                        gauge("etcd_server_has_leader", "Whether or not a leader exists. 1 is existence, 0 is not.",
                                rs.hasLeader() ? 1 : 0),
                        gauge("etcd_server_is_leader", "Whether or not this member is a leader. 1 if is, 0 otherwise.",
                                rs.leader() == server.memberId() ? 1 : 0),
                        gauge("etcd_server_is_learner", "Whether or not this member is a learner. 1 if is, 0 otherwise.",
                                server.isLearner() ? 1 : 0),
                        gauge("etcd_server_leader_changes_seen_total", "The number of leader changes seen.",
                                server.leaderChanges()),
                        gauge("etcd_server_proposals_committed_total", "The total number of consensus proposals committed.",
                                rs.commitIndex()),
                        gauge("etcd_server_proposals_applied_total", "The total number of consensus proposals applied.",
                                server.appliedIndex()),
                        gauge("etcd_server_proposals_pending", "The current number of pending proposals to commit.",
                                server.pendingProposals()),
                        gauge("etcd_server_proposals_failed_total", "The total number of failed proposals seen.",
                                server.failedProposals()),
                        gauge("etcd_mvcc_db_total_size_in_bytes",
                                "Total size of the underlying database physically allocated in bytes.", server.dbSize()),
                        gauge("etcd_debugging_mvcc_keys_total", "Total number of keys.", server.keysTotal()));
            }
        });
    }

    private static Collector.MetricFamilySamples gauge(String name, String help, double value) {
        return new GaugeMetricFamily(name, help, value);
    }
}
