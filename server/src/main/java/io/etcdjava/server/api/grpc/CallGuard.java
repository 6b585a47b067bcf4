package io.etcdjava.server.api.grpc;

import io.grpc.Status;

/**
 * An interceptor's verdict on a call, for the transports that do not run grpc-java's interceptor
 * chain ({@link WatchHttpService}, {@link UnaryHttpService}). The client server uses them only when
 * every interceptor is also a guard, so no interceptor is silently skipped.
 */
public interface CallGuard {
    /** The status that refuses the stream {@code fullMethodName}, or null to let it open. */
    Status refuseStream(String fullMethodName);

    /** The status that refuses the unary call {@code fullMethodName} with {@code request}, or null. */
    default Status refuseUnary(String fullMethodName, Object request) {
        return null;
    }
}
