package io.etcdjava.server.api.grpc;

import io.etcdjava.api.etcdserverpb.MaintenanceGrpc;
import io.etcdjava.api.etcdserverpb.MoveLeaderRequest;
import io.etcdjava.api.etcdserverpb.MoveLeaderResponse;
import io.etcdjava.api.etcdserverpb.StatusRequest;
import io.etcdjava.api.etcdserverpb.StatusResponse;
import io.etcdjava.server.etcdserver.MemberStatus;
import io.grpc.stub.StreamObserver;
import java.util.Objects;

/** etcd's Maintenance service; Status and MoveLeader are served so far, the rest answers UNIMPLEMENTED. */
public final class MaintenanceGrpcService extends MaintenanceGrpc.MaintenanceImplBase {
    private final MemberStatus member;

    public MaintenanceGrpcService(MemberStatus member) {
        this.member = Objects.requireNonNull(member, "member");
    }

    @Override
    public void moveLeader(MoveLeaderRequest request, StreamObserver<MoveLeaderResponse> observer) {
        Replies.reply(() -> member.moveLeader(request.getTargetID()), observer);
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
        Replies.reply(member::status, observer);
    }
}
