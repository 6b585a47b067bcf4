package io.etcdjava.server.mvcc;

/**
 * A read view at the revision current when it was opened. Holds off compaction while open, so
 * close it promptly, on the thread that opened it.
 */
public final class ReadTxn implements KvView, AutoCloseable {
    private final MvccStore store;
    private final long rev;
    private final long firstRev;
    private boolean closed;

    ReadTxn(MvccStore store, MvccStore.Revs revs) {
        this.store = store;
        this.rev = revs.current();
        this.firstRev = revs.compact();
    }

    @Override
    public long firstRev() {
        return firstRev;
    }

    @Override
    public long rev() {
        return rev;
    }

    @Override
    public RangeResult range(byte[] key, byte[] end, RangeOptions opts) {
        if (closed) {
            throw new IllegalStateException("read view closed");
        }
        return store.rangeKeys(key, end, rev, store.revs().compact(), opts, null);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            store.mu.readLock().unlock();
        }
    }
}
