package io.etcdjava.server.api.grpc;

import io.etcdjava.api.etcdserverpb.MaintenanceGrpc;
import io.etcdjava.api.etcdserverpb.StatusRequest;
import io.etcdjava.api.etcdserverpb.StatusResponse;
import io.etcdjava.server.etcdserver.MemberStatus;
import io.grpc.stub.StreamObserver;
import java.util.Objects;

/** etcd's Maintenance service; only Status is served so far, the rest answers UNIMPLEMENTED. */
public final class MaintenanceGrpcService extends MaintenanceGrpc.MaintenanceImplBase {
    private final MemberStatus member;

    public MaintenanceGrpcService(MemberStatus member) {
        this.member = Objects.requireNonNull(member, "member");
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
        Replies.reply(member::status, observer);
    }
}
