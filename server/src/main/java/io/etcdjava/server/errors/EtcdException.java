package io.etcdjava.server.errors;

/** A failure with an etcd meaning; see {@link EtcdError}. */
public final class EtcdException extends RuntimeException {
    private final EtcdError error;

    public EtcdException(EtcdError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public EtcdError error() {
        return error;
    }
}
