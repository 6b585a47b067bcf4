package io.etcdjava.server.etcdserver;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Proposers waiting for their request to be applied, by request ID. The apply thread triggers;
 * an ID proposed on another member is simply not here. Each waiter has a deadline that
 * {@link #expire} enforces from one periodic sweep, instead of a timer per request (a timer
 * insert and cancel per put was a measurable share of the write path's CPU).
 */
final class Wait {
    private record Waiter(CompletableFuture<Object> future, long deadlineNanos) {
    }

    private final ConcurrentHashMap<Long, Waiter> waiters = new ConcurrentHashMap<>();

    /** A waiter for {@code id} that {@link #expire} fails once {@code System.nanoTime()} passes the deadline. */
    CompletableFuture<Object> register(long id, long deadlineNanos) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        if (waiters.putIfAbsent(id, new Waiter(f, deadlineNanos)) != null) {
            throw new IllegalStateException("duplicate request id " + Long.toHexString(id));
        }
        return f;
    }

    /** Completes the waiter with a result, or exceptionally when {@code result} is a Throwable. */
    void trigger(long id, Object result) {
        Waiter w = waiters.remove(id);
        if (w == null) {
            return;
        }
        if (result instanceof Throwable t) {
            w.future.completeExceptionally(t);
        } else {
            w.future.complete(result);
        }
    }

    /** Fails every waiter whose deadline is before {@code nowNanos}; returns how many. */
    int expire(long nowNanos, Supplier<? extends Throwable> why) {
        int n = 0;
        for (Map.Entry<Long, Waiter> e : waiters.entrySet()) {
            if (nowNanos - e.getValue().deadlineNanos > 0 && waiters.remove(e.getKey(), e.getValue())) {
                e.getValue().future.completeExceptionally(why.get());
                n++;
            }
        }
        return n;
    }

    int size() {
        return waiters.size();
    }

    /** Fails every waiter (member stopping). */
    void failAll(Throwable why) {
        for (Long id : waiters.keySet()) {
            trigger(id, why);
        }
    }
}
