package io.etcdjava.server.etcdserver;

import io.etcdjava.api.etcdserverpb.MemberAddRequest;
import io.etcdjava.api.etcdserverpb.MemberAddResponse;
import io.etcdjava.api.etcdserverpb.MemberListRequest;
import io.etcdjava.api.etcdserverpb.MemberListResponse;
import io.etcdjava.api.etcdserverpb.MemberPromoteRequest;
import io.etcdjava.api.etcdserverpb.MemberPromoteResponse;
import io.etcdjava.api.etcdserverpb.MemberRemoveRequest;
import io.etcdjava.api.etcdserverpb.MemberRemoveResponse;
import io.etcdjava.api.etcdserverpb.MemberUpdateRequest;
import io.etcdjava.api.etcdserverpb.MemberUpdateResponse;
import java.util.concurrent.CompletableFuture;

/**
 * What the Cluster gRPC service needs from a member: membership changes go through raft as conf
 * changes; responses carry their headers; failures are {@link io.etcdjava.server.errors.EtcdException}s.
 */
public interface ClusterService {
    CompletableFuture<MemberAddResponse> memberAdd(MemberAddRequest request);

    CompletableFuture<MemberRemoveResponse> memberRemove(MemberRemoveRequest request);

    CompletableFuture<MemberUpdateResponse> memberUpdate(MemberUpdateRequest request);

    CompletableFuture<MemberListResponse> memberList(MemberListRequest request);

    CompletableFuture<MemberPromoteResponse> memberPromote(MemberPromoteRequest request);
}
