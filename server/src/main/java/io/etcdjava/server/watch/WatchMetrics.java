package io.etcdjava.server.watch;

import io.etcdjava.server.metrics.Metrics;
import io.prometheus.client.Gauge;

/** etcd's watch gauges (mvcc/metrics.go), registered when a registry is given. */
final class WatchMetrics {
    final Gauge streams;
    final Gauge watchers;
    final Gauge slowWatchers;
    final Gauge pendingEvents;

    WatchMetrics(Metrics registry) {
        streams = gauge(registry, "etcd_debugging_mvcc_watch_stream_total", "Total number of watch streams.");
        watchers = gauge(registry, "etcd_debugging_mvcc_watcher_total", "Total number of watchers.");
        slowWatchers = gauge(registry, "etcd_debugging_mvcc_slow_watcher_total",
                "Total number of unsynced slow watchers.");
        pendingEvents = gauge(registry, "etcd_debugging_mvcc_pending_events_total",
                "Total number of pending events to be sent.");
    }

    private static Gauge gauge(Metrics registry, String name, String help) {
        Gauge g = Gauge.build(name, help).create();
        if (registry != null) {
            registry.register(g);
        }
        return g;
    }
}
