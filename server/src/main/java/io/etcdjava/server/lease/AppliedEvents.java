package io.etcdjava.server.lease;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The hand-off from the apply thread to the lessor thread: what apply did to a lease, dated on this
 * member's clock. The apply thread only queues and schedules a drain, so it never waits for the
 * lessor's monitor. Thread-safe.
 */
final class AppliedEvents implements LeaseStore.Listener {
    enum Kind { GRANTED, REVOKED, CHECKPOINTED }

    /** Something the apply thread did to a lease, stamped with when this member applied it. */
    record Event(Kind kind, long id, long remaining, long at) {
    }

    private final ConcurrentLinkedQueue<Event> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final LongSupplier clock;
    private final Executor lessorThread;
    private final Runnable drain;

    /** @param drain run on {@code lessorThread} when events arrive; calls {@link #draining} first */
    AppliedEvents(LongSupplier clock, Executor lessorThread, Runnable drain) {
        this.clock = clock;
        this.lessorThread = lessorThread;
        this.drain = drain;
    }

    // The clock is read here, beside apply, only to date what this member saw; the applied state
    // never depends on it.
    @Override
    public void granted(long id) {
        add(new Event(Kind.GRANTED, id, 0, clock.getAsLong()));
    }

    @Override
    public void revoked(long id) {
        add(new Event(Kind.REVOKED, id, 0, clock.getAsLong()));
    }

    @Override
    public void checkpointed(long id, long remaining) {
        add(new Event(Kind.CHECKPOINTED, id, remaining, clock.getAsLong()));
    }

    private void add(Event e) {
        queue.add(e);
        if (!drainScheduled.getAndSet(true)) {
            try {
                lessorThread.execute(drain);
            } catch (RejectedExecutionException stopped) {
                drainScheduled.set(false);
            }
        }
    }

    /** A drain starts: events queued from now on schedule another. */
    void draining() {
        drainScheduled.set(false);
    }

    /** The oldest event not yet taken, or null. */
    Event poll() {
        return queue.poll();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }
}
