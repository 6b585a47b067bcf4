package io.etcdjava.server.mvcc.backend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteOptions;

/**
 * The member's RocksDB database: one column family per {@link Schema} entry, atomic multi-family
 * batches, ordered scans.
 *
 * <p>Durability: batches go through RocksDB's own WAL without fsync ({@code sync=false}). A batch is
 * atomic in that WAL, and recovery replays a consistent prefix of it, so whatever survives a crash
 * holds the writes of whole raft entries together with the consistent index naming the last of them.
 * A {@code kill -9} loses nothing (the WAL is in the OS page cache); a power loss may lose a suffix,
 * which the raft WAL replays. {@link #forceCommit()} fsyncs the RocksDB WAL; the server calls it
 * before it releases raft log entries (snapshot / WAL purge). Atomic flush is on, so memtable flushes
 * of different column families never separate the data of one batch either.
 *
 * <p>Thread-safety: all methods may be called from any thread; RocksDB serialises writes.
 */
public final class Backend implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final WriteOptions writeOptions;
    // Replaced only by reopen(), under the write side of swapLock; every use holds its read side.
    private RocksDB db;
    private List<ColumnFamilyHandle> allHandles;
    private final Map<Schema, ColumnFamilyHandle> handles = new EnumMap<>(Schema.class);
    private volatile boolean closed;
    /**
     * Read side: any use of the database; write side: swapping the database under the same
     * directory (a snapshot received from the leader). Reentrant, so a visitor may read again.
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock swapLock =
            new java.util.concurrent.locks.ReentrantReadWriteLock();

    private volatile java.util.function.LongConsumer commitObserver = nanos -> { };

    private Backend(Path dir) throws RocksDBException {
        this.dir = dir;
        this.dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setAtomicFlush(true);
        this.cfOptions = new ColumnFamilyOptions();
        this.writeOptions = new WriteOptions().setSync(false).setDisableWAL(false);
        openDb();
    }

    private void openDb() throws RocksDBException {
        List<byte[]> names = new ArrayList<>();
        names.add(RocksDB.DEFAULT_COLUMN_FAMILY);
        for (Schema s : Schema.values()) {
            names.add(s.nameBytes());
        }
        // Keep families written by newer versions openable (RocksDB refuses to open otherwise).
        for (byte[] existing : existingFamilies(dir)) {
            if (names.stream().noneMatch(n -> java.util.Arrays.equals(n, existing))) {
                names.add(existing);
            }
        }
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (byte[] n : names) {
            descriptors.add(new ColumnFamilyDescriptor(n, cfOptions));
        }
        List<ColumnFamilyHandle> opened = new ArrayList<>();
        this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, opened);
        this.allHandles = opened;
        for (Schema s : Schema.values()) {
            handles.put(s, allHandles.get(s.ordinal() + 1));
        }
    }

    /** Opens (creating if needed) the database in {@code dir}. */
    public static Backend open(Path dir) {
        try {
            Files.createDirectories(dir);
            return new Backend(dir);
        } catch (RocksDBException | java.io.IOException e) {
            throw new BackendException("open backend " + dir, e);
        }
    }

    private static List<byte[]> existingFamilies(Path dir) {
        if (!Files.exists(dir.resolve("CURRENT"))) {
            return List.of();
        }
        try (Options o = new Options()) {
            return RocksDB.listColumnFamilies(o, dir.toString());
        } catch (RocksDBException e) {
            throw new BackendException("list column families", e);
        }
    }

    public Path dir() {
        return dir;
    }

    ColumnFamilyHandle handle(Schema cf) {
        return handles.get(cf);
    }

    /** A new empty batch; commit it with {@link #commit(Batch)}. */
    public Batch newBatch() {
        return new Batch(this);
    }

    /** Writes every put and delete of {@code batch} atomically. */
    public void commit(Batch batch) {
        swapLock.readLock().lock();
        try {
            ensureOpen();
            long start = System.nanoTime();
            try {
                db.write(writeOptions, batch.batch);
            } catch (RocksDBException e) {
                throw new BackendException("commit batch", e);
            }
            commitObserver.accept(System.nanoTime() - start);
        } finally {
            swapLock.readLock().unlock();
        }
    }

    /** Receives every batch commit's duration in nanoseconds (etcd_disk_backend_commit_duration_seconds). */
    public void setCommitObserver(java.util.function.LongConsumer observer) {
        this.commitObserver = observer;
    }

    /** The value of {@code key} in {@code cf}, or null. */
    public byte[] get(Schema cf, byte[] key) {
        swapLock.readLock().lock();
        try {
            ensureOpen();
            try {
                return db.get(handle(cf), key);
            } catch (RocksDBException e) {
                throw new BackendException("get", e);
            }
        } finally {
            swapLock.readLock().unlock();
        }
    }

    /** Receives the pairs of a scan; returns false to stop it. */
    @FunctionalInterface
    public interface Visitor {
        boolean visit(byte[] key, byte[] value);
    }

    /**
     * Visits keys in {@code [from, toExclusive)} in unsigned byte order over a point-in-time view
     * taken when the scan starts; {@code from == null} means the first key, {@code toExclusive ==
     * null} no upper bound.
     */
    public void forEach(Schema cf, byte[] from, byte[] toExclusive, Visitor visitor) {
        swapLock.readLock().lock();
        try {
            ensureOpen();
            try (ReadOptions ro = new ReadOptions();
                 Slice upper = toExclusive == null ? null : new Slice(toExclusive)) {
                if (upper != null) {
                    ro.setIterateUpperBound(upper);
                }
                try (RocksIterator it = db.newIterator(handle(cf), ro)) {
                    if (from == null) {
                        it.seekToFirst();
                    } else {
                        it.seek(from);
                    }
                    while (it.isValid()) {
                        if (!visitor.visit(it.key(), it.value())) {
                            return;
                        }
                        it.next();
                    }
                    it.status();
                }
            } catch (RocksDBException e) {
                throw new BackendException("scan " + cf.cfName(), e);
            }
        } finally {
            swapLock.readLock().unlock();
        }
    }

    /** Makes every committed batch durable (fsyncs RocksDB's WAL). */
    public void forceCommit() {
        swapLock.readLock().lock();
        try {
            ensureOpen();
            try {
                db.flushWal(true);
            } catch (RocksDBException e) {
                throw new BackendException("sync wal", e);
            }
        } finally {
            swapLock.readLock().unlock();
        }
    }

    /** Flushes all memtables to SST files (atomically across families) and waits. */
    public void flush() {
        swapLock.readLock().lock();
        try {
            ensureOpen();
            try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
                db.flush(fo, new ArrayList<>(handles.values()));
            } catch (RocksDBException e) {
                throw new BackendException("flush", e);
            }
        } finally {
            swapLock.readLock().unlock();
        }
    }

    /** Asks RocksDB to compact {@code [from, to)} of {@code cf} now (reclaims deleted revisions). */
    public void compactRange(Schema cf, byte[] from, byte[] to) {
        swapLock.readLock().lock();
        try {
            ensureOpen();
            try {
                db.compactRange(handle(cf), from, to);
            } catch (RocksDBException e) {
                throw new BackendException("compact range", e);
            }
        } finally {
            swapLock.readLock().unlock();
        }
    }

    /** Bytes on disk and in memtables: all SST files plus memtables, over every family. */
    public long size() {
        return sumProperty("rocksdb.total-sst-files-size") + sumProperty("rocksdb.cur-size-all-mem-tables");
    }

    /** Bytes in use: SST files still referenced by the current version plus memtables. */
    public long sizeInUse() {
        return sumProperty("rocksdb.live-sst-files-size") + sumProperty("rocksdb.cur-size-all-mem-tables");
    }

    private long sumProperty(String property) {
        swapLock.readLock().lock();
        try {
            if (closed) {
                return 0;
            }
            long total = 0;
            for (ColumnFamilyHandle h : handles.values()) {
                total += db.getLongProperty(h, property);
            }
            return total;
        } catch (RocksDBException e) {
            throw new BackendException("property " + property, e);
        } finally {
            swapLock.readLock().unlock();
        }
    }

    /**
     * Writes a consistent point-in-time copy of every column family into {@code target} (which must
     * not exist yet) with RocksDB's checkpoint: SST files are hard-linked, so this is cheap and
     * the copy holds no heap.
     */
    public void checkpoint(Path target) {
        swapLock.readLock().lock();
        try {
            ensureOpen();
            try (org.rocksdb.Checkpoint cp = org.rocksdb.Checkpoint.create(db)) {
                cp.createCheckpoint(target.toString());
            }
        } catch (RocksDBException e) {
            throw new BackendException("checkpoint to " + target, e);
        } finally {
            swapLock.readLock().unlock();
        }
    }

    /** Replaces the files under {@link #dir()} while the database is closed. */
    @FunctionalInterface
    public interface DirSwap {
        void swap(Path dir) throws java.io.IOException;
    }

    /**
     * Closes the database, lets {@code swap} replace the directory's contents, and opens it again;
     * callers on other threads wait meanwhile (they never see a closed handle). If the swap or the
     * reopen fails the backend stays closed and the error is thrown: the member must stop.
     */
    public void reopen(DirSwap swap) {
        swapLock.writeLock().lock();
        try {
            ensureOpen();
            db.cancelAllBackgroundWork(true);
            for (ColumnFamilyHandle h : allHandles) {
                h.close();
            }
            db.close();
            handles.clear();
            try {
                swap.swap(dir);
                openDb();
            } catch (java.io.IOException | RocksDBException | RuntimeException e) {
                closed = true;
                throw new BackendException("replace backend " + dir, e);
            }
        } finally {
            swapLock.writeLock().unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new BackendException("backend closed");
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        swapLock.writeLock().lock();
        try {
            closeLocked();
        } finally {
            swapLock.writeLock().unlock();
        }
    }

    private void closeLocked() {
        if (closed) {
            return;
        }
        closed = true;
        db.cancelAllBackgroundWork(true);
        for (ColumnFamilyHandle h : allHandles) {
            h.close();
        }
        db.close();
        writeOptions.close();
        cfOptions.close();
        dbOptions.close();
    }

    @Override
    public String toString() {
        return "Backend[" + dir + "]";
    }
}
