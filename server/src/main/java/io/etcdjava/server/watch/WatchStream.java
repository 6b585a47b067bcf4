package io.etcdjava.server.watch;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

/**
 * One client stream's watchers (etcd's mvcc.WatchStream) and the bounded queue of {@link Delivery}
 * messages waiting for its transport, in send order.
 *
 * <p>The queue holds at most {@code streamBufferLength} event messages; when it is full a synced
 * watcher falls back to catching up from the store, so a slow reader costs no memory beyond the
 * buffer. Answers to create/cancel/progress requests are always queued (one per client request).
 *
 * <p>Threads. Requests ({@link #watch}, {@link #cancel}, ...) from any thread; {@link #poll()} from
 * the single transport thread draining the stream; the {@code onReady} callback may run on the
 * apply thread and must only schedule that drain.
 */
public final class WatchStream implements AutoCloseable {
    private final WatchableStore store;
    private final int capacity;
    private final Runnable onReady;

    // Guarded by store.mu.
    final Map<Long, Watcher> watchers = new HashMap<>();
    private long nextId;
    boolean closed;
    ScheduledFuture<?> progressTicker;

    // Guarded by queue's monitor (taken inside store.mu, or alone by poll).
    private final ArrayDeque<Delivery> queue = new ArrayDeque<>();
    private int eventMessages;

    WatchStream(WatchableStore store, int capacity, Runnable onReady) {
        this.store = store;
        this.capacity = capacity;
        this.onReady = onReady;
    }

    /**
     * Adds a watcher and queues its {@code created} answer (cancelled, with etcd's reason, when the
     * id is taken or the range is empty).
     *
     * @return the watcher's id, or -1 when it was refused
     */
    public long watch(WatchSpec spec) {
        return store.watch(this, spec);
    }

    /** Removes a watcher and queues its {@code canceled} answer; false (and nothing queued) if unknown. */
    public boolean cancel(long watchId) {
        return store.cancel(this, watchId);
    }

    /** Queues a progress answer (watch id -1) at the current revision. */
    public void requestProgress() {
        store.requestProgress(this);
    }

    /** The next message to send, or null. */
    public Delivery poll() {
        Delivery d;
        boolean wasFull;
        synchronized (queue) {
            d = queue.poll();
            if (d == null) {
                return null;
            }
            wasFull = eventMessages >= capacity;
            if (d.kind() == Delivery.Kind.EVENTS) {
                eventMessages--;
            }
        }
        store.metrics.pendingEvents.dec(d.events().size());
        if (wasFull) {
            store.wakeSync();
        }
        return d;
    }

    /** Cancels every watcher; queued messages are dropped. */
    @Override
    public void close() {
        store.closeStream(this);
        int dropped = 0;
        synchronized (queue) {
            for (Delivery d : queue) {
                dropped += d.events().size();
            }
            queue.clear();
            eventMessages = 0;
        }
        store.metrics.pendingEvents.dec(dropped);
    }

    // ------------------------------------------------------------------ under store.mu

    long assignId(long requested) {
        if (requested != 0) {
            return watchers.containsKey(requested) ? -1 : requested;
        }
        while (watchers.containsKey(nextId)) {
            nextId++;
        }
        return nextId++;
    }

    /** Messages waiting (tests). */
    int queued() {
        synchronized (queue) {
            return queue.size();
        }
    }

    boolean hasRoom() {
        synchronized (queue) {
            return eventMessages < capacity;
        }
    }

    /** Queues an event message unless the buffer is full. */
    boolean offerEvents(Delivery d) {
        synchronized (queue) {
            if (closed || eventMessages >= capacity) {
                return false;
            }
            queue.add(d);
            eventMessages++;
        }
        store.metrics.pendingEvents.inc(d.events().size());
        onReady.run();
        return true;
    }

    /** Queues an answer to a client request. */
    void offerControl(Delivery d) {
        synchronized (queue) {
            if (closed) {
                return;
            }
            queue.add(d);
        }
        onReady.run();
    }
}
