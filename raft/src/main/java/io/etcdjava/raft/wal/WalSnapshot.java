package io.etcdjava.raft.wal;

/**
 * A snapshot marker in the WAL: the index and term of a snapshot the server has taken or
 * received. Opening a WAL "from" a marker skips everything at or below its index.
 */
public record WalSnapshot(long index, long term) {
    /** The marker every new WAL starts with, so a WAL can be opened before any snapshot exists. */
    public static final WalSnapshot ZERO = new WalSnapshot(0, 0);

    public WalSnapshot {
        if (index < 0 || term < 0) {
            throw new IllegalArgumentException("negative index/term: " + index + "/" + term);
        }
    }
}
