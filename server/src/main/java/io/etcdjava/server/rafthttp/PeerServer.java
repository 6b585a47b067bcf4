package io.etcdjava.server.rafthttp;

import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.common.util.EventLoopGroups;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerPort;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.server.log.Log;
import io.etcdjava.server.membership.MemberIds;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer port: serves the raft stream protocol on every {@code --listen-peer-urls} address.
 * Owns its Armeria server and the "etcd-peer-io" event loops.
 */
public final class PeerServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerServer.class);
    /** Above the largest batch a sender builds plus one maximal raft message. */
    private static final int MAX_ENVELOPE_BYTES = 256 * 1024 * 1024;

    private final Server server;
    private final List<URI> listen;
    private final EventLoopGroup eventLoops;

    private final SnapshotReceiver snapshots;

    private PeerServer(Server server, List<URI> listen, EventLoopGroup eventLoops, SnapshotReceiver snapshots) {
        this.snapshots = snapshots;
        this.server = server;
        this.listen = listen;
        this.eventLoops = eventLoops;
    }

    /**
     * Binds every URL and returns once all are bound.
     *
     * @param sink receives each accepted raft message; called on an event loop, must not block
     */
    public static PeerServer start(List<String> listenPeerUrls, long clusterId, long localId, Consumer<Message> sink) {
        return start(listenPeerUrls, clusterId, localId, sink, new PeerMetrics(), null);
    }

    /** As below, without the membership calls. */
    public static PeerServer start(List<String> listenPeerUrls, long clusterId, long localId, Consumer<Message> sink,
                                   PeerMetrics metrics, java.nio.file.Path snapDir,
                                   io.grpc.BindableService... services) {
        return start(listenPeerUrls, clusterId, localId, sink, null, metrics, snapDir, services);
    }

    /**
     * As above, counting into {@code metrics}; with a {@code member}, also serving the membership
     * calls (join, removal notice, promotion) for it; with a {@code snapDir}, also receives database
     * snapshots into it (handing each MsgSnap to {@code sink} once its database is saved) and
     * answers round-trip probes; {@code services} are further peer services (lease forwarding, ...)
     * served beside raft's.
     */
    public static PeerServer start(List<String> listenPeerUrls, long clusterId, long localId, Consumer<Message> sink,
                                   MembershipPeer member, PeerMetrics metrics, java.nio.file.Path snapDir,
                                   io.grpc.BindableService... services) {
        SnapshotReceiver snapshots = snapDir == null ? null
                : new SnapshotReceiver(clusterId, localId, snapDir, sink, metrics);
        List<URI> listen = new ArrayList<>();
        ServerBuilder sb = Server.builder();
        for (String url : listenPeerUrls) {
            URI u = URI.create(url);
            listen.add(u);
            sb.port(new ServerPort(new InetSocketAddress(u.getHost(), u.getPort()), SessionProtocol.HTTP));
        }
        var grpc = GrpcService.builder().addServices(services);
        if (member != null) {
            grpc.addService(new PeerMembershipService(member));
        }
        if (snapshots != null) {
            grpc.addService(snapshots);
        }
        sb.service(grpc
                .addService(new RaftPeerService(clusterId, localId, sink, metrics,
                        member == null ? id -> false : id -> member.members().isRemoved(id)))
                .useBlockingTaskExecutor(false)
                .maxRequestMessageLength(MAX_ENVELOPE_BYTES)
                .build());
        EventLoopGroup eventLoops = EventLoopGroups.newEventLoopGroup(2, "etcd-peer-io", false);
        sb.workerGroup(eventLoops, false);
        // Streams live as long as both members do.
        sb.requestTimeout(Duration.ZERO);
        sb.idleTimeout(Duration.ZERO);
        sb.maxRequestLength(0);
        sb.gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(1));
        Server server = sb.build();
        try {
            server.start().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.stop();
            eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            closeQuietly(snapshots);
            throw new IllegalStateException("interrupted while starting the peer server", e);
        } catch (ExecutionException | TimeoutException e) {
            server.stop();
            eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            closeQuietly(snapshots);
            throw new IllegalStateException("cannot listen for peers on " + listenPeerUrls + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
        for (URI u : listen) {
            Log.info(log, "serving peer traffic", "address", u.getHost() + ":" + u.getPort(),
                    "local-member-id", MemberIds.hex(localId));
        }
        return new PeerServer(server, List.copyOf(listen), eventLoops, snapshots);
    }

    private static void closeQuietly(SnapshotReceiver r) {
        if (r == null) {
            return;
        }
        try {
            r.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The bound addresses, in listen order (a configured port 0 shows its actual port). */
    public List<InetSocketAddress> boundAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (ServerPort p : server.activePorts().values()) {
            out.add(p.localAddress());
        }
        return out;
    }

    /** Closes the peer port and releases its threads; idempotent. */
    @Override
    public void close() {
        try {
            server.stop().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Best effort: the ports close first; stragglers die with their event loops.
        } finally {
            // No quiet period: a peer resends whatever raft still needs.
            eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            closeQuietly(snapshots);
        }
    }

    @Override
    public String toString() {
        return "PeerServer" + listen;
    }
}
