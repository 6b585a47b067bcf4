package io.etcdjava.server.api.grpc;

import io.grpc.Status;

/**
 * An interceptor's verdict on a streaming call before it opens, for a transport that does not run
 * grpc-java's interceptor chain ({@link WatchHttpService}). The client server uses that transport
 * only when every interceptor is also a guard, so no interceptor is silently skipped.
 */
public interface StreamGuard {
    /** The status that refuses the stream {@code fullMethodName}, or null to let it open. */
    Status refuseStream(String fullMethodName);
}
