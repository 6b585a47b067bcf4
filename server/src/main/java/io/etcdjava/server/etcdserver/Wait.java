package io.etcdjava.server.etcdserver;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Proposers waiting for their request to be applied, by request ID. The apply thread triggers;
 * an ID proposed on another member is simply not here.
 */
final class Wait {
    private final ConcurrentHashMap<Long, CompletableFuture<Object>> waiters = new ConcurrentHashMap<>();

    CompletableFuture<Object> register(long id) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        if (waiters.putIfAbsent(id, f) != null) {
            throw new IllegalStateException("duplicate request id " + Long.toHexString(id));
        }
        return f;
    }

    /** Completes the waiter with a result, or exceptionally when {@code result} is a Throwable. */
    void trigger(long id, Object result) {
        CompletableFuture<Object> f = waiters.remove(id);
        if (f == null) {
            return;
        }
        if (result instanceof Throwable t) {
            f.completeExceptionally(t);
        } else {
            f.complete(result);
        }
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
