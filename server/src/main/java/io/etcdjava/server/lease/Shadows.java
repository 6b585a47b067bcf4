package io.etcdjava.server.lease;

import java.util.HashMap;
import java.util.Map;

/**
 * Every member's idea of each lease's deadline, on its own clock, from what it applied: a grant or
 * a clear (a renewal recorded through raft) implies "applied at {@code at}, full TTL from there";
 * a checkpoint of {@code R} whole seconds implies "at most {@code at + R}". A new leader starts
 * from these deadlines, so they must never lie early by more than the extension it adds (one
 * election timeout) nor late by more than raft's own delay.
 *
 * <p>Checkpoints carry whole seconds rounded up (etcd's wire format), so on their own they lie late
 * by up to a second. Precision comes from the deadline already known: a checkpoint only moves a
 * known shadow forward to {@code at + R - 1 s}, the earliest deadline it proves; the lessor makes
 * sure (by recording renewals through raft, or answering them only close to the last recorded one)
 * that a known shadow is never earlier than an acknowledged deadline by more than half an election
 * timeout. Not thread-safe: the lessor's monitor guards it.
 */
final class Shadows {
    private static final long SECOND = 1_000_000_000L;

    private final Map<Long, Long> deadlines = new HashMap<>();

    /** A grant, a clear, or a lease that appeared in a snapshot: its clock restarted at {@code at}. */
    void restarted(long id, long at, long seconds) {
        deadlines.put(id, at + seconds * SECOND);
    }

    /** A checkpoint of {@code remaining} (&gt; 0) whole seconds, rounded up by the leader. */
    void checkpointed(long id, long at, long remaining) {
        long proven = at + remaining * SECOND;
        Long known = deadlines.get(id);
        deadlines.put(id, known == null ? proven : Math.max(known, proven - SECOND));
    }

    void remove(long id) {
        deadlines.remove(id);
    }

    /** The shadow deadline, or null if this member applied nothing that dates the lease. */
    Long get(long id) {
        return deadlines.get(id);
    }
}
