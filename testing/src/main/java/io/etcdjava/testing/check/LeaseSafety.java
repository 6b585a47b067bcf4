package io.etcdjava.testing.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Leases: a key attached to a lease must exist as long as the lease is provably alive, and be
 * gone soon after the lease's last possible refresh plus its TTL.
 *
 * <p>A grant of TTL t invoked at g, or a keep-alive invoked at k that answered TTL t &gt; 0, was
 * applied no earlier than its invocation, so the lease lives at least until g + t (k + t): a read
 * or a delete event showing the key gone before the latest such instant is an early death, and so
 * is a keep-alive answering "not found" (TTL 0) before it — a lease never comes back. The last
 * refresh happened no later than the grant's or a successful keep-alive's completion, or the
 * invocation of a keep-alive whose answer was lost; a read invoked more than the TTL plus the
 * allowed bound after it that still returns the key is a key that outlived its lease. The bound
 * covers the expiry sweep interval, the TTL a new leader grants back after an election, and a
 * lost keep-alive applied late.
 */
public final class LeaseSafety {
    private LeaseSafety() {
    }

    /** What the history proves about one lease's life; times in nanos. */
    private static final class Life {
        final Op grant;
        long aliveUntil;      // the lease provably lives until here
        long lastRefresh;     // no refresh happened after here
        long ttlNanos;        // the longest TTL granted or answered

        Life(Op grant) {
            this.grant = grant;
            this.ttlNanos = Duration.ofSeconds(grant.ttl()).toNanos();
            this.aliveUntil = grant.invokeNanos() + ttlNanos;
            this.lastRefresh = grant.completeNanos();
        }

        void keptAlive(Op ka) {
            if (!ka.completed()) {
                lastRefresh = Math.max(lastRefresh, ka.invokeNanos());
            } else if (ka.ttl() > 0) {
                long ttl = Duration.ofSeconds(ka.ttl()).toNanos();
                ttlNanos = Math.max(ttlNanos, ttl);
                aliveUntil = Math.max(aliveUntil, ka.invokeNanos() + ttl);
                lastRefresh = Math.max(lastRefresh, ka.completeNanos());
            }
        }

        String describe() {
            return "key of lease " + grant.lease() + " (ttl " + ttlNanos / 1_000_000_000L + "s)";
        }
    }

    public static List<Violation> check(List<Op> history, List<WatchEvent> events, Duration allowedExtra) {
        List<Violation> out = new ArrayList<>();
        Map<Long, Life> leases = new HashMap<>();
        Map<String, Op> leasedPut = new HashMap<>();
        for (Op op : history) {
            if (op.kind() == OpKind.LEASE_GRANT && op.completed()) {
                leases.put(op.lease(), new Life(op));
            } else if (op.kind() == OpKind.PUT && op.lease() != 0) {
                leasedPut.put(op.key(), op);
            }
        }
        for (Op op : history) {
            Life life = op.kind() == OpKind.LEASE_KEEPALIVE ? leases.get(op.lease()) : null;
            if (life != null) {
                life.keptAlive(op);
            }
        }
        for (Op op : history) {
            Life life = op.kind() == OpKind.LEASE_KEEPALIVE ? leases.get(op.lease()) : null;
            if (life != null && op.completed() && op.ttl() == 0 && op.completeNanos() < life.aliveUntil) {
                out.add(new Violation("lease", "lease " + op.lease(), "lease " + op.lease() + " was not found "
                        + millis(life.aliveUntil - op.completeNanos()) + " ms before it could expire: " + op));
            }
        }
        for (Op op : history) {
            Op put = op.kind() == OpKind.GET && op.completed() ? leasedPut.get(op.key()) : null;
            Life life = put == null ? null : leases.get(put.lease());
            if (life == null) {
                continue;
            }
            if (op.readValue() == null && put.completed() && op.invokeNanos() > put.completeNanos()
                    && op.completeNanos() < life.aliveUntil) {
                out.add(new Violation("lease", op.key(), life.describe() + " was gone "
                        + millis(life.aliveUntil - op.completeNanos()) + " ms before the lease could expire: " + op));
            }
            long deadline = life.lastRefresh + life.ttlNanos + allowedExtra.toNanos();
            if (op.readValue() != null && op.invokeNanos() > deadline) {
                out.add(new Violation("lease", op.key(), life.describe() + " still read "
                        + millis(op.invokeNanos() - life.lastRefresh) + " ms after the lease's last refresh, beyond"
                        + " its ttl and the allowed " + allowedExtra.toMillis() + " ms: " + op));
            }
        }
        for (WatchEvent e : events) {
            Op put = e.type() == WatchEvent.Type.DELETE ? leasedPut.get(e.key()) : null;
            Life life = put == null ? null : leases.get(put.lease());
            if (life != null && e.receivedNanos() < life.aliveUntil) {
                out.add(new Violation("lease", e.key(), life.describe() + " deleted "
                        + millis(life.aliveUntil - e.receivedNanos()) + " ms before the lease could expire: " + e));
            }
        }
        return out;
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}
