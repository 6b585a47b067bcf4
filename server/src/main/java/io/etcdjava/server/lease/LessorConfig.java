package io.etcdjava.server.lease;

import java.time.Duration;

/**
 * Settings of the leader-side {@link Lessor}.
 *
 * @param electionTimeout how far a new leader extends every lease (etcd's Promote(extend))
 * @param tick how often the lessor looks for expired leases and due checkpoints
 * @param revokesPerSecond expired-lease revoke proposals per second (etcd hard-codes 1000)
 * @param checkpointInterval how often renewed leases' remaining TTLs are checkpointed through raft
 *     (every lease's at least every 5 s)
 * @param retryInterval when a revoke proposal failed, how long before it is proposed again
 */
public record LessorConfig(Duration electionTimeout, Duration tick, int revokesPerSecond,
                           Duration checkpointInterval, Duration retryInterval) {
    public LessorConfig {
        if (electionTimeout.isNegative() || tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("lessor durations must be positive");
        }
        if (revokesPerSecond <= 0) {
            throw new IllegalArgumentException("revokesPerSecond must be positive: " + revokesPerSecond);
        }
        if (checkpointInterval.isNegative() || checkpointInterval.isZero() || retryInterval.isNegative()) {
            throw new IllegalArgumentException("checkpoint and retry intervals must be positive");
        }
    }

    /**
     * Defaults for a member with this election timeout: 1000 revokes/s and 3 s retries as etcd;
     * renewed leases checkpointed every election timeout (at least 100 ms) rather than etcd's
     * 5 minutes, so that a new leader (or a restart) starts from a recent remainder. Renewals since
     * the last checkpoint are covered by the lessor itself: it answers one without raft only within
     * half an election timeout of the lease's last applied clear or grant.
     */
    public static LessorConfig defaults(Duration electionTimeout) {
        Duration cp = electionTimeout.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : electionTimeout;
        return new LessorConfig(electionTimeout, Duration.ofMillis(50), 1000, cp, Duration.ofSeconds(3));
    }

    public LessorConfig withCheckpointInterval(Duration d) {
        return new LessorConfig(electionTimeout, tick, revokesPerSecond, d, retryInterval);
    }

    public LessorConfig withRevokesPerSecond(int n) {
        return new LessorConfig(electionTimeout, tick, n, checkpointInterval, retryInterval);
    }
}
