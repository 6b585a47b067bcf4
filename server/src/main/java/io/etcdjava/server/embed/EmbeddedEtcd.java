package io.etcdjava.server.embed;

import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.server.api.ClientServer;
import io.etcdjava.server.api.grpc.WatchGrpcService;
import io.etcdjava.server.api.grpc.LeaseGrpcService;
import io.etcdjava.server.config.ServerConfig;
import io.etcdjava.server.etcdserver.EtcdServer;
import io.etcdjava.server.etcdserver.MemberSettings;
import io.etcdjava.server.log.Log;
import io.etcdjava.server.metrics.MemberMetrics;
import io.etcdjava.server.metrics.Metrics;
import io.etcdjava.raft.wal.Wal;
import io.etcdjava.server.api.grpc.ClusterGrpcService;
import io.etcdjava.server.api.grpc.LearnerGuard;
import io.etcdjava.server.membership.ClusterInfo;
import io.etcdjava.server.membership.Member;
import io.etcdjava.server.rafthttp.PeerMetrics;
import io.etcdjava.server.rafthttp.PeerTransport;
import io.etcdjava.server.watch.WatchableStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running member: the member core plus its client port (and, in a cluster of more than one
 * member, its peer port and transport), started from a {@link ServerConfig}.
 * This is what {@code bin/etcd} runs, and what Java tests embed (listen on port 0, then ask
 * {@link #clientAddresses()}).
 */
public final class EmbeddedEtcd implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedEtcd.class);

    private final EtcdServer server;
    private final ClientServer client;
    private final WatchableStore watches;
    private final PeerPlane peers;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final AtomicBoolean closing = new AtomicBoolean();

    private EmbeddedEtcd(EtcdServer server, ClientServer client, WatchableStore watches, PeerPlane peers) {
        this.server = server;
        this.client = client;
        this.watches = watches;
        this.peers = peers;
    }

    /** Starts the member and returns once it serves client requests. */
    public static EmbeddedEtcd start(ServerConfig cfg) throws Exception {
        if (cfg.isNewCluster()) {
            cfg.verifyBootstrap();
        }
        MemberSettings settings = settingsOf(cfg);
        Metrics metrics = Metrics.create();
        MemberMetrics memberMetrics = MemberMetrics.create(metrics);
        // Without a WAL, "existing" means joining a running cluster: ask it who we are.
        ClusterInfo joined = null;
        if (!cfg.isNewCluster() && !Wal.exists(settings.effectiveWalDir())) {
            joined = ClusterJoin.discover(settings);
        }
        Map<Long, List<String>> bootPeers = new LinkedHashMap<>();
        if (joined != null) {
            for (Member m : joined.members()) {
                bootPeers.put(m.id(), m.peerUrls());
            }
        } else {
            bootPeers.putAll(PeerTransport.membersOf(settings.initialCluster(), settings.clusterToken()));
        }
        PeerMetrics peerMetrics = new PeerMetrics();
        peerMetrics.register(metrics.registry());
        PeerPlane peers = new PeerPlane(cfg.listenPeerUrls(), settings.clusterToken(), peerMetrics,
                settings.memberDir().resolve("snap"));
        EtcdServer server;
        try {
            // The peer port serves before raft's first tick, as etcd listens for peers before its raft starts.
            server = EtcdServer.start(settings, memberMetrics.walFsyncObserver(), peers.transport(), joined,
                    srv -> peers.attach(srv, bootPeers));
        } catch (Exception | Error e) {
            peers.close();
            throw e;
        }
        ClientServer client = null;
        WatchableStore watches = null;
        try {
            memberMetrics.bind(metrics, server);
            server.leaseMetrics().register(metrics.registry());
            // Like etcd, clients are served only once the member published itself through raft, however
            // long the cluster takes to elect a leader (a member waiting for its peers must not give up);
            // this fails only if the member stops, or ends when its peers say it was removed.
            CompletableFuture<Void> ready = server.ready();
            CompletableFuture.anyOf(ready, server.removedFromCluster()).get();
            if (!ready.isDone()) {
                Log.warn(log, "stopped publish because server is stopped",
                        "local-member-id", io.etcdjava.server.membership.MemberIds.hex(server.memberId()),
                        "error", "etcdserver: server stopped");
                throw new MemberRemovedException();
            }
            watches = WatchableStore.open(server.mvccStore(), WatchableStore.Options.DEFAULT
                    .withProgressInterval(cfg.watchProgressNotifyInterval()), metrics);
            int maxRequestBytes = (int) Math.min(Integer.MAX_VALUE, cfg.maxRequestBytes());
            ClientServer.Builder b = ClientServer.builder().kvService(server).memberStatus(server).metrics(metrics)
                    .maxRequestBytes((int) Math.min(Integer.MAX_VALUE, cfg.maxRequestBytes()))
                    .serverVersion(EtcdServer.VERSION).clusterVersion(server::clusterVersion)
                    .service(new LeaseGrpcService(server.leases()))
                    .service(new ClusterGrpcService(server.cluster()))
                    .interceptor(new LearnerGuard(server::isLearner));
            b.service(new WatchGrpcService(watches, rev -> ResponseHeader.newBuilder()
                    .setClusterId(server.clusterId()).setMemberId(server.memberId()).setRevision(rev)
                    .setRaftTerm(server.raftStatus().term()).build(),
                    maxRequestBytes + ClientServer.GRPC_OVERHEAD_BYTES));
            for (String url : cfg.listenClientUrls()) {
                b.listen(URI.create(url));
            }
            client = b.build();
            client.start();
            for (InetSocketAddress a : client.boundAddresses()) {
                Log.info(log, "ready to serve client requests");
                Log.warn(log, "serving client traffic insecurely; this is strongly discouraged!",
                        "address", a.getHostString() + ":" + a.getPort());
            }
            EmbeddedEtcd member = new EmbeddedEtcd(server, client, watches, peers);
            // A member removed from the cluster stops itself, as etcd does.
            server.removedFromCluster().thenRun(() -> {
                Thread t = new Thread(() -> {
                    try {
                        member.close();
                    } catch (Exception e) {
                        Log.error(log, "failed to stop the removed member cleanly", e);
                    }
                }, "etcd-removed-stop");
                t.start();
            });
            return member;
        } catch (Exception | Error e) {
            if (client != null) {
                client.close();
            }
            if (watches != null) {
                watches.close();
            }
            try {
                server.close();
            } finally {
                peers.close();
            }
            throw e;
        }
    }

    static MemberSettings settingsOf(ServerConfig cfg) {
        return new MemberSettings(
                cfg.name(),
                Path.of(cfg.dataDir()),
                cfg.walDir() == null || cfg.walDir().isEmpty() ? null : Path.of(cfg.walDir()),
                cfg.advertiseClientUrls(),
                cfg.initialAdvertisePeerUrls(),
                cfg.initialClusterMap(),
                cfg.initialClusterToken(),
                Duration.ofMillis(cfg.heartbeatIntervalMs()),
                cfg.electionTicks(),
                cfg.snapshotCount(),
                (int) cfg.maxTxnOps(),
                cfg.maxRequestBytes(),
                cfg.preVote(),
                cfg.experimentalSnapshotCatchupEntries(),
                cfg.strictReconfigCheck(),
                cfg.experimentalLeaseRevokeRate());
    }

    public EtcdServer server() {
        return server;
    }

    /** The peer transport's metrics. */
    public PeerMetrics peerMetrics() {
        return peers.metrics();
    }

    /** The addresses the client port is bound to (the actual ports when configured with port 0). */
    public List<InetSocketAddress> clientAddresses() {
        return client.boundAddresses();
    }

    /** The addresses the peer port is bound to (the actual ports when configured with port 0). */
    public List<InetSocketAddress> peerAddresses() {
        return peers.peerAddresses();
    }

    /** Completes once the member stopped: closed, or removed from the cluster (then it closes itself). */
    public CompletableFuture<Void> terminated() {
        return terminated;
    }

    @Override
    public void close() throws Exception {
        if (!closing.compareAndSet(false, true)) {
            terminated.join();
            return;
        }
        try {
            client.close();
            watches.close();
        } finally {
            try {
                server.close();
            } finally {
                try {
                    peers.close();
                } finally {
                    terminated.complete(null);
                }
            }
        }
    }
}
