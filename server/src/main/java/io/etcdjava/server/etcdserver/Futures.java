package io.etcdjava.server.etcdserver;

import io.etcdjava.server.errors.EtcdError;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Future plumbing the member's request paths share: etcd's request timeout and unwrapped causes. */
final class Futures {
    private Futures() {
    }

    /** Fails {@code f} with etcd's TIMEOUT error unless it completes within {@code timeout}. */
    static <T> CompletableFuture<T> withTimeout(CompletableFuture<T> f, Duration timeout) {
        return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(err -> {
            Throwable cause = unwrap(err);
            if (cause instanceof TimeoutException) {
                return CompletableFuture.failedFuture(EtcdError.TIMEOUT.exception());
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
