package io.etcdjava.testing.client;

import io.etcdjava.testing.check.History;
import io.etcdjava.testing.check.Op;
import io.etcdjava.testing.check.WatchEvent;
import io.etcdjava.testing.check.WatchSegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Collects what every client and watcher did; thread-safe; {@link #history} snapshots it. */
public final class Recorder {
    private final AtomicLong ids = new AtomicLong();
    private final List<Op> ops = new ArrayList<>();
    private final List<WatchSegment> segments = new ArrayList<>();
    private final List<WatchEvent> events = new ArrayList<>();

    long nextId() {
        return ids.incrementAndGet();
    }

    synchronized void op(Op op) {
        ops.add(op);
    }

    synchronized void segment(WatchSegment s) {
        segments.add(s);
    }

    synchronized void event(WatchEvent e) {
        events.add(e);
    }

    public synchronized History history() {
        return new History(ops, segments, events);
    }

    public synchronized long opCount() {
        return ops.size();
    }
}
