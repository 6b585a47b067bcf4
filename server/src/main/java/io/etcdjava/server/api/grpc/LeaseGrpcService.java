package io.etcdjava.server.api.grpc;

import com.linecorp.armeria.server.ServiceRequestContext;
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
     * Renews one lease per request and answers in request order, as etcd's one-at-a-time loop
     * does, but without waiting for one renewal before starting the next: a renewal that must wait
     * for a raft checkpoint would otherwise idle the whole stream for a raft round trip. An error
     * other than an unknown lease ends the stream.
     */
    @Override
    public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(StreamObserver<LeaseKeepAliveResponse> out) {
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        return new KeepAliveStream(leases, out, ctx != null ? ctx.eventLoop() : Runnable::run);
    }
}
