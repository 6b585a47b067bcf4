package io.etcdjava.server.lease;

import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Leader only: each lease's deadline on the lessor's clock, ordered so a tick finds the due ones
 * without scanning every lease, and the leases whose revoke is in flight. Not thread-safe: the
 * lessor's monitor guards it.
 */
final class ExpiryQueue {
    /** A deadline in the queue; stale once the lease's deadline moved. */
    private record Due(long deadline, long id) {
    }

    private final Map<Long, Long> deadlines = new HashMap<>();
    /** Every deadline ever set, stale ones included: moving a deadline only adds an entry. */
    private final PriorityQueue<Due> queue = new PriorityQueue<>(Comparator.comparingLong(Due::deadline));
    private final Set<Long> revoking = new HashSet<>();

    void set(long id, long deadline) {
        deadlines.put(id, deadline);
        queue.add(new Due(deadline, id));
    }

    /** The lease's deadline, or null if this leader does not clock it. */
    Long get(long id) {
        return deadlines.get(id);
    }

    long getOrDefault(long id, long absent) {
        return deadlines.getOrDefault(id, absent);
    }

    boolean contains(long id) {
        return deadlines.containsKey(id);
    }

    boolean isEmpty() {
        return deadlines.isEmpty();
    }

    int size() {
        return deadlines.size();
    }

    /** A read-only view of the clocked leases. */
    Collection<Long> ids() {
        return Collections.unmodifiableSet(deadlines.keySet());
    }

    /** True while the lease's revoke is proposed and not yet applied or failed. */
    boolean revoking(long id) {
        return revoking.contains(id);
    }

    /** The revoke proposal failed: the lease may be taken again once due. */
    void revokeFailed(long id) {
        revoking.remove(id);
    }

    /** The lease's revoke applied. */
    void remove(long id) {
        deadlines.remove(id);
        revoking.remove(id);
    }

    void clear() {
        deadlines.clear();
        queue.clear();
        revoking.clear();
    }

    /**
     * Marks due leases revoking and adds them to {@code out}, while the budget allows;
     * O(taken · log n).
     */
    void takeExpired(long now, RevokeBudget budget, List<Long> out) {
        Due d;
        while (budget.available() && (d = queue.peek()) != null && d.deadline() <= now) {
            queue.poll();
            Long current = deadlines.get(d.id());
            if (current == null || current != d.deadline() || revoking.contains(d.id())) {
                continue;
            }
            revoking.add(d.id());
            out.add(d.id());
            budget.take();
        }
        if (queue.size() > 2 * deadlines.size() + 1024) {
            // Renewals leave stale entries behind; rebuild before they outnumber the leases.
            queue.clear();
            deadlines.forEach((id, deadline) -> queue.add(new Due(deadline, id)));
        }
    }
}
