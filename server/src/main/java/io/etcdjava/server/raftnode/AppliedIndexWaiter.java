package io.etcdjava.server.raftnode;

import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;

/**
 * Lets readers wait until the member has applied a given raft index. The apply thread calls
 * {@link #applied} after each batch; waiters complete on that thread, so they must only hand work
 * off (complete a future), never block.
 */
final class AppliedIndexWaiter {
    private record Waiter(long index, CompletableFuture<Void> done) {
    }

    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>((a, b) -> Long.compare(a.index, b.index));
    private volatile long applied;

    AppliedIndexWaiter(long initiallyApplied) {
        this.applied = initiallyApplied;
    }

    long applied() {
        return applied;
    }

    CompletableFuture<Void> await(long index) {
        if (index <= applied) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (this) {
            if (index <= applied) {
                f.complete(null);
            } else {
                waiters.add(new Waiter(index, f));
            }
        }
        return f;
    }

    void applied(long index) {
        synchronized (this) {
            applied = index;
            while (!waiters.isEmpty() && waiters.peek().index <= index) {
                waiters.poll().done.complete(null);
            }
        }
    }
}
