package io.etcdjava.server.lease;

import io.etcdjava.api.etcdserverpb.LeaseCheckpoint;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Leader only: which leases' remaining TTLs the lessor checkpoints through raft, and when. Leases
 * whose deadline moved without raft recording it go every checkpoint interval, so a new leader's
 * shadows stay close; every lease goes in a full round every few seconds, so a full restart starts
 * from a recent remainder. Not thread-safe: the lessor's monitor guards it.
 */
final class CheckpointSchedule {
    private static final long NANOS = 1_000_000_000L;
    /** Every lease, renewed or not, is checkpointed about this often (nanoseconds)... */
    static final long FULL_CHECKPOINT_NANOS = 5 * NANOS;
    /**
     * ...but no faster than this many leases a second, spread over the lessor's ticks: a burst of
     * 100,000 checkpoints would hold the apply thread (and every put behind it) for a while.
     */
    private static final long FULL_CHECKPOINTS_PER_SECOND = 2000;

    private final LeaseStore store;
    private final ExpiryQueue expiry;
    private final LessorConfig config;
    /**
     * Leases whose deadline moved without raft recording it (renewed from memory, granted, or
     * re-clocked by a promotion) since the last checkpoint round.
     */
    private final Set<Long> unrecorded = new HashSet<>();
    /** The rest of the current full checkpoint round, a slice proposed every tick. */
    private final ArrayDeque<Long> fullRound = new ArrayDeque<>();
    private int fullRoundPerTick;
    private long nextFullRound;
    private long lastCheckpoint;

    CheckpointSchedule(LeaseStore store, ExpiryQueue expiry, LessorConfig config, long now) {
        this.store = store;
        this.expiry = expiry;
        this.config = config;
        this.lastCheckpoint = now;
    }

    /** The lease's deadline moved without raft recording it. */
    void unrecorded(long id) {
        unrecorded.add(id);
    }

    /** The lease's revoke applied. */
    void remove(long id) {
        unrecorded.remove(id);
    }

    /** Demoted: nothing to checkpoint. */
    void clear() {
        unrecorded.clear();
        fullRound.clear();
    }

    /** Promoted: the first full round comes a full period from now. */
    void restart(long now) {
        lastCheckpoint = now;
        fullRound.clear();
        nextFullRound = now + FULL_CHECKPOINT_NANOS;
    }

    /** A tick: adds the checkpoints due now to {@code out}. */
    void collect(long now, List<LeaseCheckpoint> out) {
        if (now - lastCheckpoint >= config.checkpointInterval().toNanos()) {
            lastCheckpoint = now;
            collect(now, unrecorded, unrecorded.size(), out);
        }
        collectFullRoundSlice(now, out);
    }

    /**
     * Checkpoints of the first {@code max} leases of {@code ids} (removing them), skipping those
     * whose applied remainder is already right.
     */
    private void collect(long now, Collection<Long> ids, int max, List<LeaseCheckpoint> out) {
        Iterator<Long> it = ids.iterator();
        for (int n = 0; n < max && it.hasNext(); n++) {
            long id = it.next();
            it.remove();
            Long deadline = expiry.get(id);
            long[] ttls = store.ttls(id);
            if (deadline == null || ttls == null || deadline <= now || expiry.revoking(id)) {
                continue;
            }
            // Rounded up: a remainder read back later must never expire the lease early.
            long remaining = (deadline - now + NANOS - 1) / NANOS;
            if (remaining != ttls[1]) {
                out.add(LeaseCheckpoint.newBuilder().setID(id).setRemainingTTL(remaining).build());
            }
        }
    }

    /**
     * Every lease every {@link #FULL_CHECKPOINT_NANOS} (longer with very many leases), so that a
     * full restart starts from a recent remainder; a slice per tick rather than all at once.
     */
    private void collectFullRoundSlice(long now, List<LeaseCheckpoint> out) {
        if (fullRound.isEmpty()) {
            if (now < nextFullRound || expiry.isEmpty()) {
                return;
            }
            long period = Math.max(Math.max(FULL_CHECKPOINT_NANOS, config.checkpointInterval().toNanos()),
                    expiry.size() * NANOS / FULL_CHECKPOINTS_PER_SECOND);
            nextFullRound = now + period;
            fullRound.addAll(expiry.ids());
            long ticks = Math.max(1, period / config.tick().toNanos());
            fullRoundPerTick = (int) Math.min(Integer.MAX_VALUE, (fullRound.size() + ticks - 1) / ticks);
        }
        collect(now, fullRound, fullRoundPerTick, out);
    }
}
