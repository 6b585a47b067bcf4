package io.etcdjava.server.api.grpc;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** Completes a unary gRPC call from a future, on whichever thread the future completes. */
final class Replies {
    private Replies() {
    }

    static <T> void reply(Supplier<CompletableFuture<T>> call, StreamObserver<T> observer) {
        CompletableFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            observer.onError(GrpcErrors.toException(e));
            return;
        }
        if (future == null) {
            observer.onError(GrpcErrors.toException(new IllegalStateException("no response")));
            return;
        }
        future.whenComplete((response, failure) -> {
            if (failure != null) {
                observer.onError(GrpcErrors.toException(failure));
            } else {
                observer.onNext(response);
                observer.onCompleted();
            }
        });
    }
}
