package io.etcdjava.server.mvcc;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32C;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;

import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.api.mvccpb.KeyValue;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.mvcc.backend.Backend;
import io.etcdjava.server.mvcc.backend.BackendException;
import io.etcdjava.server.mvcc.backend.Schema;

/**
 * The multi-version key-value store: an in-memory {@link TreeIndex} over revisions kept in the
 * {@link Schema#KEY} column family of a {@link Backend}.
 *
 * <p>Threads. One apply thread writes: {@link #write(long, long)} (one {@link WriteTxn} at a time,
 * whose commit may carry a compaction), alone or in write groups ({@link #beginGroup()}). Any
 * number of threads read through short-lived {@link #read()} views, hash, and ask sizes. Readers
 * never wait for writers: a write touches the index only with revisions above every reader's
 * revision and publishes the new revision after its batch is in RocksDB. Physical compaction runs
 * on the store's own {@code mvcc-compactor} thread.
 *
 * <p>Locks, in acquisition order: {@link #mu} (read: each {@link ReadTxn}'s lifetime; write: a
 * commit that moves the compaction revision, and {@link #close()}), then the index lock inside
 * {@link TreeIndex}. Holding {@code mu} for reading guarantees that the revisions a read needs are
 * not compacted under it.
 */
public final class MvccStore implements AutoCloseable {
    /** Tunables; {@link #DEFAULT} is etcd's. */
    public record Options(int compactionBatchLimit) {
        public static final Options DEFAULT = new Options(1000);

        public Options {
            if (compactionBatchLimit <= 0) {
                throw new IllegalArgumentException("compactionBatchLimit must be > 0, got " + compactionBatchLimit);
            }
        }
    }

    /** Current and compaction revisions, published together. */
    record Revs(long current, long compact) {
    }

    private final Backend backend;
    private final boolean ownsBackend;
    final TreeIndex index = new TreeIndex();
    final ReentrantReadWriteLock mu = new ReentrantReadWriteLock();
    private final int compactionBatchLimit;
    /** Replaced by {@link #restoreFrom} (apply thread); read by compactions scheduled under {@link #mu}. */
    private volatile Compactor compactor;
    private final AtomicBoolean writing = new AtomicBoolean();
    /** Apply thread only: the write group open between beginGroup and commitGroup, or null. */
    private WriteGroup group;

    private volatile Revs revs = new Revs(1, -1);
    private volatile long consistentIndex;
    private volatile long consistentTerm;
    private volatile KvChangeListener listener;
    private volatile boolean closed;
    private volatile CompletableFuture<Void> resumedCompaction = CompletableFuture.completedFuture(null);

    private MvccStore(Backend backend, boolean ownsBackend, Options options) {
        this.backend = backend;
        this.ownsBackend = ownsBackend;
        this.compactionBatchLimit = options.compactionBatchLimit();
        this.compactor = new Compactor(backend, compactionBatchLimit);
        restore();
    }

