package io.etcdjava.server.lease;

import io.etcdjava.server.metrics.ExactCounter;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Histogram;

/** etcd's lease metrics (etcd_debugging_lease_*), counted by the store and the lessor. */
public final class LeaseMetrics {
    final ExactCounter granted = ExactCounter.build("etcd_debugging_lease_granted_total",
            "The total number of granted leases.").create();
    final ExactCounter revoked = ExactCounter.build("etcd_debugging_lease_revoked_total",
            "The total number of revoked leases.").create();
    final ExactCounter renewed = ExactCounter.build("etcd_debugging_lease_renewed_total",
            "The number of renewed leases seen by the leader.").create();
    final Histogram ttl = Histogram.build("etcd_debugging_lease_ttl_total", "Bucketed histogram of lease TTLs.")
            .exponentialBuckets(1, 2, 24).create();

    /** Registers the four collectors into a member's registry. */
    public void register(CollectorRegistry registry) {
        registry.register(granted);
        registry.register(revoked);
        registry.register(renewed);
        registry.register(ttl);
    }

    public double grantedTotal() {
        return granted.get();
    }

    public double revokedTotal() {
        return revoked.get();
    }

    public double renewedTotal() {
        return renewed.get();
    }
}
