package io.etcdjava.server.api.grpc;

import com.linecorp.armeria.common.RequestContext;
import com.linecorp.armeria.common.grpc.GrpcExceptionHandlerFunction;
import io.etcdjava.server.errors.EtcdException;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Armeria's hook for failures raised outside our service code (framing, decoding, a throw from a
 * handler). Gives them the texts grpc-go's server uses, so clients print what they print against
 * etcd: an oversized request reads "grpc: received message larger than max (N vs. M)".
 */
public final class GrpcFailureHandler implements GrpcExceptionHandlerFunction {
    private static final Pattern FRAME_TOO_LARGE = Pattern.compile("Frame size (\\d+) exceeds maximum: (\\d+)");

    @Override
    public Status apply(RequestContext ctx, Status status, Throwable cause, Metadata metadata) {
        Throwable t = GrpcErrors.unwrap(cause);
        if (t instanceof EtcdException) {
            return GrpcErrors.toStatus(t);
        }
        if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED && status.getDescription() != null) {
            Matcher m = FRAME_TOO_LARGE.matcher(status.getDescription());
            if (m.find()) {
                return Status.RESOURCE_EXHAUSTED.withDescription(
                        "grpc: received message larger than max (" + m.group(1) + " vs. " + m.group(2) + ")");
            }
        }
        return status;
    }
}
