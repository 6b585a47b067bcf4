package io.etcdjava.server.mvcc.backend;

/**
 * The storage engine failed (I/O error, corruption). Not a client error: the member cannot go on
 * safely, so callers on the apply path let it propagate and stop the member, as etcd does.
 */
public final class BackendException extends RuntimeException {
    public BackendException(String what, Throwable cause) {
        super(what + ": " + cause.getMessage(), cause);
    }

    public BackendException(String message) {
        super(message);
    }
}
