package io.etcdjava.server.rafthttp;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * How peers say "you were removed from the cluster" on the raft stream. etcd answers a removed
 * member's stream with HTTP 410 Gone ("removed member") and its messages with 403; our streams
 * are gRPC, so the answer is PERMISSION_DENIED (gRPC's 403) with etcd's body as description.
 */
final class PeerErrors {
    static final String REMOVED_MEMBER = "removed member";

    private PeerErrors() {
    }

    static StatusRuntimeException memberRemoved() {
        return Status.PERMISSION_DENIED.withDescription(REMOVED_MEMBER).asRuntimeException();
    }

    static boolean isMemberRemoved(Status s) {
        return s.getCode() == Status.Code.PERMISSION_DENIED && REMOVED_MEMBER.equals(s.getDescription());
    }
}
