package io.etcdjava.server.rafthttp;

import io.etcdjava.api.internal.ClusterInfoRequest;
import io.etcdjava.api.internal.ClusterInfoResponse;
import io.etcdjava.api.internal.PeerMembershipGrpc;
import io.etcdjava.api.internal.PromoteRequest;
import io.etcdjava.api.internal.PromoteResponse;
import io.etcdjava.api.internal.RemovedAck;
import io.etcdjava.api.internal.RemovedNotice;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.log.Log;
import io.etcdjava.server.membership.Member;
import io.etcdjava.server.membership.MemberIds;
import io.etcdjava.server.membership.MemberRegistry;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves the membership calls of the peer port (see peer_membership.proto). */
final class PeerMembershipService extends PeerMembershipGrpc.PeerMembershipImplBase {
    private static final Logger log = LoggerFactory.getLogger(PeerMembershipService.class);

    private final MembershipPeer member;

    PeerMembershipService(MembershipPeer member) {
        this.member = member;
    }

    @Override
    public void clusterInfo(ClusterInfoRequest request, StreamObserver<ClusterInfoResponse> out) {
        if (!request.getClusterToken().equals(member.clusterToken())) {
            out.onError(Status.FAILED_PRECONDITION.withDescription("cluster token mismatch: this cluster was "
                    + "bootstrapped with --initial-cluster-token=" + member.clusterToken() + ", not "
                    + request.getClusterToken()).asRuntimeException());
            return;
        }
        MemberRegistry.View v = member.members();
        ClusterInfoResponse.Builder b = ClusterInfoResponse.newBuilder().setClusterId(member.clusterId())
                .setMemberId(member.memberId()).addAllRemovedIds(v.removed());
        for (Member m : v.members()) {
            b.addMembers(m.toInternal());
        }
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    public void removed(RemovedNotice notice, StreamObserver<RemovedAck> out) {
        if (notice.getClusterId() != member.clusterId() || notice.getMemberId() != member.memberId()) {
            out.onError(Status.FAILED_PRECONDITION.withDescription("cluster or member ID mismatch").asRuntimeException());
            return;
        }
        Log.warn(log, "the leader reported this member removed", "local-member-id", MemberIds.hex(member.memberId()));
        member.removedByLeader();
        out.onNext(RemovedAck.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void promote(PromoteRequest request, StreamObserver<PromoteResponse> out) {
        if (request.getClusterId() != member.clusterId()) {
            out.onError(Status.FAILED_PRECONDITION.withDescription("cluster ID mismatch").asRuntimeException());
            return;
        }
        member.promote(request.getMemberId()).whenComplete((members, err) -> {
            if (err != null) {
                Throwable t = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                out.onError(t instanceof EtcdException e ? e.error().toStatus().asRuntimeException()
                        : Status.UNKNOWN.withDescription(String.valueOf(t.getMessage())).asRuntimeException());
                return;
            }
            PromoteResponse.Builder b = PromoteResponse.newBuilder();
            for (Member m : members) {
                b.addMembers(m.toInternal());
            }
            out.onNext(b.build());
            out.onCompleted();
        });
    }
}
