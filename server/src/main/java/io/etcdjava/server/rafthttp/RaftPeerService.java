package io.etcdjava.server.rafthttp;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdjava.api.internal.RaftAck;
import io.etcdjava.api.internal.RaftEnvelope;
import io.etcdjava.api.internal.RaftPeerGrpc;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.server.log.Log;
import io.etcdjava.server.membership.MemberIds;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receiving end of the peer protocol: checks that each stream comes from this cluster and is
 * meant for this member, and that its sender was not removed from the cluster, then hands every
 * raft message to raft. Runs on the event loop; the sink must not block.
 */
final class RaftPeerService extends RaftPeerGrpc.RaftPeerImplBase {
    private static final Logger log = LoggerFactory.getLogger(RaftPeerService.class);

    private final long clusterId;
    private final long localId;
    private final Consumer<Message> sink;
    private final PeerMetrics metrics;
    private final LongPredicate removed;

    RaftPeerService(long clusterId, long localId, Consumer<Message> sink) {
        this(clusterId, localId, sink, new PeerMetrics(), id -> false);
    }

    /** @param removed whether a member ID was removed from the cluster (read on the event loop) */
    RaftPeerService(long clusterId, long localId, Consumer<Message> sink, PeerMetrics metrics, LongPredicate removed) {
        this.metrics = metrics;
        this.clusterId = clusterId;
        this.localId = localId;
        this.sink = sink;
        this.removed = removed;
    }

    @Override
    public StreamObserver<RaftEnvelope> stream(StreamObserver<RaftAck> responses) {
        return new StreamObserver<>() {
            private boolean accepted;
            private boolean refused;

            @Override
            public void onNext(RaftEnvelope env) {
                if (refused) {
                    return;
                }
                // Checked on every envelope, not only the first: the sender may be removed while streaming.
                if (removed.test(env.getFrom()) && env.getClusterId() == clusterId) {
                    refused = true;
                    Log.warn(log, "rejected stream from remote peer because it was removed",
                            "local-member-id", MemberIds.hex(localId),
                            "remote-peer-id-stream-handler", MemberIds.hex(localId),
                            "remote-peer-id-from", MemberIds.hex(env.getFrom()));
                    responses.onError(PeerErrors.memberRemoved());
                    return;
                }
                if (!accepted) {
                    String why = refusal(env);
                    if (why != null) {
                        refused = true;
                        responses.onError(Status.FAILED_PRECONDITION.withDescription(why).asRuntimeException());
                        return;
                    }
                    accepted = true;
                    responses.onNext(RaftAck.newBuilder().setClusterId(clusterId).setMemberId(localId).build());
                }
                if (PeerFaults.dropsFrom(env.getFrom())) {
                    return; // test-only network fault
                }
                metrics.receivedBytes.labels(PeerMetrics.label(env.getFrom())).inc(env.getSerializedSize());
                for (ByteString bytes : env.getMessagesList()) {
                    try {
                        sink.accept(Message.parseFrom(bytes));
                    } catch (InvalidProtocolBufferException e) {
                        Log.warn(log, "dropped undecodable raft message", "remote-peer-id", MemberIds.hex(env.getFrom()),
                                "error", e.getMessage());
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                // The sender went away; it reconnects on its own.
            }

            @Override
            public void onCompleted() {
                if (!refused) {
                    responses.onCompleted();
                }
            }
        };
    }

    /** Why a stream is refused, in words for both sides' logs; null when it is accepted. */
    private String refusal(RaftEnvelope env) {
        if (env.getClusterId() != clusterId) {
            Log.error(log, "request cluster ID mismatch",
                    "local-member-id", MemberIds.hex(localId),
                    "local-member-cluster-id", MemberIds.hex(clusterId),
                    "remote-peer-id", MemberIds.hex(env.getFrom()),
                    "remote-peer-cluster-id", MemberIds.hex(env.getClusterId()));
            return "cluster ID mismatch: member " + MemberIds.hex(localId) + " belongs to cluster "
                    + MemberIds.hex(clusterId) + ", sender " + MemberIds.hex(env.getFrom()) + " to cluster "
                    + MemberIds.hex(env.getClusterId());
        }
        if (env.getTo() != localId) {
            Log.error(log, "request sent was ignored due to member ID mismatch",
                    "local-member-id", MemberIds.hex(localId),
                    "remote-peer-id", MemberIds.hex(env.getFrom()),
                    "recipient-member-id", MemberIds.hex(env.getTo()));
            return "member ID mismatch: this is member " + MemberIds.hex(localId) + ", not "
                    + MemberIds.hex(env.getTo());
        }
        return null;
    }
}
