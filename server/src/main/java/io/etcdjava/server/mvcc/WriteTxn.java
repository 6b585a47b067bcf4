package io.etcdjava.server.mvcc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.google.protobuf.ByteString;

import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.api.mvccpb.KeyValue;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.mvcc.backend.Batch;
import io.etcdjava.server.mvcc.backend.Schema;

/**
 * The changes of one raft entry: every put and delete gets revision {@code rev() + 1} with
 * increasing sub revisions; reads inside the transaction see its own changes (and those of the
 * earlier transactions of its {@link WriteGroup}). Committing writes its changes, the consistent
 * index and anything added to {@link #batch()} in one RocksDB batch, then publishes the new
 * revision and tells the change listener. Apply thread only.
 */
public final class WriteTxn implements KvView, AutoCloseable {
    private final MvccStore store;
    private final long raftIndex;
    private final long raftTerm;
    private final long beginRev;
    private final long firstRev;
    private final WriteGroup group;
    /** True when the transaction is alone in its group: it commits that group when it closes. */
    private final boolean ownsGroup;
    private final Batch batch;
    private final Map<Revision, KeyValue> pending = new HashMap<>();
    private final List<Event> events = new ArrayList<>();
    private long compactTo = -1;
    private CompletableFuture<Void> compactDone;
    private boolean done;

    WriteTxn(MvccStore store, WriteGroup group, boolean ownsGroup, long raftIndex, long raftTerm) {
        this.store = store;
        this.group = group;
        this.ownsGroup = ownsGroup;
        this.raftIndex = raftIndex;
        this.raftTerm = raftTerm;
        this.beginRev = group.rev();
        this.firstRev = store.compactRevision();
        this.batch = group.batch;
        if (!ownsGroup) {
            batch.setSavePoint();
        }
    }

    /** The revision before this transaction. */
    @Override
    public long rev() {
        return beginRev;
    }

    @Override
    public long firstRev() {
        return firstRev;
    }

    /** Revision a read inside this transaction sees now: {@code rev() + 1} once it changed a key. */
    public long readRev() {
        return events.isEmpty() ? beginRev : beginRev + 1;
    }

    /** Number of keys changed so far. */
    public int changes() {
        return events.size();
    }

    /** The changes so far, in sub-revision order (shaped as {@link KvChangeListener} describes). */
    public List<Event> events() {
        return java.util.Collections.unmodifiableList(events);
    }

    @Override
    public RangeResult range(byte[] key, byte[] end, RangeOptions opts) {
        ensureOpen();
        return store.rangeKeys(key, end, readRev(), store.compactRevision(), opts, this::pendingValue);
    }

    /**
     * Writes {@code key = value} with {@code lease} (0 = none; not validated here) at
     * {@code rev() + 1}; keeps the create revision of a live key and bumps its version.
     *
     * @return the revision written
     */
    public long put(byte[] key, byte[] value, long lease) {
        ensureOpen();
        long rev = beginRev + 1;
        KeyIndex.Entry prev = store.index.get(key, rev);
        long created = rev;
        long version = 1;
        if (prev != null) {
            created = prev.created().main();
            version = prev.version() + 1;
        }
        Revision idxRev = new Revision(rev, events.size());
        KeyValue kv = KeyValue.newBuilder()
                .setKey(ByteString.copyFrom(key))
                .setValue(ByteString.copyFrom(value))
                .setCreateRevision(created)
                .setModRevision(rev)
                .setVersion(version)
                .setLease(lease)
                .build();
        batch.put(Schema.KEY, idxRev.toBytes(), kv.toByteArray());
        store.index.put(key, idxRev);
        pending.put(idxRev, kv);
        // No prev_kv: reading the old value on every overwrite cost each member a backend read per
        // put. Watchers that ask for it get it resolved at notify time, as etcd's watch server does.
        events.add(Event.newBuilder().setType(Event.EventType.PUT).setKv(kv).build());
        return rev;
    }

