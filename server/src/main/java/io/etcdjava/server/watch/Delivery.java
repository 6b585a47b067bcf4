package io.etcdjava.server.watch;

import io.etcdjava.api.mvccpb.Event;
import java.util.List;

/**
 * One message a {@link WatchStream} hands to its transport, in the order it must be sent. Events
 * are shared between watchers and may carry {@code prev_kv} whether or not the watcher asked for
 * it; the transport adds or strips it.
 *
 * @param watchId the watcher, or -1 for a stream-wide progress response
 * @param revision the header revision etcd sets for this message
 * @param compactRevision non-zero when the watcher was cancelled because its start was compacted
 * @param prevKv the watcher wants {@code prev_kv} on its events
 * @param fragment the watcher accepts responses split above the message limit
 */
public record Delivery(Kind kind, long watchId, long revision, List<Event> events, long compactRevision,
        String cancelReason, boolean prevKv, boolean fragment) {
    /** What the message says. */
    public enum Kind {
        /** Answer to a create request; {@code cancelReason} non-null when the create failed. */
        CREATED,
        /** Answer to a cancel request. */
        CANCELED,
        /** Events of one watcher, a progress notification (no events), or a compaction cancel. */
        EVENTS,
        /** Answer to a progress request (watch id -1). */
        PROGRESS
    }

    static Delivery created(long id, long rev, String cancelReason) {
        return new Delivery(Kind.CREATED, id, rev, List.of(), 0, cancelReason, false, false);
    }

    static Delivery canceled(long id, long rev) {
        return new Delivery(Kind.CANCELED, id, rev, List.of(), 0, null, false, false);
    }

    static Delivery events(Watcher w, long rev, List<Event> events) {
        return new Delivery(Kind.EVENTS, w.id, rev, events, 0, null, w.spec.prevKv(), w.spec.fragment());
    }

    static Delivery compacted(Watcher w, long compactRev) {
        // etcd sends the compaction cancel with a zero header revision.
        return new Delivery(Kind.EVENTS, w.id, 0, List.of(), compactRev, null, false, false);
    }

    static Delivery progress(long rev) {
        return new Delivery(Kind.PROGRESS, -1, rev, List.of(), 0, null, false, false);
    }

    /** A compaction cancel: the watcher is gone. */
    public boolean isCompacted() {
        return compactRevision != 0;
    }
}
