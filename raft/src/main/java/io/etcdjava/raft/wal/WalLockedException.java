package io.etcdjava.raft.wal;

/** The WAL directory is already held by another process or another open {@link Wal}. */
public final class WalLockedException extends WalException {
    private static final long serialVersionUID = 1L;

    public WalLockedException(String message) {
        super(message);
    }
}
