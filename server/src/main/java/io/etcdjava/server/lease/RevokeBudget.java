package io.etcdjava.server.lease;

/**
 * The leader's revoke rate limit: a token bucket filled at the configured revokes per second and
 * holding at most one tick's worth (at least one), so a leader that was busy or just promoted does
 * not propose a burst. Not thread-safe: the lessor's monitor guards it.
 */
final class RevokeBudget {
    private static final double NANOS = 1_000_000_000L;

    private final int perSecond;
    private final double cap;
    private double tokens;
    private long last;

    RevokeBudget(LessorConfig config, long now) {
        this.perSecond = config.revokesPerSecond();
        this.cap = Math.max(1.0, config.revokesPerSecond() * config.tick().toNanos() / NANOS);
        this.last = now;
    }

    /** A tick: time passes on every member; only a leader earns tokens for it. */
    void advance(long now, boolean earn) {
        double elapsed = (now - last) / NANOS;
        last = now;
        if (earn) {
            tokens = Math.min(cap, tokens + elapsed * perSecond);
        }
    }

    /** A new leader starts empty, earning from now. */
    void reset(long now) {
        tokens = 0;
        last = now;
    }

    boolean available() {
        return tokens >= 1;
    }

    void take() {
        tokens--;
    }
}
