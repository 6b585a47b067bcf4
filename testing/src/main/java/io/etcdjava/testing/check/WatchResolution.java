package io.etcdjava.testing.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Narrows indeterminate writes with what the watchers saw, as etcd's robustness tests do before
 * their linearizability check. Written values are unique, so a watch PUT event carrying the value
 * of a put or compare-and-set whose outcome the client never learned proves that it took effect,
 * at the event's mod revision, before the first watcher received it. Such an operation becomes a
 * completed one that returned then, instead of one pending until +∞; the search no longer has to
 * try it at every later point, and a read that misses it after a watcher saw it is caught.
 *
 * <p>When some watcher saw every revision (no stream of it resumed past a compaction, and its
 * last event is at or after the newest revision any operation reported), a timed-out put or
 * compare-and-set whose value it never saw did not take effect, and a timed-out delete with no
 * DELETE event for its key after its call either did not happen or deleted nothing; both are
 * dropped. Otherwise such writes stay indeterminate.
 */
public final class WatchResolution {
    private WatchResolution() {
    }

    /** {@link #resolve(List, List, List)} without dropping anything. */
    public static List<Op> resolve(List<Op> ops, List<WatchEvent> events) {
        return resolve(ops, events, null);
    }

    /**
     * {@code ops} with every indeterminate write the watchers saw resolved, and, when
     * {@code segments} show a watcher that saw everything, the unseen ones dropped.
     */
    public static List<Op> resolve(List<Op> ops, List<WatchEvent> events, List<WatchSegment> segments) {
        boolean complete = segments != null && someWatcherSawEverything(ops, events, segments);
        Map<String, Long> lastDeleteSeen = new HashMap<>();
        for (WatchEvent e : events) {
            if (e.type() == WatchEvent.Type.DELETE) {
                lastDeleteSeen.merge(e.key(), e.receivedNanos(), Math::max);
            }
        }
        record Seen(long modRev, long firstReceived) {
        }
        Map<String, Seen> byValue = new HashMap<>();
        for (WatchEvent e : events) {
            if (e.type() == WatchEvent.Type.PUT && e.value() != null) {
                byValue.merge(e.value(), new Seen(e.modRev(), e.receivedNanos()),
                        (a, b) -> a.firstReceived() <= b.firstReceived() ? a : b);
            }
        }
        List<Op> out = new ArrayList<>(ops.size());
        for (Op op : ops) {
            Seen seen = op.completed() || op.value() == null || (op.kind() != OpKind.PUT && op.kind() != OpKind.CAS)
                    ? null : byValue.get(op.value());
            // an event received before the call was even made is the checkers' business, not a resolution
            if (seen == null || seen.firstReceived() < op.invokeNanos()) {
                if (complete && !op.completed() && neverSeen(op, byValue.keySet(), lastDeleteSeen)) {
                    continue;
                }
                out.add(op);
            } else {
                out.add(new Op(op.id(), op.client(), op.kind(), op.key(), op.value(), op.expectValue(),
                        op.expectModRev(), op.lease(), op.ttl(), op.invokeNanos(), seen.firstReceived(), Op.Status.OK,
                        op.readValue(), op.readModRev(), op.kind() == OpKind.CAS || op.succeeded(), seen.modRev(),
                        op.member()));
            }
        }
        return out;
    }

    private static boolean neverSeen(Op op, java.util.Set<String> putValues, Map<String, Long> lastDeleteSeen) {
        return switch (op.kind()) {
            case PUT, CAS -> op.value() != null && !putValues.contains(op.value());
            case DELETE -> lastDeleteSeen.getOrDefault(op.key(), Long.MIN_VALUE) < op.invokeNanos();
            default -> false;
        };
    }

    private static boolean someWatcherSawEverything(List<Op> ops, List<WatchEvent> events,
                                                    List<WatchSegment> segments) {
        long newest = ops.stream().filter(Op::completed).mapToLong(Op::revision).max().orElse(0);
        Map<Integer, Boolean> resumedPastCompaction = new HashMap<>();
        for (WatchSegment s : segments) {
            resumedPastCompaction.merge(s.watcher(), s.compacted(), Boolean::logicalOr);
        }
        Map<Integer, Long> last = new HashMap<>();
        for (WatchEvent e : events) {
            last.merge(e.watcher(), e.revision(), Math::max);
        }
        return resumedPastCompaction.entrySet().stream()
                .anyMatch(w -> !w.getValue() && last.getOrDefault(w.getKey(), 0L) >= newest);
    }
}
