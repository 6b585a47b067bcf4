package io.etcdjava.server.etcdserver;

import io.etcdjava.api.internal.Attributes;
import io.etcdjava.api.internal.ClusterMemberAttrSetRequest;
import io.etcdjava.api.internal.ClusterVersionSetRequest;
import io.etcdjava.api.internal.InternalRaftRequest;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.membership.MemberIds;
import io.etcdjava.server.raftnode.RaftNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a starting member announces itself once it knows a leader: its name and client URLs
 * through raft (retried until applied), then, as leader, the cluster version.
 */
final class MemberPublisher {
    // EtcdServer's logger: the lines' "caller" is what operators and tests grep for.
    private static final Logger log = LoggerFactory.getLogger(EtcdServer.class);

    private final MemberSettings settings;
    private final long memberId;
    private final long clusterId;
    private final RaftNode raft;
    private final Proposer proposer;
    /** The cluster version applied so far, null before the leader set one. */
    private final Supplier<String> clusterVersion;
    /** Whether this member learnt it was removed (publishing then stops). */
    private final BooleanSupplier removed;
    private final Duration requestTimeout;

    MemberPublisher(MemberSettings settings, long memberId, long clusterId, RaftNode raft, Proposer proposer,
                    Supplier<String> clusterVersion, BooleanSupplier removed, Duration requestTimeout) {
        this.settings = settings;
        this.memberId = memberId;
        this.clusterId = clusterId;
        this.raft = raft;
        this.proposer = proposer;
        this.clusterVersion = clusterVersion;
        this.removed = removed;
        this.requestTimeout = requestTimeout;
    }

    CompletableFuture<Void> ready() {
        return raft.leaderKnown().thenCompose(v -> {
            InternalRaftRequest.Builder publish = InternalRaftRequest.newBuilder().setClusterMemberAttrSet(
                    ClusterMemberAttrSetRequest.newBuilder().setMemberID(memberId).setMemberAttributes(
                            Attributes.newBuilder().setName(settings.name())
                                    .addAllClientUrls(settings.advertiseClientUrls())));
            return publish(publish).thenAccept(r -> log.atInfo()
                    .addKeyValue("local-member-id", MemberIds.hex(memberId))
                    .addKeyValue("local-member-attributes", "{Name:" + settings.name() + " ClientURLs:"
                            + settings.advertiseClientUrls() + "}")
                    .addKeyValue("cluster-id", MemberIds.hex(clusterId))
                    .addKeyValue("publish-timeout", requestTimeout.toMillis() / 1000.0 + "s")
                    .log("published local member to cluster through raft"));
        }).thenCompose(v -> {
            if (raft.status().leader() != memberId || EtcdServer.VERSION.equals(clusterVersion.get())) {
                return CompletableFuture.completedFuture(null);
            }
            log.atInfo().addKeyValue("cluster-version", EtcdServer.VERSION).log("setting up initial cluster version");
            return proposer.propose(InternalRaftRequest.newBuilder().setClusterVersionSet(
                    ClusterVersionSetRequest.newBuilder().setVer(EtcdServer.VERSION))).thenAccept(r -> { });
        });
    }

    /**
     * Proposes the member's attributes until one attempt is applied, as etcd's publish does: an
     * attempt proposed to a leader that lost its term right after is never committed, and one
     * whose entry a snapshot from the leader covered is skipped here, so no result ever comes.
     */
    private CompletableFuture<Object> publish(InternalRaftRequest.Builder req) {
        Duration attempt = settings.heartbeat().multipliedBy(4L * settings.electionTicks());
        return proposer.propose(req, attempt).exceptionallyCompose(err -> {
            Throwable t = Futures.unwrap(err);
            if (t instanceof EtcdException e && e.error() != EtcdError.STOPPED && raft.failure() == null
                    && !removed.getAsBoolean()) {
                log.atWarn().addKeyValue("local-member-id", MemberIds.hex(memberId))
                        .addKeyValue("error", e.getMessage())
                        .log("failed to publish local member to cluster through raft");
                return publish(req);
            }
            return CompletableFuture.failedFuture(t);
        });
    }
}
