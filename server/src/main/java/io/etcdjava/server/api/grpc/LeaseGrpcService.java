package io.etcdjava.server.api.grpc;

import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.LeaseGrantResponse;
import io.etcdjava.api.etcdserverpb.LeaseGrpc;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.LeaseLeasesRequest;
import io.etcdjava.api.etcdserverpb.LeaseLeasesResponse;
import io.etcdjava.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdjava.api.etcdserverpb.LeaseRevokeResponse;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdjava.server.etcdserver.LeaseService;
import io.grpc.stub.StreamObserver;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** etcd's Lease service: a thin shell over {@link LeaseService}, which fills headers. */
public final class LeaseGrpcService extends LeaseGrpc.LeaseImplBase {
    private final LeaseService leases;

    public LeaseGrpcService(LeaseService leases) {
        this.leases = Objects.requireNonNull(leases, "leases");
    }

    @Override
    public void leaseGrant(LeaseGrantRequest request, StreamObserver<LeaseGrantResponse> observer) {
        Replies.reply(() -> leases.grant(request), observer);
    }

    @Override
    public void leaseRevoke(LeaseRevokeRequest request, StreamObserver<LeaseRevokeResponse> observer) {
        Replies.reply(() -> leases.revoke(request), observer);
    }

    @Override
    public void leaseTimeToLive(LeaseTimeToLiveRequest request, StreamObserver<LeaseTimeToLiveResponse> observer) {
        Replies.reply(() -> leases.timeToLive(request), observer);
    }

    @Override
    public void leaseLeases(LeaseLeasesRequest request, StreamObserver<LeaseLeasesResponse> observer) {
        Replies.reply(() -> leases.leases(request), observer);
    }

    /**
     * Renews one lease per request, answering in request order (etcd handles a stream's requests
     * one at a time); an error other than an unknown lease ends the stream.
     */
    @Override
    public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(StreamObserver<LeaseKeepAliveResponse> out) {
        return new StreamObserver<>() {
            private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
            private volatile boolean failed;

            @Override
            public synchronized void onNext(LeaseKeepAliveRequest request) {
                tail = tail.thenCompose(v -> failed ? CompletableFuture.completedFuture(null)
                        : leases.keepAlive(request).handle((resp, err) -> {
                            if (failed) {
                                return null;
                            }
                            if (err != null) {
                                failed = true;
                                out.onError(GrpcErrors.toException(err));
                            } else {
                                out.onNext(resp);
                            }
                            return null;
                        }));
            }

            @Override
            public synchronized void onError(Throwable t) {
                failed = true;
            }

            @Override
            public synchronized void onCompleted() {
                tail = tail.thenRun(() -> {
                    if (!failed) {
                        failed = true;
                        out.onCompleted();
                    }
                });
            }
        };
    }
}
