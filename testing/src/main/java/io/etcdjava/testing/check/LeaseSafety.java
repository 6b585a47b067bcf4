package io.etcdjava.testing.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Leases: a key attached to a lease of TTL t granted at g must still exist until g + t (it may
 * not die early — proven when its absence was observed, by a read or a delete event, before
 * the grant was even invoked + t), and must be gone by the grant's completion + t + the allowed
 * bound (proven outlived when a read invoked after that still returned it). The bound covers the
 * expiry sweep interval and the TTL a new leader grants back after an election.
 */
public final class LeaseSafety {
    private LeaseSafety() {
    }

    public static List<Violation> check(List<Op> history, List<WatchEvent> events, Duration allowedExtra) {
        List<Violation> out = new ArrayList<>();
        Map<Long, Op> grants = new HashMap<>();
        Map<String, Op> leasedPut = new HashMap<>();
        for (Op op : history) {
            if (op.kind() == OpKind.LEASE_GRANT && op.completed()) {
                grants.put(op.lease(), op);
            } else if (op.kind() == OpKind.PUT && op.lease() != 0) {
                leasedPut.put(op.key(), op);
            }
        }
        for (Op op : history) {
            Op put = op.kind() == OpKind.GET && op.completed() ? leasedPut.get(op.key()) : null;
            Op grant = put == null ? null : grants.get(put.lease());
            if (grant == null) {
                continue;
            }
            long ttl = Duration.ofSeconds(grant.ttl()).toNanos();
            if (op.readValue() == null && put.completed() && op.invokeNanos() > put.completeNanos()
                    && op.completeNanos() < grant.invokeNanos() + ttl) {
                out.add(new Violation("lease", op.key(), "key of lease " + grant.lease() + " (ttl " + grant.ttl()
                        + "s) was gone " + millis(op.completeNanos() - grant.invokeNanos())
                        + " ms after the grant was asked for: " + op));
            }
            if (op.readValue() != null && op.invokeNanos() > grant.completeNanos() + ttl + allowedExtra.toNanos()) {
                out.add(new Violation("lease", op.key(), "key of lease " + grant.lease() + " (ttl " + grant.ttl()
                        + "s) still read " + millis(op.invokeNanos() - grant.completeNanos())
                        + " ms after the grant, beyond the allowed " + allowedExtra.toMillis() + " ms: " + op));
            }
        }
        for (WatchEvent e : events) {
            Op put = e.type() == WatchEvent.Type.DELETE ? leasedPut.get(e.key()) : null;
            Op grant = put == null ? null : grants.get(put.lease());
            if (grant != null && e.receivedNanos() < grant.invokeNanos() + Duration.ofSeconds(grant.ttl()).toNanos()) {
                out.add(new Violation("lease", e.key(), "key of lease " + grant.lease() + " (ttl " + grant.ttl()
                        + "s) deleted " + millis(e.receivedNanos() - grant.invokeNanos())
                        + " ms after the grant was asked for: " + e));
            }
        }
        return out;
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}
