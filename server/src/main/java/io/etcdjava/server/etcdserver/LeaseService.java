package io.etcdjava.server.etcdserver;

import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.LeaseGrantResponse;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.LeaseLeasesRequest;
import io.etcdjava.api.etcdserverpb.LeaseLeasesResponse;
import io.etcdjava.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdjava.api.etcdserverpb.LeaseRevokeResponse;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveResponse;
import java.util.concurrent.CompletableFuture;

/**
 * What the Lease gRPC service needs from a member: responses carry their headers; failures are
 * {@link io.etcdjava.server.errors.EtcdException}s. An unknown lease is an error for grant/revoke
 * but an answer for keep-alive (TTL 0) and time-to-live (TTL -1), as etcd's v3rpc shapes them.
 */
public interface LeaseService {
    CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest request);

    CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest request);

    CompletableFuture<LeaseKeepAliveResponse> keepAlive(LeaseKeepAliveRequest request);

    CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest request);

    CompletableFuture<LeaseLeasesResponse> leases(LeaseLeasesRequest request);
}
