package io.etcdjava.server.lease;

import java.util.Arrays;
import java.util.Comparator;

/**
 * What a new leader does to deadlines before it starts revoking: when many leases would come due
 * within the same second, later ones in that second are pushed back so that no second holds more
 * than three quarters of the revoke rate (etcd's lessor Promote rule), leaving room for leases that
 * expire normally. A lease is pushed back by at most the time it takes to revoke those before it.
 */
final class ExpirySpreader {
    private ExpirySpreader() {
    }

    /** A lease and its deadline (nanoseconds on the lessor's clock); the spreader may move it. */
    static final class Due {
        final long id;
        long deadline;

        Due(long id, long deadline) {
            this.id = id;
            this.deadline = deadline;
        }
    }

    /**
     * Spreads {@code leases} in place.
     *
     * @param revokesPerSecond the lessor's revoke rate; fewer leases than this are left alone
     */
    static void spread(Due[] leases, long now, int revokesPerSecond) {
        if (leases.length < revokesPerSecond || leases.length == 0) {
            return;
        }
        Due[] sorted = leases.clone();
        Arrays.sort(sorted, Comparator.comparingLong(d -> d.deadline));
        long second = 1_000_000_000L;
        long target = Math.max(1, (3L * revokesPerSecond) / 4);
        long baseWindow = sorted[0].deadline - now;
        long nextWindow = baseWindow + second;
        long inWindow = 0;
        for (Due d : sorted) {
            long remaining = d.deadline - now;
            if (remaining > nextWindow) {
                // A new busy second starts at this lease.
                baseWindow = remaining;
                nextWindow = baseWindow + second;
                inWindow = 1;
                continue;
            }
            inWindow++;
            if (inWindow <= target) {
                continue;
            }
            // The n-th lease of a crowded second waits n/target seconds after the window opened,
            // less how far into the window it already was.
            long delay = (long) (second * ((double) inWindow / target)) - (remaining - baseWindow);
            nextWindow = baseWindow + delay;
            // Never earlier than the deadline it had.
            d.deadline += Math.max(0, delay);
        }
    }
}
