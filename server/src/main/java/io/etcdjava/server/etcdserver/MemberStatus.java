package io.etcdjava.server.etcdserver;

import io.etcdjava.api.etcdserverpb.MoveLeaderResponse;
import io.etcdjava.api.etcdserverpb.StatusResponse;
import java.util.concurrent.CompletableFuture;

/** What the maintenance and health endpoints ask of the member. */
public interface MemberStatus {
    /** Maintenance.Status: version, db size, leader, raft index/term/applied index, learner flag. */
    CompletableFuture<StatusResponse> status();

    /** Whether this member currently knows a leader (health, etcd_server_has_leader). */
    boolean hasLeader();

    /**
     * For /health: completes normally when a linearizable read would succeed now (etcd 3.5
     * checks with a quorum read), exceptionally with the reason otherwise.
     */
    CompletableFuture<Void> checkHealth();

    /** Maintenance.MoveLeader: hands leadership to {@code transferee}; only the leader can. */
    default CompletableFuture<MoveLeaderResponse> moveLeader(long transferee) {
        return CompletableFuture.failedFuture(io.grpc.Status.UNIMPLEMENTED.asRuntimeException());
    }

    /** Whether this member is a learner: it then refuses what etcd's learners refuse. */
    default boolean isLearner() {
        return false;
    }
}
