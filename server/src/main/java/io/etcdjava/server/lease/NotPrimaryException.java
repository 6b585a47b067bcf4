package io.etcdjava.server.lease;

/**
 * This member's lessor does not own expiry (it is not the leader, or stopped leading while the
 * call waited): the caller should ask the leader instead. Internal, like etcd's
 * {@code lease.ErrNotPrimary}; clients never see it.
 */
public final class NotPrimaryException extends RuntimeException {
    public static final String MESSAGE = "lessor: not primary";

    public NotPrimaryException() {
        super(MESSAGE, null, false, false);
    }
}
