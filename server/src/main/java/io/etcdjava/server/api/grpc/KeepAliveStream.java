package io.etcdjava.server.api.grpc;

import io.etcdjava.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.server.etcdserver.LeaseService;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * One LeaseKeepAlive stream: every request's renewal starts when it arrives, replies leave in
 * request order. Renewals complete on whatever thread finished them (an event loop, the lessor);
 * the one that finds the oldest pending renewal done sends every reply that is ready, under this
 * object's monitor, so replies never overtake each other and the observer sees one caller at a time.
 */
final class KeepAliveStream implements StreamObserver<LeaseKeepAliveRequest> {
    private final LeaseService leases;
    private final StreamObserver<LeaseKeepAliveResponse> out;
    // Guarded by this.
    private final ArrayDeque<CompletableFuture<LeaseKeepAliveResponse>> pending = new ArrayDeque<>();
    private boolean halfClosed;
    private boolean ended;

    KeepAliveStream(LeaseService leases, StreamObserver<LeaseKeepAliveResponse> out) {
        this.leases = leases;
        this.out = out;
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
        renewal.whenComplete((r, err) -> drain());
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
        drain();
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
            out.onNext(reply);
        }
        if (!ended && halfClosed && pending.isEmpty()) {
            ended = true;
            out.onCompleted();
        }
    }
}
