package io.etcdjava.raft.wal;

import java.io.IOException;

/** A WAL problem other than a plain I/O failure: bad directory state, misuse of files, locking. */
public class WalException extends IOException {
    private static final long serialVersionUID = 1L;

    public WalException(String message) {
        super(message);
    }

    public WalException(String message, Throwable cause) {
        super(message, cause);
    }
}
