package io.etcdjava.server.api.grpc;

import io.etcdjava.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.server.etcdserver.LeaseService;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One LeaseKeepAlive stream: every request's renewal starts when it arrives, replies leave in
 * request order. Renewals complete on whatever thread finished them (an event loop, the lessor);
 * replies are sent from the stream's own event loop, under this object's monitor, so they never
 * overtake each other, the observer sees one caller at a time, and a reply racing the client's
 * cancel fails here (and ends the stream) instead of in a task Armeria would log as a warning.
 */
final class KeepAliveStream implements StreamObserver<LeaseKeepAliveRequest> {
    private final LeaseService leases;
    private final StreamObserver<LeaseKeepAliveResponse> out;
    private final Executor replies;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    // Guarded by this.
    private final ArrayDeque<CompletableFuture<LeaseKeepAliveResponse>> pending = new ArrayDeque<>();
    private boolean halfClosed;
    private boolean ended;

    /** @param replies runs the sends: the call's event loop (a direct executor outside Armeria) */
    KeepAliveStream(LeaseService leases, StreamObserver<LeaseKeepAliveResponse> out, Executor replies) {
        this.leases = leases;
        this.out = out;
        this.replies = replies;
        if (out instanceof ServerCallStreamObserver<LeaseKeepAliveResponse> call) {
            // Also keeps grpc from throwing on a send after the cancel.
            call.setOnCancelHandler(() -> onError(null));
        }
    }

    @Override
    public void onNext(LeaseKeepAliveRequest request) {
        CompletableFuture<LeaseKeepAliveResponse> renewal;
        synchronized (this) {
            if (ended) {
                return;
            }
            try {
                renewal = leases.keepAlive(request);
            } catch (RuntimeException e) {
                renewal = CompletableFuture.failedFuture(e);
            }
            pending.add(renewal);
        }
        renewal.whenComplete((r, err) -> drainSoon());
    }

    private void drainSoon() {
        if (!drainScheduled.getAndSet(true)) {
            try {
                replies.execute(() -> {
                    drainScheduled.set(false);
                    drain();
                });
            } catch (RejectedExecutionException shuttingDown) {
                drainScheduled.set(false);
                onError(null);
            }
        }
    }

    @Override
    public synchronized void onError(Throwable t) {
        ended = true;
        pending.clear();
    }

    @Override
    public void onCompleted() {
        synchronized (this) {
            halfClosed = true;
        }
        drainSoon();
    }

    /** Sends every reply whose predecessors were all sent; completes the stream once none is left. */
    private synchronized void drain() {
        CompletableFuture<LeaseKeepAliveResponse> head;
        while (!ended && (head = pending.peek()) != null && head.isDone()) {
            pending.poll();
            LeaseKeepAliveResponse reply;
            try {
                reply = head.join();
            } catch (RuntimeException e) {
                ended = true;
                pending.clear();
                out.onError(GrpcErrors.toException(e));
                return;
            }
            try {
                out.onNext(reply);
            } catch (RuntimeException closed) {
                // The client went away between the renewal and its reply.
                ended = true;
                pending.clear();
                return;
            }
        }
        if (!ended && halfClosed && pending.isEmpty()) {
            ended = true;
            out.onCompleted();
        }
    }
}
