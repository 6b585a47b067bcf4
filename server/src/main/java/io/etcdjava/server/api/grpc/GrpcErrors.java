package io.etcdjava.server.api.grpc;

import io.etcdjava.server.errors.EtcdException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place where a failure becomes a gRPC status (etcd's rpctypes.togRPCError): an
 * {@link EtcdException} keeps etcd's code and message, a gRPC status passes through, anything
 * else is UNKNOWN with its message only, never a stack trace.
 */
public final class GrpcErrors {
    private GrpcErrors() {
    }

    public static Status toStatus(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof EtcdException e) {
            return e.error().toStatus();
        }
        if (t instanceof StatusRuntimeException e) {
            return e.getStatus();
        }
        if (t instanceof StatusException e) {
            return e.getStatus();
        }
        String message = t.getMessage();
        return Status.UNKNOWN.withDescription(message != null ? message : t.getClass().getSimpleName());
    }

    public static StatusRuntimeException toException(Throwable failure) {
        // No trailers and no cause: the client sees code and message, nothing of our internals.
        return toStatus(failure).asRuntimeException();
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
