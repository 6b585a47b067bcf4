package io.etcdjava.server.watch;

import com.google.protobuf.ByteString;
import java.util.Objects;

/**
 * What a watcher watches and how its events are to be sent.
 *
 * @param watchId the client's id, or 0 to let the stream pick one
 * @param key the first key
 * @param rangeEnd null for the single {@code key}, empty for every key {@code >= key}, else the
 *     exclusive end
 * @param startRevision the first revision to report, 0 for "after the current one"
 */
public record WatchSpec(long watchId, ByteString key, ByteString rangeEnd, long startRevision, boolean noPut,
        boolean noDelete, boolean prevKv, boolean fragment, boolean progressNotify) {
    public WatchSpec {
        Objects.requireNonNull(key, "key");
    }

    /** A watch of one key from {@code startRevision} (0 = from now). */
    public static WatchSpec key(ByteString key, long startRevision) {
        return new WatchSpec(0, key, null, startRevision, false, false, false, false, false);
    }

    /** A watch of {@code [key, rangeEnd)} ({@code rangeEnd} empty: every key {@code >= key}). */
    public static WatchSpec range(ByteString key, ByteString rangeEnd, long startRevision) {
        return new WatchSpec(0, key, rangeEnd, startRevision, false, false, false, false, false);
    }

    public WatchSpec withId(long id) {
        return new WatchSpec(id, key, rangeEnd, startRevision, noPut, noDelete, prevKv, fragment, progressNotify);
    }

    public WatchSpec withPrevKv(boolean on) {
        return new WatchSpec(watchId, key, rangeEnd, startRevision, noPut, noDelete, on, fragment, progressNotify);
    }

    public WatchSpec withFilters(boolean noPutEvents, boolean noDeleteEvents) {
        return new WatchSpec(watchId, key, rangeEnd, startRevision, noPutEvents, noDeleteEvents, prevKv, fragment,
                progressNotify);
    }

    public WatchSpec withProgressNotify(boolean on) {
        return new WatchSpec(watchId, key, rangeEnd, startRevision, noPut, noDelete, prevKv, fragment, on);
    }
}
