package io.etcdjava.server.it;

import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.server.it.HistoryEvent.KeyRange;
import java.util.ArrayList;
import java.util.List;

/**
 * One watcher of the watch history test as a client sees it: segments of events, each begun by a
 * (re)create at a start revision on some stream. Only the stream it is attached to counts; answers
 * still in flight on a stream it left are dropped, so a segment never holds events past the
 * revision the next one resumed at.
 */
final class HistoryWatcher {
    final int id;
    final KeyRange range;
    final long start;
    private final List<Long> segmentStarts = new ArrayList<>();
    private final List<Boolean> compactedAfter = new ArrayList<>();
    private final List<List<HistoryEvent>> segments = new ArrayList<>();
    private int member;
    private long lastRev;
    private long firstFrom; // start, or for start 0 the created answer's revision + 1
    private Object stream;

    HistoryWatcher(int id, KeyRange range, long start) {
        this.id = id;
        this.range = range;
        this.start = start;
    }

    /** Leaves the current stream and says where to resume: last revision seen + 1. */
    synchronized long detach() {
        stream = null;
        return lastRev > 0 ? lastRev + 1 : firstFrom > 0 ? firstFrom : start;
    }

    synchronized int member() {
        return member;
    }

    synchronized void begin(Object on, int onMember, long from) {
        stream = on;
        member = onMember;
        if (from > 0 && firstFrom == 0) {
            firstFrom = from;
        }
        segmentStarts.add(from);
        compactedAfter.add(false);
        segments.add(new ArrayList<>());
    }

    synchronized boolean attachedTo(Object s) {
        return stream == s;
    }

    /** A created answer: a watch from "now" starts after the revision it was created at. */
    synchronized void created(Object from, long revision) {
        int last = segmentStarts.size() - 1;
        if (from == stream && segmentStarts.get(last) == 0) {
            segmentStarts.set(last, revision + 1);
            if (firstFrom == 0) {
                firstFrom = revision + 1;
            }
        }
    }

    /** Cancelled for compaction on stream {@code from}: true if that is the current stream. */
    synchronized boolean compacted(Object from) {
        if (from != stream) {
            return false;
        }
        compactedAfter.set(compactedAfter.size() - 1, true);
        stream = null;
        return true;
    }

    synchronized void events(Object from, List<Event> evs) {
        if (from != stream) {
            return;
        }
        List<HistoryEvent> seg = segments.get(segments.size() - 1);
        for (Event e : evs) {
            HistoryEvent ev = HistoryEvent.of(e);
            seg.add(ev);
            lastRev = ev.rev();
        }
    }

    /** A consistent copy of what this watcher recorded. */
    synchronized Record record() {
        List<List<HistoryEvent>> segs = new ArrayList<>();
        for (List<HistoryEvent> s : segments) {
            segs.add(List.copyOf(s));
        }
        return new Record(id, range, start, List.copyOf(segmentStarts), List.copyOf(compactedAfter), segs);
    }

    /** What one watcher recorded: segment i began at segmentStarts[i] (0: before its created answer). */
    record Record(int id, KeyRange range, long start, List<Long> segmentStarts, List<Boolean> compactedAfter,
            List<List<HistoryEvent>> segments) {
        int count() {
            return segments.stream().mapToInt(List::size).sum();
        }
    }
}
