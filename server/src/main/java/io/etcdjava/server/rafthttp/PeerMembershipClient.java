package io.etcdjava.server.rafthttp;

import com.linecorp.armeria.client.grpc.GrpcClients;
import io.etcdjava.api.internal.ClusterInfoRequest;
import io.etcdjava.api.internal.ClusterInfoResponse;
import io.etcdjava.api.internal.PeerMembershipGrpc;
import io.etcdjava.api.internal.PromoteRequest;
import io.etcdjava.api.internal.RemovedNotice;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.membership.Member;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Calls other members' membership service on their peer URLs. Blocking calls; run them off event
 * loops (start-up, or the caller's own thread).
 */
public final class PeerMembershipClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private PeerMembershipClient() {
    }

    private static PeerMembershipGrpc.PeerMembershipBlockingStub stub(String url) {
        return GrpcClients.builder(url).responseTimeout(TIMEOUT).writeTimeout(TIMEOUT)
                .build(PeerMembershipGrpc.PeerMembershipBlockingStub.class);
    }

    /**
     * Asks the members at {@code peerUrls}, in turn, for the cluster; the first answer wins.
     *
     * @throws IllegalStateException naming every URL's failure when none answered, or the refusal
     */
    public static ClusterInfoResponse fetchCluster(List<String> peerUrls, String clusterToken) {
        List<String> errors = new ArrayList<>();
        for (String url : peerUrls) {
            try {
                return stub(url).clusterInfo(ClusterInfoRequest.newBuilder().setClusterToken(clusterToken).build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == io.grpc.Status.Code.FAILED_PRECONDITION) {
                    throw new IllegalStateException(e.getStatus().getDescription(), e);
                }
                errors.add(url + ": " + e.getStatus().getCode() + " " + e.getStatus().getDescription());
            } catch (RuntimeException e) {
                errors.add(url + ": " + e.getMessage());
            }
        }
        throw new IllegalStateException("could not retrieve cluster information from the given URLs " + errors);
    }

    /** Tells a removed member it is out; best effort, on a thread of its own. */
    public static void notifyRemoved(List<String> peerUrls, long clusterId, long memberId) {
        Thread t = new Thread(() -> {
            for (String url : peerUrls) {
                try {
                    stub(url).removed(RemovedNotice.newBuilder().setClusterId(clusterId).setMemberId(memberId).build());
                    return;
                } catch (RuntimeException e) {
                    // Try the next URL; a member that is down learns it when it comes back and asks.
                }
            }
        }, "notify-removed");
        t.setDaemon(true);
        t.start();
    }

    /** Forwards a promotion to the leader at {@code leaderPeerUrls}; fails with the leader's error. */
    public static CompletableFuture<List<Member>> promote(List<String> leaderPeerUrls, long clusterId, long id) {
        return CompletableFuture.supplyAsync(() -> {
            StatusRuntimeException last = null;
            for (String url : leaderPeerUrls) {
                try {
                    List<Member> out = new ArrayList<>();
                    for (var m : stub(url).promote(PromoteRequest.newBuilder().setClusterId(clusterId)
                            .setMemberId(id).build()).getMembersList()) {
                        out.add(Member.fromInternal(m));
                    }
                    return out;
                } catch (StatusRuntimeException e) {
                    last = e;
                    if (e.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE) {
                        break;
                    }
                }
            }
            if (last == null) {
                throw EtcdError.NO_LEADER.exception();
            }
            for (EtcdError err : EtcdError.values()) {
                if (err.message().equals(last.getStatus().getDescription())) {
                    throw err.exception();
                }
            }
            throw last;
        });
    }
}
