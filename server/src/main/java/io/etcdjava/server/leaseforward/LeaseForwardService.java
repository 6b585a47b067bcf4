package io.etcdjava.server.leaseforward;

import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdjava.api.internal.ForwardedKeepAlive;
import io.etcdjava.api.internal.ForwardedTimeToLive;
import io.etcdjava.api.internal.LeaseForwardGrpc;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.lease.Lessor;
import io.etcdjava.server.lease.NotPrimaryException;
import io.etcdjava.server.membership.MemberIds;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The leader's end of lease forwarding, served on the peer port: renews and answers time-to-live
 * from this member's lessor once it applied everything committed (so a lease granted through a
 * follower a moment ago is known here), as etcd's leasehttp handler does.
 */
public final class LeaseForwardService extends LeaseForwardGrpc.LeaseForwardImplBase {
    /** etcd's leasehttp applyTimeout and ErrLeaseHTTPTimeout. */
    static final Duration APPLY_TIMEOUT = Duration.ofSeconds(1);
    static final String APPLY_TIMEOUT_MESSAGE = "waiting for node to catch up its applied index has timed out";

    private final long clusterId;
    private final Lessor lessor;
    private final Supplier<CompletableFuture<Void>> caughtUp;

    /**
     * @param caughtUp completes once this member applied what it knows to be committed; never blocks
     */
    public LeaseForwardService(long clusterId, Lessor lessor, Supplier<CompletableFuture<Void>> caughtUp) {
        this.clusterId = clusterId;
        this.lessor = lessor;
        this.caughtUp = caughtUp;
    }

    @Override
    public void keepAlive(ForwardedKeepAlive request, StreamObserver<LeaseKeepAliveResponse> out) {
        if (refused(request.getClusterId(), out)) {
            return;
        }
        long id = request.getRequest().getID();
        reply(caughtUp().thenCompose(v -> lessor.renew(id))
                .thenApply(ttl -> LeaseKeepAliveResponse.newBuilder().setID(id).setTTL(ttl).build()), out);
    }

    @Override
    public void timeToLive(ForwardedTimeToLive request, StreamObserver<LeaseTimeToLiveResponse> out) {
        if (refused(request.getClusterId(), out)) {
            return;
        }
        LeaseTimeToLiveRequest r = request.getRequest();
        reply(caughtUp().thenApply(v -> lessor.timeToLive(r.getID(), r.getKeys())
                .map(t -> LeaseTimeToLiveResponse.newBuilder().setID(t.id()).setTTL(t.remaining())
                        .setGrantedTTL(t.grantedTtl()).addAllKeys(t.keys()).build())
                .orElseThrow(EtcdError.LEASE_NOT_FOUND::exception)), out);
    }

    private CompletableFuture<Void> caughtUp() {
        return caughtUp.get().orTimeout(APPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private boolean refused(long from, StreamObserver<?> out) {
        if (from == clusterId) {
            return false;
        }
        out.onError(Status.FAILED_PRECONDITION.withDescription("cluster ID mismatch: local "
                + MemberIds.hex(clusterId) + ", remote " + MemberIds.hex(from)).asRuntimeException());
        return true;
    }

    private static <T> void reply(CompletableFuture<T> result, StreamObserver<T> out) {
        result.whenComplete((v, err) -> {
            if (err == null) {
                out.onNext(v);
                out.onCompleted();
            } else {
                out.onError(toStatus(err).asRuntimeException());
            }
        });
    }

    /** NOT_FOUND means the lease is gone (final); every other status makes the follower retry. */
    static Status toStatus(Throwable err) {
        Throwable t = err;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof EtcdException e && e.error() == EtcdError.LEASE_NOT_FOUND) {
            return Status.NOT_FOUND.withDescription(e.getMessage());
        }
        if (t instanceof NotPrimaryException) {
            return Status.FAILED_PRECONDITION.withDescription(NotPrimaryException.MESSAGE);
        }
        if (t instanceof TimeoutException) {
            return Status.UNAVAILABLE.withDescription(APPLY_TIMEOUT_MESSAGE);
        }
        return Status.UNAVAILABLE.withDescription(String.valueOf(t.getMessage()));
    }
}