    /**
     * Deletes the live keys of the range (see {@link KvView} for range forms).
     *
     * @return how many keys it deleted; {@link #readRev()} is then the revision to report
     */
    public long deleteRange(byte[] key, byte[] end) {
        ensureOpen();
        List<TreeIndex.KeyRev> keys = store.index.range(key, end, readRev());
        long rev = beginRev + 1;
        for (TreeIndex.KeyRev kr : keys) {
            KeyValue prevKv = store.valueAt(kr.rev(), this::pendingValue);
            Revision idxRev = new Revision(rev, events.size());
            KeyValue tomb = KeyValue.newBuilder().setKey(ByteString.copyFrom(kr.key())).build();
            batch.put(Schema.KEY, idxRev.toTombstoneBytes(), tomb.toByteArray());
            if (!store.index.tombstone(kr.key(), idxRev)) {
                throw new IllegalStateException("tombstone on a key that is not alive");
            }
            events.add(Event.newBuilder()
                    .setType(Event.EventType.DELETE)
                    .setKv(tomb.toBuilder().setModRevision(rev))
                    .setPrevKv(prevKv)
                    .build());
        }
        return keys.size();
    }

    /**
     * Schedules a compaction at {@code rev}, taking effect when this transaction commits: the
     * compaction revision moves, the index drops unreachable revisions, and the returned future
     * completes once the store has physically deleted them (in the background).
     *
     * @throws EtcdException COMPACTED if {@code rev <= compactRevision}, FUTURE_REV if
     *     {@code rev > currentRevision}
     */
    public CompletableFuture<Void> compact(long rev) {
        ensureOpen();
        if (compactTo >= 0) {
            throw new IllegalStateException("one compaction per transaction");
        }
        if (rev <= store.compactRevision()) {
            throw EtcdError.COMPACTED.exception();
        }
        if (rev > readRev()) {
            throw EtcdError.FUTURE_REV.exception();
        }
        compactTo = rev;
        compactDone = new CompletableFuture<>();
        return compactDone;
    }

    /**
     * The batch this transaction commits; other stores (lease, auth, membership) add their writes
     * here so that one raft entry stays one atomic write.
     */
    public Batch batch() {
        ensureOpen();
        return batch;
    }

    /**
     * Closes the transaction: alone, it commits (see class doc); inside a group opened by
     * {@link MvccStore#beginGroup()}, its changes join the group, which commits them with the
     * transactions around it, except that a compaction commits the group at once. A no-op after
     * {@link #abort()} or a previous close.
     */
    @Override
    public void close() {
        if (done) {
            return;
        }
        done = true;
        try {
            if (store.isClosed()) {
                return;
            }
            if (!ownsGroup) {
                batch.popSavePoint();
            }
            if (compactTo >= 0) {
                batch.put(Schema.META, Schema.META_SCHEDULED_COMPACT, new Revision(compactTo, 0).toBytes());
            }
            group.closed(readRev(), raftIndex, raftTerm, ownsGroup ? Map.of() : pending, events);
            if (compactTo >= 0 || ownsGroup) {
                CompletableFuture<Void> physical = store.commit(group, compactTo);
                if (physical != null) {
                    physical.whenComplete((v, e) -> {
                        if (e != null) {
                            compactDone.completeExceptionally(e);
                        } else {
                            compactDone.complete(null);
                        }
                    });
                }
            }
        } finally {
            if (ownsGroup) {
                group.close();
            }
            store.writeDone();
        }
    }

    /**
     * Discards every change; nothing reaches the store and the consistent index does not move.
     * For fatal paths and tests: it rebuilds the index from the store when keys were changed
     * (committing the transactions of its group first, so the rebuilt index keeps them).
     */
    public void abort() {
        if (done) {
            return;
        }
        done = true;
        try {
            if (compactDone != null) {
                compactDone.completeExceptionally(new IllegalStateException("transaction aborted"));
            }
            if (!ownsGroup) {
                batch.rollbackToSavePoint();
            }
            if (!events.isEmpty() && !store.isClosed()) {
                if (!ownsGroup) {
                    store.commit(group, -1);
                }
                store.rebuildIndex();
            }
        } finally {
            if (ownsGroup) {
                group.close();
            }
            store.writeDone();
        }
    }

    private KeyValue pendingValue(Revision r) {
        KeyValue kv = pending.get(r);
        return kv != null ? kv : group.value(r);
    }

    private void ensureOpen() {
        if (done) {
            throw new IllegalStateException("write transaction finished");
        }
    }
}
