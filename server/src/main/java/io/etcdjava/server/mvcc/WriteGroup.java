package io.etcdjava.server.mvcc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.api.mvccpb.KeyValue;
import io.etcdjava.server.mvcc.backend.Batch;

/**
 * Write transactions closed but not yet in RocksDB: their writes share one {@link Batch}, the
 * values they wrote stay readable to the transactions after them, and their watch events wait for
 * the commit. A group lets one apply batch of many raft entries cost one RocksDB write instead of
 * one per entry; readers outside the apply thread see none of it until {@link MvccStore} commits
 * it and publishes the revision. Apply thread only.
 */
final class WriteGroup implements AutoCloseable {
    /** The events of one closed transaction, for the change listener. */
    record Notification(long rev, List<Event> events) {
    }

    final Batch batch;
    /** Values written by closed transactions of the group, by revision. */
    private final Map<Revision, KeyValue> values = new HashMap<>();
    private final List<Notification> notifications = new ArrayList<>();
    /** Revision after the last closed transaction. */
    private long rev;
    /** Raft index and term of the last closed transaction that carried one (0 = none yet). */
    private long raftIndex;
    private long raftTerm;
    /** Whether a transaction closed since the last commit. */
    private boolean dirty;

    WriteGroup(Batch batch, long rev) {
        this.batch = batch;
        this.rev = rev;
    }

    long rev() {
        return rev;
    }

    long raftIndex() {
        return raftIndex;
    }

    long raftTerm() {
        return raftTerm;
    }

    boolean dirty() {
        return dirty;
    }

    /** A value written by a closed transaction of this group, or null. */
    KeyValue value(Revision r) {
        return values.isEmpty() ? null : values.get(r);
    }

    /** Takes in a transaction that closed: its batch writes are already in {@link #batch}. */
    void closed(long newRev, long index, long term, Map<Revision, KeyValue> written, List<Event> events) {
        rev = newRev;
        if (index != 0) {
            raftIndex = index;
            raftTerm = term;
        }
        values.putAll(written);
        if (!events.isEmpty()) {
            notifications.add(new Notification(newRev, List.copyOf(events)));
        }
        dirty = true;
    }

    /** After a commit: hands over the notifications and starts empty at the same revision. */
    List<Notification> committed() {
        List<Notification> out = List.copyOf(notifications);
        notifications.clear();
        values.clear();
        batch.clear();
        dirty = false;
        return out;
    }

    @Override
    public void close() {
        batch.close();
    }
}
