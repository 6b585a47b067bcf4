package io.etcdjava.server.embed;

import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.server.api.ClientServer;
import io.etcdjava.server.api.grpc.WatchGrpcService;
import io.etcdjava.server.api.grpc.LeaseGrpcService;
import io.etcdjava.server.config.ServerConfig;
import io.etcdjava.server.etcdserver.EtcdServer;
import io.etcdjava.server.etcdserver.MemberSettings;
import io.etcdjava.server.log.Log;
import io.etcdjava.server.membership.MemberIds;
import io.etcdjava.server.metrics.MemberMetrics;
import io.etcdjava.server.metrics.Metrics;
import io.etcdjava.server.rafthttp.PeerMetrics;
import io.etcdjava.server.rafthttp.PeerReports;
import io.etcdjava.server.rafthttp.PeerServer;
import io.etcdjava.server.rafthttp.PeerTransport;
import io.etcdjava.server.rafthttp.SnapshotSource;
import io.etcdjava.server.raftnode.Transport;
import io.etcdjava.server.watch.WatchableStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
    private final PeerServer peerServer;
    private final PeerTransport transport;

    private EmbeddedEtcd(EtcdServer server, ClientServer client, WatchableStore watches, PeerServer peerServer,
                         PeerTransport transport) {
        this.server = server;
        this.client = client;
        this.watches = watches;
        this.peerServer = peerServer;
        this.transport = transport;
    }

    /** Starts the member and returns once it serves client requests. */
    public static EmbeddedEtcd start(ServerConfig cfg) throws Exception {
        if (cfg.isNewCluster()) {
            cfg.verifyBootstrap();
        }
        MemberSettings settings = settingsOf(cfg);
        Metrics metrics = Metrics.create();
        MemberMetrics memberMetrics = MemberMetrics.create(metrics);
        // A lone member has nobody to talk to: no transport, no peer port (as before clusters).
        PeerTransport transport = null;
        PeerMetrics peerMetrics = new PeerMetrics();
        AtomicReference<EtcdServer> self = new AtomicReference<>();
        if (settings.initialCluster().size() > 1) {
            Map<Long, List<String>> members = PeerTransport.membersOf(settings.initialCluster(),
                    settings.clusterToken());
            transport = new PeerTransport(MemberIds.clusterId(members.keySet()),
                    MemberIds.memberId(settings.advertisePeerUrls(), settings.clusterToken(), null), members,
                    new PeerReports() {
                        @Override
                        public void unreachable(long peer) {
                            EtcdServer s = self.get();
                            if (s != null) {
                                s.reportUnreachable(peer);
                            }
                        }

                        @Override
                        public void snapshotFailed(long peer) {
                            EtcdServer s = self.get();
                            if (s != null) {
                                s.reportSnapshot(peer, true);
                            }
                        }

                        @Override
                        public void snapshotSucceeded(long peer) {
                            EtcdServer s = self.get();
                            if (s != null) {
                                s.reportSnapshot(peer, false);
                            }
                        }
                    }, peerMetrics, new SnapshotSource() {
                        @Override
                        public void checkpoint(Path target) {
                            EtcdServer s = self.get();
                            if (s == null) {
                                throw new IllegalStateException("member not started");
                            }
                            s.checkpointBackend(target);
                        }

                        @Override
                        public Path scratchDir() {
                            return settings.memberDir().resolve("snap");
                        }
                    });
        }
        EtcdServer server;
        try {
            server = EtcdServer.start(settings, memberMetrics.walFsyncObserver(),
                    transport == null ? Transport.NONE : transport);
        } catch (Exception | Error e) {
            if (transport != null) {
                transport.close();
            }
            throw e;
        }
        self.set(server);
        ClientServer client = null;
        WatchableStore watches = null;
        PeerServer peerServer = null;
        try {
            if (transport != null) {
                peerServer = PeerServer.start(cfg.listenPeerUrls(), server.clusterId(), server.memberId(),
                        server::stepPeerMessage, peerMetrics, server.snapDir(), server.leaseForwardService());
                peerMetrics.register(metrics.registry());
            }
            memberMetrics.bind(metrics, server);
            server.leaseMetrics().register(metrics.registry());
            // Like etcd, clients are served only once the member published itself through raft.
            server.ready().get(settings.heartbeat().multipliedBy(settings.electionTicks() * 10L).toMillis()
                    + 10_000, TimeUnit.MILLISECONDS);
            watches = WatchableStore.open(server.mvccStore(), WatchableStore.Options.DEFAULT
                    .withProgressInterval(cfg.watchProgressNotifyInterval()), metrics);
            int maxRequestBytes = (int) Math.min(Integer.MAX_VALUE, cfg.maxRequestBytes());
            ClientServer.Builder b = ClientServer.builder().kvService(server).memberStatus(server).metrics(metrics)
                    .maxRequestBytes((int) Math.min(Integer.MAX_VALUE, cfg.maxRequestBytes()))
                    .serverVersion(EtcdServer.VERSION).clusterVersion(server::clusterVersion)
                    .service(new LeaseGrpcService(server.leases()));
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
            return new EmbeddedEtcd(server, client, watches, peerServer, transport);
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
                closePeers(peerServer, transport);
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
                cfg.experimentalSnapshotCatchupEntries());
    }

    public EtcdServer server() {
        return server;
    }

    /** The peer transport's metrics; null for a lone member. */
    public PeerMetrics peerMetrics() {
        return transport == null ? null : transport.metrics();
    }

    /** The addresses the client port is bound to (the actual ports when configured with port 0). */
    public List<InetSocketAddress> clientAddresses() {
        return client.boundAddresses();
    }

    /** The addresses the peer port is bound to; empty for a lone member, which has none. */
    public List<InetSocketAddress> peerAddresses() {
        return peerServer == null ? List.of() : peerServer.boundAddresses();
    }

    @Override
    public void close() throws Exception {
        try {
            client.close();
            watches.close();
        } finally {
            try {
                server.close();
            } finally {
                closePeers(peerServer, transport);
            }
        }
    }

    private static void closePeers(PeerServer peerServer, PeerTransport transport) throws InterruptedException {
        try {
            if (peerServer != null) {
                peerServer.close();
            }
        } finally {
            if (transport != null) {
                transport.close();
            }
        }
    }
}
