package io.etcdjava.server.api.grpc;

import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.StatusRequest;
import io.etcdjava.server.errors.EtcdError;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.function.BooleanSupplier;

/**
 * What etcd's learners refuse ("etcdserver: rpc not supported for learner", UNAVAILABLE): every
 * stream, and every unary call except Maintenance.Status and serializable KV.Range. Clients then
 * retry on a voting member.
 */
public final class LearnerGuard implements ServerInterceptor, CallGuard {
    private final BooleanSupplier isLearner;

    public LearnerGuard(BooleanSupplier isLearner) {
        this.isLearner = isLearner;
    }

    /** etcd's isRPCSupportedForLearner. */
    static boolean allowedForLearner(Object request) {
        if (request instanceof StatusRequest) {
            return true;
        }
        return request instanceof RangeRequest r && r.getSerializable();
    }

    @Override
    public Status refuseStream(String fullMethodName) {
        return isLearner.getAsBoolean() ? EtcdError.NOT_SUPPORTED_FOR_LEARNER.toStatus() : null;
    }

    @Override
    public Status refuseUnary(String fullMethodName, Object request) {
        return isLearner.getAsBoolean() && !allowedForLearner(request)
                ? EtcdError.NOT_SUPPORTED_FOR_LEARNER.toStatus() : null;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        if (call.getMethodDescriptor().getType() != MethodDescriptor.MethodType.UNARY) {
            Status refused = refuseStream(call.getMethodDescriptor().getFullMethodName());
            if (refused == null) {
                return next.startCall(call, headers);
            }
            call.close(refused, new Metadata());
            return new ServerCall.Listener<>() { };
        }
        if (!isLearner.getAsBoolean()) {
            return next.startCall(call, headers);
        }
        ServerCall.Listener<Q> delegate = next.startCall(call, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                Status refusal = refuseUnary(call.getMethodDescriptor().getFullMethodName(), message);
                if (refusal != null) {
                    refused = true;
                    call.close(refusal, new Metadata());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }
}
