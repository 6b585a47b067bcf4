package io.etcdjava.testing.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Per watcher (across its reconnects): events arrive in revision order, none twice, none missing
 * between the revision it started from and the last it received, and each agrees with the KV
 * history and with every other watcher about what happened at that revision. When the watched
 * range covers every key the workload writes, the store's revisions are also contiguous (each
 * write bumps the counter by one), which finds a gap even at a revision no client recorded.
 */
public final class WatchGuarantees {
    private WatchGuarantees() {
    }

    /**
     * @param contiguous whether the watchers watch every key the workload writes
     */
    public static List<Violation> check(List<Op> history, List<WatchSegment> segments, List<WatchEvent> events,
                                        boolean contiguous) {
        List<Violation> out = new ArrayList<>();
        Map<String, Map<String, Op>> writers = new HashMap<>();   // key → value → op that may have written it
        Set<String> leasedKeys = new HashSet<>();
        Set<String> deletable = new HashSet<>();
        TreeMap<Long, Op> appliedAt = new TreeMap<>();
        for (Op op : history) {
            if (op.mayHaveWritten() && op.value() != null) {
                writers.computeIfAbsent(op.key(), k -> new HashMap<>()).put(op.value(), op);
            }
            if (op.lease() != 0 && op.kind() == OpKind.PUT) {
                leasedKeys.add(op.key());
            }
            if (op.kind() == OpKind.DELETE && (!op.completed() || op.succeeded())) {
                deletable.add(op.key());
            }
            if (op.appliedWrite() && op.revision() > 0) {
                appliedAt.put(op.revision(), op);
            }
        }
        // what happened at each (revision, key), as the first watcher to report it saw it
        Map<String, WatchEvent> reference = new HashMap<>();
        Map<Integer, List<WatchEvent>> byWatcher = new TreeMap<>();
        for (WatchEvent e : events) {
            byWatcher.computeIfAbsent(e.watcher(), w -> new ArrayList<>()).add(e);
            String id = e.revision() + "/" + e.key();
            WatchEvent first = reference.putIfAbsent(id, e);
            if (first != null && first.watcher() != e.watcher()
                    && (first.type() != e.type() || !Objects.equals(first.value(), e.value()))) {
                out.add(new Violation("watch", "rev " + e.revision(), "watchers disagree: " + first + " vs " + e));
            }
            out.addAll(matchesHistory(e, writers, leasedKeys, deletable));
        }
        Map<Integer, List<WatchSegment>> segs = new HashMap<>();
        for (WatchSegment s : segments) {
            segs.computeIfAbsent(s.watcher(), w -> new ArrayList<>()).add(s);
        }
        Set<Long> allRevisions = new HashSet<>();
        events.forEach(e -> allRevisions.add(e.revision()));
        for (Map.Entry<Integer, List<WatchEvent>> w : byWatcher.entrySet()) {
            out.addAll(checkWatcher(w.getKey(), w.getValue(), segs.getOrDefault(w.getKey(), List.of()),
                    allRevisions, appliedAt, contiguous));
        }
        return out;
    }

    private static List<Violation> matchesHistory(WatchEvent e, Map<String, Map<String, Op>> writers,
                                                  Set<String> leasedKeys, Set<String> deletable) {
        List<Violation> out = new ArrayList<>();
        String subject = "w" + e.watcher();
        if (e.type() == WatchEvent.Type.PUT) {
            Op w = writers.getOrDefault(e.key(), Map.of()).get(e.value());
            if (w == null) {
                out.add(new Violation("watch", subject, e + ": no operation could have written this value"));
            } else if (w.appliedWrite() && w.revision() > 0 && w.revision() != e.revision()) {
                out.add(new Violation("watch", subject, e + " but " + w + " was acknowledged at revision "
                        + w.revision()));
            }
        } else if (!leasedKeys.contains(e.key()) && !deletable.contains(e.key())) {
            out.add(new Violation("watch", subject, e + ": no operation could have deleted this key"));
        }
        return out;
    }

    private static List<Violation> checkWatcher(int watcher, List<WatchEvent> evs, List<WatchSegment> segments,
                                                Set<Long> allRevisions, TreeMap<Long, Op> appliedAt,
                                                boolean contiguous) {
        List<Violation> out = new ArrayList<>();
        String subject = "w" + watcher;
        Map<Integer, WatchSegment> segByNo = new HashMap<>();
        segments.forEach(s -> segByNo.put(s.segment(), s));
        Set<String> seen = new HashSet<>();
        Set<Long> revs = new HashSet<>();
        // revisions below which this watcher may legitimately have missed events (compaction)
        long uncheckedUpTo = 0;
        long start = segments.isEmpty() ? evs.get(0).revision() : segments.get(0).startRevision();
        WatchEvent prev = null;
        int prevSegment = -1;
        for (WatchEvent e : evs) {
            WatchSegment seg = segByNo.get(e.segment());
            if (e.segment() != prevSegment && seg != null) {
                if (seg.compacted()) {
                    uncheckedUpTo = Math.max(uncheckedUpTo, e.revision() - 1);
                } else if (e.revision() < seg.startRevision()) {
                    out.add(new Violation("watch", subject, e + " is older than the revision " + seg.startRevision()
                            + " the stream was opened from"));
                }
                prevSegment = e.segment();
            }
            if (!seen.add(e.revision() + "/" + e.key())) {
                out.add(new Violation("watch", subject, "duplicate event " + e));
            } else if (prev != null && e.revision() < prev.revision()) {
                out.add(new Violation("watch", subject, "out of order: " + e + " after " + prev));
            } else if (contiguous && prev != null && e.revision() > prev.revision() + 1
                    && prev.revision() >= uncheckedUpTo) {
                out.add(new Violation("watch", subject, "gap: revisions " + (prev.revision() + 1) + ".."
                        + (e.revision() - 1) + " missing between " + prev + " and " + e));
            }
            revs.add(e.revision());
            prev = e;
        }
        long last = prev == null ? start - 1 : prev.revision();
        long from = Math.max(start, uncheckedUpTo + 1);
        for (long r : allRevisions) {
            if (r >= from && r <= last && !revs.contains(r)) {
                out.add(new Violation("watch", subject, "missed revision " + r + " that another watcher received"));
            }
        }
        for (Op op : appliedAt.subMap(from, true, last, true).values()) {
            if (!revs.contains(op.revision())) {
                out.add(new Violation("watch", subject, "missed the acknowledged write " + op));
            }
        }
        return out;
    }
}
