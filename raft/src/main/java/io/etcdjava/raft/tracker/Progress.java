package io.etcdjava.raft.tracker;

import java.util.Objects;

/** The leader's mutable view of one follower's replication progress. */
public final class Progress {
    private long match;
    private long next;
    private ProgressState state = ProgressState.PROBE;
    /** Index of the snapshot in flight while in SNAPSHOT state, 0 otherwise. */
    private long pendingSnapshot;
    /** Set on any message from the follower; cleared by the leader every election timeout (check quorum). */
    private boolean recentActive;
    /** In PROBE, true once a probe was sent, pausing appends until the follower answers. */
    private boolean probeSent;
    private final Inflights inflights;
    private boolean isLearner;

    public Progress(long next, Inflights inflights, boolean isLearner) {
        this.next = next;
        this.inflights = Objects.requireNonNull(inflights, "inflights");
        this.isLearner = isLearner;
    }

    /** Returns a deep copy, inflights included. */
    public Progress copy() {
        Progress p = new Progress(next, inflights.copy(), isLearner);
        p.match = match;
        p.state = state;
        p.pendingSnapshot = pendingSnapshot;
        p.recentActive = recentActive;
        p.probeSent = probeSent;
        return p;
    }

    public long match() {
        return match;
    }

    public long next() {
        return next;
    }

    public ProgressState state() {
        return state;
    }

    public long pendingSnapshot() {
        return pendingSnapshot;
    }

    public boolean recentActive() {
        return recentActive;
    }

    public boolean probeSent() {
        return probeSent;
    }

    public Inflights inflights() {
        return inflights;
    }

    public boolean isLearner() {
        return isLearner;
    }

    public void setMatch(long match) {
        this.match = match;
    }

    public void setNext(long next) {
        this.next = next;
    }

    public void setRecentActive(boolean recentActive) {
        this.recentActive = recentActive;
    }

    public void setProbeSent(boolean probeSent) {
        this.probeSent = probeSent;
    }

    public void setLearner(boolean learner) {
        this.isLearner = learner;
    }

    private void resetState(ProgressState newState) {
        probeSent = false;
        pendingSnapshot = 0;
        state = newState;
        inflights.reset();
    }

    /** The follower answered the probe, so the next one may be sent. */
    public void probeAcked() {
        probeSent = false;
    }

    /** Falls back to probing from just after what is known to be replicated. */
    public void becomeProbe() {
        if (state == ProgressState.SNAPSHOT) {
            // The snapshot was delivered (or at least attempted), so probing can start after it.
            long snap = pendingSnapshot;
            resetState(ProgressState.PROBE);
            next = Math.max(match + 1, snap + 1);
        } else {
            resetState(ProgressState.PROBE);
            next = match + 1;
        }
    }

    public void becomeReplicate() {
        resetState(ProgressState.REPLICATE);
        next = match + 1;
    }

    public void becomeSnapshot(long snapshotIndex) {
        resetState(ProgressState.SNAPSHOT);
        pendingSnapshot = snapshotIndex;
    }

    /**
     * Handles an ack of index {@code n}: raises match (returning true if it moved) and makes sure
     * next is past it. A stale ack never moves either backwards.
     */
    public boolean maybeUpdate(long n) {
        boolean updated = false;
        if (match < n) {
            match = n;
            updated = true;
            probeAcked();
        }
        if (next < n + 1) {
            next = n + 1;
        }
        return updated;
    }

    /** Advances next after sending entries up to {@code n}, without waiting for the ack. */
    public void optimisticUpdate(long n) {
        next = n + 1;
    }

    /**
     * Handles a rejected append at index {@code rejected}, where the follower hinted its last index
     * is {@code matchHint}. Returns false if the rejection is stale and must be ignored.
     */
    public boolean maybeDecrTo(long rejected, long matchHint) {
        if (state == ProgressState.REPLICATE) {
            // Anything at or below match was already acked, so this rejection is outdated.
            if (rejected <= match) {
                return false;
            }
            next = match + 1;
            return true;
        }
        // Outside REPLICATE only next-1 is ever probed, so any other rejection is outdated.
        if (next - 1 != rejected) {
            return false;
        }
        next = Math.max(1, Math.min(rejected, matchHint + 1));
        probeSent = false;
        return true;
    }

    /** Whether the leader must hold back appends to this follower for now. */
    public boolean isPaused() {
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.full();
            case SNAPSHOT -> true;
        };
    }

    /** Formats like etcd, e.g. {@code StateReplicate match=5 next=6 learner paused inflight=3[full]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(stateName(state))
                .append(" match=").append(match)
                .append(" next=").append(next);
        if (isLearner) {
            sb.append(" learner");
        }
        if (isPaused()) {
            sb.append(" paused");
        }
        if (pendingSnapshot > 0) {
            sb.append(" pendingSnap=").append(pendingSnapshot);
        }
        if (!recentActive) {
            sb.append(" inactive");
        }
        int n = inflights.count();
        if (n > 0) {
            sb.append(" inflight=").append(n);
            if (inflights.full()) {
                sb.append("[full]");
            }
        }
        return sb.toString();
    }

    private static String stateName(ProgressState s) {
        return switch (s) {
            case PROBE -> "StateProbe";
            case REPLICATE -> "StateReplicate";
            case SNAPSHOT -> "StateSnapshot";
        };
    }
}