    /** Opens the store in {@code dir} with its own backend, closed with the store. */
    public static MvccStore open(Path dir) {
        Backend b = Backend.open(dir);
        try {
            return new MvccStore(b, true, Options.DEFAULT);
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    /**
     * Opens the store over a shared backend (lease, auth, membership live in other families of the
     * same database); the caller closes the backend after the store.
     */
    public static MvccStore open(Backend backend, Options options) {
        return new MvccStore(backend, false, options);
    }

    public Backend backend() {
        return backend;
    }

    // ------------------------------------------------------------------ revisions & indexes

    /** Revision of the last committed change (1 for an empty store). */
    public long currentRevision() {
        return revs.current();
    }

    /** Revision of the last requested compaction, -1 if none. */
    public long compactRevision() {
        return revs.compact();
    }

    /** Raft index of the last entry whose effects are in the store (0 if none). */
    public long consistentIndex() {
        return consistentIndex;
    }

    /** Raft term of that entry. */
    public long consistentTerm() {
        return consistentTerm;
    }

    Revs revs() {
        return revs;
    }

    /** Keys alive at the current revision (etcd_debugging_mvcc_keys_total). */
    public long keysTotal() {
        return index.liveKeys();
    }

    /** Database size on disk (SST files + memtables, all families). */
    public long dbSize() {
        return backend.size();
    }

    /** Part of {@link #dbSize()} still referenced by live data. */
    public long dbSizeInUse() {
        return backend.sizeInUse();
    }

    /** Completes when a compaction resumed at open has been physically applied. */
    public CompletableFuture<Void> resumedCompaction() {
        return resumedCompaction;
    }

    // ------------------------------------------------------------------ reading and writing

    /**
     * A read view at the current revision. Close it on the thread that opened it, promptly (it holds
     * off compaction): {@code try (ReadTxn r = store.read()) { ... }}.
     */
    public ReadTxn read() {
        mu.readLock().lock();
        if (closed) {
            mu.readLock().unlock();
            throw EtcdError.STOPPED.exception();
        }
        return new ReadTxn(this, revs);
    }

    /**
     * Starts the write transaction applying raft entry {@code raftIndex} (of {@code raftTerm}).
     * Apply thread only; one at a time. Closing it commits its changes and the consistent index in
     * one batch, even when it changed nothing (so a failed request still counts as applied).
     *
     * @param raftIndex must be greater than {@link #consistentIndex()}; 0 writes no index (tests,
     *     tools)
     */
    public WriteTxn write(long raftIndex, long raftTerm) {
        if (closed) {
            throw EtcdError.STOPPED.exception();
        }
        long applied = group == null ? consistentIndex : Math.max(consistentIndex, group.raftIndex());
        if (raftIndex != 0 && raftIndex <= applied) {
            throw new IllegalStateException(
                    "raft entry " + raftIndex + " already applied (consistent index " + applied + ")");
        }
        if (!writing.compareAndSet(false, true)) {
            throw new IllegalStateException("another write transaction is open");
        }
        if (group != null) {
            return new WriteTxn(this, group, false, raftIndex, raftTerm);
        }
        return new WriteTxn(this, new WriteGroup(backend.newBatch(), revs.current()), true, raftIndex, raftTerm);
    }

    /**
     * Opens a write group: the write transactions until {@link #commitGroup()} go to RocksDB
     * together, in one batch, when it commits (see {@link WriteGroup}). Until then other threads
     * see none of their changes: the caller must not answer their requests before the commit.
     * Apply thread only, with no write transaction or group open.
     */
    public void beginGroup() {
        if (closed) {
            throw EtcdError.STOPPED.exception();
        }
        if (group != null || writing.get()) {
            throw new IllegalStateException("a write group or transaction is already open");
        }
        group = new WriteGroup(backend.newBatch(), revs.current());
    }

    /** Commits and closes the open write group, if any. */
    public void commitGroup() {
        WriteGroup g = group;
        if (g == null) {
            return;
        }
        group = null;
        try {
            if (!closed) {
                commit(g, -1);
            }
        } finally {
            g.close();
        }
    }

    /**
     * Closes the open write group, if any, without committing it; the index is rebuilt from the
     * backend when the group had changes. For failing apply paths (the member then stops).
     */
    public void discardGroup() {
        WriteGroup g = group;
        if (g == null) {
            return;
        }
        group = null;
        try {
            // A transaction left open may have touched the index too.
            if ((g.dirty() || g.batch.size() > 0) && !closed) {
                rebuildIndex();
            }
        } finally {
            g.close();
        }
    }

    /** Bytes the open write group holds so far (0 if none is open): callers bound a group with it. */
    public long groupBytes() {
        return group == null ? 0 : group.batch.dataSize();
    }

    /** Registers the single change listener (replacing any previous one); null removes it. */
    public void setChangeListener(KvChangeListener l) {
        this.listener = l;
    }

    /** Makes everything committed so far durable; call before releasing raft log entries. */
    public void forceCommit() {
        backend.forceCommit();
    }

    /**
     * Events of every revision in {@code [fromRev, toRev]} in revision order, straight from the
     * store (watchers catching up). PUT carries the stored kv; DELETE kv = {key, mod_revision}.
     *
     * @throws io.etcdjava.server.errors.EtcdException COMPACTED if {@code fromRev} is below the
     *     compaction revision
     */
    public List<Event> events(long fromRev, long toRev) {
        mu.readLock().lock();
        try {
            Revs r = revs;
            if (fromRev < r.compact()) {
                throw EtcdError.COMPACTED.exception();
            }
            List<Event> out = new ArrayList<>();
            if (toRev < fromRev) {
                return out;
            }
            backend.forEach(Schema.KEY, new Revision(fromRev, 0).toBytes(),
                    new Revision(toRev + 1, 0).toBytes(), (k, v) -> {
                        Revision rev = Revision.fromBytes(k);
                        KeyValue kv = parse(v);
                        if (Revision.isTombstone(k)) {
                            out.add(Event.newBuilder().setType(Event.EventType.DELETE)
                                    .setKv(kv.toBuilder().setModRevision(rev.main())).build());
                        } else {
                            out.add(Event.newBuilder().setType(Event.EventType.PUT).setKv(kv).build());
                        }
                        return true;
                    });
            return out;
        } finally {
            mu.readLock().unlock();
        }
    }

    // ------------------------------------------------------------------ hashing

    /**
     * etcd's HashKV: crc32c (Castagnoli) of "key" followed by every stored revision key and value
     * with revision {@code <= rev} ({@code 0} = current), skipping revisions at or below the
     * compaction revision that a compaction would drop. Equal histories give equal hashes, on any
     * member, before and after restarts and physical compaction.
     *
     * @throws io.etcdjava.server.errors.EtcdException COMPACTED if {@code 0 < rev <= compactRevision},
     *     FUTURE_REV if {@code rev > currentRevision}
     */
    public HashKV hashKV(long rev) {
        CRC32C h = new CRC32C();
        long compact;
        long current;
        Set<Revision> keep;
        mu.readLock().lock();
        try {
            Revs r = revs;
            compact = r.compact();
            current = r.current();
            if (rev > 0 && rev <= compact) {
                throw EtcdError.COMPACTED.exception();
            }
            if (rev > 0 && rev > current) {
                throw EtcdError.FUTURE_REV.exception();
            }
            if (rev == 0) {
                rev = current;
            }
            keep = index.keep(rev);
            Revision upper = new Revision(rev + 1, 0);
            Revision lower = new Revision(compact + 1, 0);
            h.update(Schema.KEY.cfName().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            backend.forEach(Schema.KEY, null, upper.toBytes(), (k, v) -> {
                Revision kr = Revision.fromBytes(k);
                if (lower.greaterThan(kr) && !keep.isEmpty() && !keep.contains(kr)) {
                    return true;
                }
                h.update(k);
                h.update(v);
                return true;
            });
        } finally {
            mu.readLock().unlock();
        }
        return new HashKV((int) h.getValue(), compact, current, rev);
    }

    /**
     * crc32c over every column family (in name order: name, then each key and value), leaving out
     * the consistent index and term. Detects divergence between members running this code; it is
     * not comparable with etcd's bolt-file hash.
     */
    public int hash() {
        CRC32C h = new CRC32C();
        List<Schema> order = new ArrayList<>(List.of(Schema.values()));
        order.sort(Comparator.comparing(Schema::cfName));
        for (Schema cf : order) {
            h.update(cf.cfName().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            backend.forEach(cf, null, null, (k, v) -> {
                if (cf == Schema.META && (java.util.Arrays.equals(k, Schema.META_CONSISTENT_INDEX)
                        || java.util.Arrays.equals(k, Schema.META_TERM))) {
                    return true;
                }
                h.update(k);
                h.update(v);
                return true;
            });
        }
        return (int) h.getValue();
    }

    // ------------------------------------------------------------------ internals used by txns

    /** etcd's rangeKeys: the shared read path of both transaction kinds. */
    RangeResult rangeKeys(byte[] key, byte[] end, long curRev, long compactRev, RangeOptions ro,
                          java.util.function.Function<Revision, KeyValue> pending) {
        long rev = ro.rev();
        if (rev > curRev) {
            throw EtcdError.FUTURE_REV.exception();
        }
        if (rev <= 0) {
            rev = curRev;
        }
        if (rev < compactRev) {
            throw EtcdError.COMPACTED.exception();
        }
        List<TreeIndex.KeyRev> found = index.range(key, end, rev);
        if (found.isEmpty() || ro.countOnly()) {
            return new RangeResult(List.of(), found.size(), curRev);
        }
        int limit = (int) Math.min(Integer.MAX_VALUE, ro.limit());
        if (limit <= 0 || limit > found.size()) {
            limit = found.size();
        }
        List<KeyValue> kvs = new ArrayList<>(limit);
        for (int i = 0; i < limit; i++) {
            kvs.add(valueAt(found.get(i).rev(), pending));
        }
        return new RangeResult(kvs, found.size(), curRev);
    }

    KeyValue valueAt(Revision rev, java.util.function.Function<Revision, KeyValue> pending) {
        if (pending != null) {
            KeyValue kv = pending.apply(rev);
            if (kv != null) {
                return kv;
            }
        }
        byte[] v = backend.get(Schema.KEY, rev.toBytes());
        if (v == null) {
            throw new BackendException("index points at missing revision " + rev);
        }
        return parse(v);
    }

    static KeyValue parse(byte[] v) {
        try {
            return KeyValue.parseFrom(v);
        } catch (InvalidProtocolBufferException e) {
            throw new BackendException("unmarshal mvccpb.KeyValue", e);
        }
    }

    /**
     * Writes what {@code g}'s closed transactions changed, with the consistent index of the last of
     * them, in one RocksDB batch; publishes the new revision (and compaction revision
     * {@code compactTo}, if {@code >= 0}) and tells the change listener, transaction by transaction.
     *
     * @return the physical compaction's completion when {@code compactTo >= 0}, else null
     */
    CompletableFuture<Void> commit(WriteGroup g, long compactTo) {
        if (!g.dirty()) {
            return null;
        }
        if (g.raftIndex() != 0) {
            g.batch.put(Schema.META, Schema.META_CONSISTENT_INDEX, Revision.longBytes(g.raftIndex()));
            g.batch.put(Schema.META, Schema.META_TERM, Revision.longBytes(g.raftTerm()));
        }
        io.etcdjava.raft.failpoint.Failpoints.hit("applyBeforeCommit");
        CompletableFuture<Void> physical = null;
        if (compactTo >= 0) {
            // Readers hold mu while reading; once we own it none reads below the new compaction.
            mu.writeLock().lock();
            try {
                backend.commit(g.batch);
                published(g.rev(), compactTo, g.raftIndex(), g.raftTerm());
            } finally {
                mu.writeLock().unlock();
            }
            physical = compactIndexAndSchedule(compactTo);
        } else {
            backend.commit(g.batch);
            published(g.rev(), revs.compact(), g.raftIndex(), g.raftTerm());
        }
        KvChangeListener l = listener;
        for (WriteGroup.Notification n : g.committed()) {
            if (l != null) {
                l.onCommit(n.rev(), n.events());
            }
        }
        return physical;
    }

    private void published(long current, long compact, long raftIndex, long raftTerm) {
        revs = new Revs(current, compact);
        if (raftIndex != 0) {
            consistentIndex = raftIndex;
            consistentTerm = raftTerm;
        }
    }

    CompletableFuture<Void> compactIndexAndSchedule(long rev) {
        Set<Revision> keep = index.compact(rev);
        return compactor.schedule(rev, keep);
    }

    void writeDone() {
        writing.set(false);
    }

    /**
     * Replaces the whole database (a snapshot received from the leader): stops the compactor, waits
     * for open read views, lets {@code swap} replace the backend's files, and rebuilds the index,
     * revisions and consistent index from the new database; then tells the change listener.
     * Apply thread only, with no write transaction open.
     */
    public void restoreFrom(Backend.DirSwap swap) {
        if (closed) {
            throw EtcdError.STOPPED.exception();
        }
        if (group != null) {
            throw new IllegalStateException("restore with a write group open");
        }
        compactor.close();
        mu.writeLock().lock();
        try {
            compactor = new Compactor(backend, compactionBatchLimit);
            backend.reopen(swap);
            index.clear();
            restore();
        } finally {
            mu.writeLock().unlock();
        }
        KvChangeListener l = listener;
        if (l != null) {
            l.onRestore(revs.current(), revs.compact());
        }
    }

    /** Rebuilds the index from the backend (after an aborted write transaction). */
    void rebuildIndex() {
        mu.writeLock().lock();
        try {
            index.clear();
            restore();
        } finally {
            mu.writeLock().unlock();
        }
    }

    private void restore() {
        long compact = -1;
        byte[] fin = backend.get(Schema.META, Schema.META_FINISHED_COMPACT);
        if (fin != null) {
            compact = Revision.fromBytes(fin).main();
        }
        long scheduled = 0;
        byte[] sch = backend.get(Schema.META, Schema.META_SCHEDULED_COMPACT);
        if (sch != null) {
            scheduled = Revision.fromBytes(sch).main();
        }
        long[] current = {1};
        backend.forEach(Schema.KEY, new Revision(1, 0).toBytes(), null, (k, v) -> {
            Revision rev = Revision.fromBytes(k);
            KeyValue kv = parse(v);
            index.restore(kv.getKey().toByteArray(), rev, Revision.isTombstone(k),
                    kv.getCreateRevision(), kv.getVersion());
            current[0] = rev.main();
            return true;
        });
        // A compaction may have removed the newest revisions (trailing deletions).
        long cur = Math.max(current[0], compact);
        if (scheduled <= compact) {
            scheduled = 0;
        }
        cur = Math.max(cur, scheduled);
        byte[] ci = backend.get(Schema.META, Schema.META_CONSISTENT_INDEX);
        byte[] term = backend.get(Schema.META, Schema.META_TERM);
        consistentIndex = ci == null ? 0 : Revision.getLong(ci, 0);
        consistentTerm = term == null ? 0 : Revision.getLong(term, 0);
        if (scheduled != 0) {
            // An interrupted compaction: finish it, as etcd does.
            revs = new Revs(cur, scheduled);
            resumedCompaction = compactIndexAndSchedule(scheduled);
        } else {
            revs = new Revs(cur, compact);
        }
    }

    /** Test hook: the generations of {@code key} in the index, or null. */
    String describeKey(ByteString key) {
        return index.describe(key.toByteArray());
    }

    /**
     * Stops the compactor (an unfinished physical compaction resumes at the next open), waits for
     * open read views, and closes the backend if the store owns it. An open write transaction is
     * discarded.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        compactor.close();
        mu.writeLock().lock();
        try {
            closed = true;
            if (ownsBackend) {
                backend.close();
            }
        } finally {
            mu.writeLock().unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }
}
