package io.etcdjava.server.mvcc.backend;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Writes collected for one atomic {@link Backend#commit(Batch)}. Not thread-safe; owned by the
 * thread that created it. Closing without committing discards the writes.
 */
public final class Batch implements AutoCloseable {
    private final Backend backend;
    final WriteBatch batch = new WriteBatch();
    private int count;
    /** {@link #count} at each open save point, newest first. */
    private final java.util.ArrayDeque<Integer> savedCounts = new java.util.ArrayDeque<>();

    Batch(Backend backend) {
        this.backend = backend;
    }

    public void put(Schema cf, byte[] key, byte[] value) {
        try {
            batch.put(backend.handle(cf), key, value);
        } catch (RocksDBException e) {
            throw new BackendException("batch put", e);
        }
        count++;
    }

    public void delete(Schema cf, byte[] key) {
        ColumnFamilyHandle h = backend.handle(cf);
        try {
            batch.delete(h, key);
        } catch (RocksDBException e) {
            throw new BackendException("batch delete", e);
        }
        count++;
    }

    /** Marks the current end of the batch for {@link #rollbackToSavePoint()} or {@link #popSavePoint()}. */
    public void setSavePoint() {
        batch.setSavePoint();
        savedCounts.push(count);
    }

    /** Drops every write made since the newest save point, and that save point. */
    public void rollbackToSavePoint() {
        try {
            batch.rollbackToSavePoint();
        } catch (RocksDBException e) {
            throw new BackendException("batch rollback", e);
        }
        count = savedCounts.pop();
    }

    /** Forgets the newest save point, keeping the writes made since. */
    public void popSavePoint() {
        try {
            batch.popSavePoint();
        } catch (RocksDBException e) {
            throw new BackendException("batch pop save point", e);
        }
        savedCounts.pop();
    }

    /** Drops every write and save point, for reuse. */
    public void clear() {
        batch.clear();
        savedCounts.clear();
        count = 0;
    }

    /** Bytes of the serialised batch so far. */
    public long dataSize() {
        return batch.getDataSize();
    }

    /** Number of puts and deletes collected so far. */
    public int size() {
        return count;
    }

    @Override
    public void close() {
        batch.close();
    }
}
