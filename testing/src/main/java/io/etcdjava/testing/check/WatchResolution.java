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
 * Writes no watcher saw stay indeterminate (a watch gap after compaction may hide them).
 */
public final class WatchResolution {
    private WatchResolution() {
    }

    /** {@code ops} with every indeterminate write the watchers saw resolved; the others unchanged. */
    public static List<Op> resolve(List<Op> ops, List<WatchEvent> events) {
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
}
