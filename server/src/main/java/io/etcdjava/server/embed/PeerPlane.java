package io.etcdjava.server.embed;

import io.etcdjava.raft.pb.SnapshotMetadata;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.etcdserver.EtcdServer;
import io.etcdjava.server.log.Log;
import io.etcdjava.server.membership.Member;
import io.etcdjava.server.membership.MemberRegistry;
import io.etcdjava.server.rafthttp.MembershipPeer;
import io.etcdjava.server.rafthttp.PeerMembershipClient;
import io.etcdjava.server.rafthttp.PeerMetrics;
import io.etcdjava.server.rafthttp.PeerReports;
import io.etcdjava.server.rafthttp.PeerServer;
import io.etcdjava.server.rafthttp.PeerTransport;
import io.etcdjava.server.rafthttp.SnapshotSource;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member's side of the peer network: the transport raft sends through, kept in line with the
 * member registry, and the peer port, opened at start by every member, a lone one too (as etcd
 * binds --listen-peer-urls), so a member added later reaches it at once.
 */
final class PeerPlane implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerPlane.class);

    private final List<String> listenPeerUrls;
    private final String clusterToken;
    private final PeerMetrics metrics;
    /** Where database snapshots are staged, sent and received. */
    private final Path snapDir;
    private final DeferredTransport deferred = new DeferredTransport();
    /** Every member's last known peer URLs, kept after removal (to tell it it was removed). */
    private final Map<Long, List<String>> knownUrls = new ConcurrentHashMap<>();
    private volatile EtcdServer server;
    private PeerTransport transport;
    private PeerServer peerServer;
    private boolean closed;

    PeerPlane(List<String> listenPeerUrls, String clusterToken, PeerMetrics metrics, Path snapDir) {
        this.listenPeerUrls = List.copyOf(listenPeerUrls);
        this.clusterToken = clusterToken;
        this.metrics = metrics;
        this.snapDir = snapDir;
    }

    PeerMetrics metrics() {
        return metrics;
    }

    /** What raft sends through; usable before {@link #attach}. */
    DeferredTransport transport() {
        return deferred;
    }

    /** Starts the transport (and the peer port if there are peers) for a started member core. */
    void attach(EtcdServer s, Map<Long, List<String>> bootPeers) {
        this.server = s;
        Map<Long, List<String>> peers = urls(s.members().view());
        if (peers.isEmpty()) {
            peers = bootPeers;
        }
        knownUrls.putAll(peers);
        synchronized (this) {
            transport = new PeerTransport(s.clusterId(), s.memberId(), peers, new PeerReports() {
                @Override
                public void unreachable(long peer) {
                    s.reportUnreachable(peer);
                }

                @Override
                public void snapshotFailed(long peer) {
                    s.reportSnapshot(peer, true);
                }

                @Override
                public void snapshotSucceeded(long peer) {
                    s.reportSnapshot(peer, false);
                }

                @Override
                public void removedFromCluster() {
                    s.removedByLeader();
                }
            }, metrics, new SnapshotSource() {
                @Override
                public void checkpoint(Path target) throws Exception {
                    s.checkpointBackend(target);
                }

                @Override
                public SnapshotMetadata checkpoint(Path target, SnapshotMetadata raftSnapshot) throws Exception {
                    return s.checkpointBackend(target);
                }

                @Override
                public Path scratchDir() {
                    return snapDir;
                }
            });
        }
        deferred.set(transport);
        s.onPeerRemoved(id -> {
            List<String> urls = knownUrls.get(id);
            if (urls != null) {
                PeerMembershipClient.notifyRemoved(urls, s.clusterId(), id);
            }
        });
        s.setPromoteForwarder(id -> {
            List<String> leaderUrls = knownUrls.get(s.raftStatus().leader());
            if (leaderUrls == null) {
                return CompletableFuture.failedFuture(EtcdError.NO_LEADER.exception());
            }
            return PeerMembershipClient.promote(leaderUrls, s.clusterId(), id);
        });
        s.members().addListener(this::onMembers);
        onMembers(s.members().view());
        startPeerServer();
    }

    private void onMembers(MemberRegistry.View view) {
        Map<Long, List<String>> peers = urls(view);
        if (peers.isEmpty()) {
            return;
        }
        knownUrls.putAll(peers);
        PeerTransport t;
        synchronized (this) {
            t = transport;
        }
        if (t != null) {
            t.syncPeers(peers);
        }
    }

    private synchronized void startPeerServer() {
        if (peerServer != null || closed || server == null) {
            return;
        }
        EtcdServer s = server;
        try {
            peerServer = PeerServer.start(listenPeerUrls, s.clusterId(), s.memberId(), s::stepPeerMessage,
                    new Membership(s), metrics, snapDir, s.leaseForwardService());
        } catch (RuntimeException e) {
            Log.warn(log, "failed to open the peer port", "error", e.getMessage());
            throw e;
        }
    }

    synchronized List<InetSocketAddress> peerAddresses() {
        return peerServer == null ? List.of() : peerServer.boundAddresses();
    }

    private static Map<Long, List<String>> urls(MemberRegistry.View view) {
        Map<Long, List<String>> out = new LinkedHashMap<>();
        for (Member m : view.members()) {
            out.put(m.id(), m.peerUrls());
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        PeerServer ps;
        PeerTransport t;
        synchronized (this) {
            closed = true;
            ps = peerServer;
            t = transport;
        }
        try {
            if (ps != null) {
                ps.close();
            }
        } finally {
            if (t != null) {
                t.close();
            }
        }
    }

    /** The member as the peer port's membership calls see it. */
    private final class Membership implements MembershipPeer {
        private final EtcdServer s;

        Membership(EtcdServer s) {
            this.s = s;
        }

        @Override
        public long clusterId() {
            return s.clusterId();
        }

        @Override
        public long memberId() {
            return s.memberId();
        }

        @Override
        public String clusterToken() {
            return clusterToken;
        }

        @Override
        public MemberRegistry.View members() {
            return s.members().view();
        }

        @Override
        public void removedByLeader() {
            s.removedByLeader();
        }

        @Override
        public CompletableFuture<List<Member>> promote(long id) {
            return s.promoteForPeer(id);
        }
    }
}
