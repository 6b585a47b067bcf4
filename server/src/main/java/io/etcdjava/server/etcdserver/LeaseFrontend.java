package io.etcdjava.server.etcdserver;

import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.LeaseGrantResponse;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.LeaseLeasesRequest;
import io.etcdjava.api.etcdserverpb.LeaseLeasesResponse;
import io.etcdjava.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdjava.api.etcdserverpb.LeaseRevokeResponse;
import io.etcdjava.api.etcdserverpb.LeaseStatus;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.api.internal.InternalRaftRequest;
import io.etcdjava.server.apply.Applied;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.lease.Lessor;
import io.etcdjava.server.leaseforward.LeaseForwarder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * The member's Lease API: grants and revokes go through raft; keep-alives and time-to-live are
 * answered by the leader's {@link Lessor}, this member's own or, through the {@link LeaseForwarder},
 * the leader's over the peer port.
 */
final class LeaseFrontend implements LeaseService {
    private final Function<InternalRaftRequest.Builder, CompletableFuture<Object>> propose;
    private final LongFunction<ResponseHeader> header;
    private final LongSupplier currentRevision;
    private final LongSupplier requestIds;
    private final Lessor lessor;
    private final LeaseForwarder forwarder;

    LeaseFrontend(Function<InternalRaftRequest.Builder, CompletableFuture<Object>> propose,
                  LongFunction<ResponseHeader> header, LongSupplier currentRevision, LongSupplier requestIds,
                  Lessor lessor, LeaseForwarder forwarder) {
        this.propose = propose;
        this.header = header;
        this.currentRevision = currentRevision;
        this.requestIds = requestIds;
        this.lessor = lessor;
        this.forwarder = forwarder;
    }

    @Override
    public CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest request) {
        LeaseGrantRequest r = request;
        while (r.getID() == 0) {
            // Only positive IDs, as etcd chooses them.
            r = r.toBuilder().setID(requestIds.getAsLong() & Long.MAX_VALUE).build();
        }
        return propose.apply(InternalRaftRequest.newBuilder().setLeaseGrant(r)).thenApply(o -> {
            @SuppressWarnings("unchecked")
            Applied<LeaseGrantResponse> a = (Applied<LeaseGrantResponse>) o;
            return a.response().toBuilder().setHeader(header.apply(a.revision())).build();
        });
    }

    @Override
    public CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest request) {
        return propose.apply(InternalRaftRequest.newBuilder().setLeaseRevoke(request)).thenApply(o ->
                LeaseRevokeResponse.newBuilder().setHeader(header.apply((Long) o)).build());
    }

    @Override
    public CompletableFuture<LeaseKeepAliveResponse> keepAlive(LeaseKeepAliveRequest request) {
        return forwarder.renew(request.getID(), () -> lessor.renew(request.getID())).handle((ttl, err) -> {
            ResponseHeader h = header.apply(currentRevision.getAsLong());
            if (err == null) {
                return LeaseKeepAliveResponse.newBuilder().setHeader(h).setID(request.getID()).setTTL(ttl).build();
            }
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof EtcdException e && e.error() == EtcdError.LEASE_NOT_FOUND) {
                return LeaseKeepAliveResponse.newBuilder().setHeader(h).setID(request.getID()).setTTL(0).build();
            }
            throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
        });
    }

    @Override
    public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest request) {
        return forwarder.timeToLive(request, () -> CompletableFuture.completedFuture(
                lessor.timeToLive(request.getID(), request.getKeys())
                        .map(t -> LeaseTimeToLiveResponse.newBuilder().setID(t.id()).setTTL(t.remaining())
                                .setGrantedTTL(t.grantedTtl()).addAllKeys(t.keys()).build())
                        .orElseThrow(EtcdError.LEASE_NOT_FOUND::exception)))
                .handle((resp, err) -> {
                    LeaseTimeToLiveResponse.Builder b;
                    if (err == null) {
                        b = resp.toBuilder();
                    } else {
                        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                        if (!(cause instanceof EtcdException e && e.error() == EtcdError.LEASE_NOT_FOUND)) {
                            throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
                        }
                        b = LeaseTimeToLiveResponse.newBuilder().setID(request.getID()).setTTL(-1);
                    }
                    return b.setHeader(header.apply(currentRevision.getAsLong())).build();
                });
    }

    @Override
    public CompletableFuture<LeaseLeasesResponse> leases(LeaseLeasesRequest request) {
        LeaseLeasesResponse.Builder b = LeaseLeasesResponse.newBuilder();
        for (long id : lessor.leases()) {
            b.addLeases(LeaseStatus.newBuilder().setID(id));
        }
        return CompletableFuture.completedFuture(b.setHeader(header.apply(currentRevision.getAsLong())).build());
    }
}
