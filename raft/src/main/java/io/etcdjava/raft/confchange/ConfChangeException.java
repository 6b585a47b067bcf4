package io.etcdjava.raft.confchange;

/** A configuration change was rejected, or the current configuration violates an invariant. */
public final class ConfChangeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfChangeException(String message) {
        super(message);
    }
}
