package io.etcdjava.server.watch;

import com.google.protobuf.ByteString;
import io.etcdjava.api.mvccpb.Event;
import java.util.Comparator;

/** One watcher's state; every mutable field is guarded by the owning {@link WatchableStore}'s lock. */
final class Watcher {
    enum State { SYNCED, UNSYNCED, DONE }

    final long id;
    final WatchSpec spec;
    final WatchStream stream;
    private static final Comparator<ByteString> UNSIGNED = ByteString.unsignedLexicographicalComparator();

    /** The first revision not yet handed to the stream. */
    long minRev;
    State state;
    /** No events went out since the last progress tick (etcd's serverWatchStream.progress[id]). */
    boolean progressIdle = true;

    Watcher(long id, WatchSpec spec, WatchStream stream, long minRev) {
        this.id = id;
        this.spec = spec;
        this.stream = stream;
        this.minRev = minRev;
    }

    boolean isSingleKey() {
        return spec.rangeEnd() == null;
    }

    boolean wants(Event e) {
        if (e.getType() == Event.EventType.PUT ? spec.noPut() : spec.noDelete()) {
            return false;
        }
        ByteString k = e.getKv().getKey();
        ByteString end = spec.rangeEnd();
        if (end == null) {
            return spec.key().equals(k);
        }
        return UNSIGNED.compare(k, spec.key()) >= 0 && (end.isEmpty() || UNSIGNED.compare(k, end) < 0);
    }

    /** etcd's check: a range watcher needs {@code key < end}. */
    static boolean isEmptyRange(WatchSpec spec) {
        return spec.rangeEnd() != null && !spec.rangeEnd().isEmpty()
                && UNSIGNED.compare(spec.key(), spec.rangeEnd()) >= 0;
    }

    static long revisionOf(Event e) {
        return e.getKv().getModRevision();
    }
}
