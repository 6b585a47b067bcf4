package io.etcdjava.raft.tracker;

import java.util.Arrays;

/** Bounded FIFO ring of the last indexes of append messages sent to one follower but not yet acked. */
public final class Inflights {
    private static final long[] NONE = new long[0];

    private final int capacity;
    private int start;
    private int count;
    /**
     * Grown lazily up to {@code capacity}: most followers keep few messages in flight, and a leader
     * holds one of these per peer. Until it reaches capacity the contents never wrap, because a
     * position only wraps at {@code capacity}.
     */
    private long[] buffer;

    public Inflights(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("negative inflights capacity: " + capacity);
        }
        this.capacity = capacity;
        this.buffer = NONE;
    }

    private Inflights(Inflights other) {
        this.capacity = other.capacity;
        this.start = other.start;
        this.count = other.count;
        this.buffer = other.buffer.length == 0 ? NONE : other.buffer.clone();
    }

    /** Returns an independent deep copy. */
    public Inflights copy() {
        return new Inflights(this);
    }

    /** Records an in-flight message whose last entry is {@code index}; indexes must be added in order. */
    public void add(long index) {
        if (full()) {
            throw new IllegalStateException("cannot add into a full inflights (capacity " + capacity + ")");
        }
        int next = start + count;
        if (next >= capacity) {
            next -= capacity;
        }
        if (next >= buffer.length) {
            grow();
        }
        buffer[next] = index;
        count++;
    }

    private void grow() {
        int newSize = buffer.length == 0 ? 1 : Math.min(buffer.length * 2, capacity);
        buffer = Arrays.copyOf(buffer, newSize);
    }

    /** Frees every in-flight message whose last index is {@code <= index}. */
    public void freeLE(long index) {
        if (count == 0 || index < buffer[start]) {
            return;
        }
        int idx = start;
        int freed = 0;
        while (freed < count && buffer[idx] <= index) {
            freed++;
            if (++idx >= capacity) {
                idx -= capacity;
            }
        }
        count -= freed;
        // Restarting at 0 when empty keeps the lazily grown buffer as small as possible.
        start = count == 0 ? 0 : idx;
    }

    /** Frees the oldest in-flight message, if any. */
    public void freeFirstOne() {
        if (count > 0) {
            freeLE(buffer[start]);
        }
    }

    public boolean full() {
        return count == capacity;
    }

    public int count() {
        return count;
    }

    /** Forgets all in-flight messages (keeps the allocated buffer). */
    public void reset() {
        count = 0;
        start = 0;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0, idx = start; i < count; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(buffer[idx]);
            if (++idx >= capacity) {
                idx -= capacity;
            }
        }
        return sb.append("]/").append(capacity).toString();
    }
}
