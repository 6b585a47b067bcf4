package io.etcdjava.server.api.grpc;

import io.etcdjava.api.etcdserverpb.ClusterGrpc;
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
import io.etcdjava.server.etcdserver.ClusterService;
import io.grpc.stub.StreamObserver;
import java.util.Objects;

/** etcd's Cluster service: a thin shell over {@link ClusterService}. */
public final class ClusterGrpcService extends ClusterGrpc.ClusterImplBase {
    private final ClusterService cluster;

    public ClusterGrpcService(ClusterService cluster) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
    }

    @Override
    public void memberAdd(MemberAddRequest request, StreamObserver<MemberAddResponse> observer) {
        Replies.reply(() -> cluster.memberAdd(request), observer);
    }

    @Override
    public void memberRemove(MemberRemoveRequest request, StreamObserver<MemberRemoveResponse> observer) {
        Replies.reply(() -> cluster.memberRemove(request), observer);
    }

    @Override
    public void memberUpdate(MemberUpdateRequest request, StreamObserver<MemberUpdateResponse> observer) {
        Replies.reply(() -> cluster.memberUpdate(request), observer);
    }

    @Override
    public void memberList(MemberListRequest request, StreamObserver<MemberListResponse> observer) {
        Replies.reply(() -> cluster.memberList(request), observer);
    }

    @Override
    public void memberPromote(MemberPromoteRequest request, StreamObserver<MemberPromoteResponse> observer) {
        Replies.reply(() -> cluster.memberPromote(request), observer);
    }
}
