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

    /** Number of puts and deletes collected so far. */
    public int size() {
        return count;
    }

    @Override
    public void close() {
        batch.close();
    }
}
