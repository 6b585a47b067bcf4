package io.etcdjava.server.rafthttp;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.common.util.EventLoopGroups;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import io.etcdjava.server.log.Log;
import io.etcdjava.server.membership.MemberIds;
import io.etcdjava.server.raftnode.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raft's way out to the other members: one {@link PeerSender} (queue, stream, thread) per peer,
 * chosen by the message's {@code to}. Owns the "etcd-peer-client-io" event loops.
 */
public final class PeerTransport implements Transport, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerTransport.class);

    private final long localId;
    private final long clusterId;
    /** Written by {@link #syncPeers} (apply thread); read by the raft loop, the prober and the snapshot sender. */
    private final Map<Long, PeerSender> senders = new ConcurrentHashMap<>();
    private final Map<Long, List<String>> peerUrls = new HashMap<>();
    private final ClientFactory factory;
    private final EventLoopGroup eventLoops;
    private final PeerReports reports;
    private final PeerMetrics metrics;
    private final SnapshotSender snapshotSender;
    private final PeerProber prober;
    /** Raft loop only: when each peer's refused snapshot was last logged. */
    private final Map<Long, Long> snapshotWarned = new HashMap<>();

    /**
     * @param peers every member's ID → its peer URLs (this member's own entry is skipped)
     * @param reports told of peers the transport could not reach and snapshots it did not deliver
     */
    public PeerTransport(long clusterId, long localId, Map<Long, List<String>> peers, PeerReports reports) {
        this(clusterId, localId, peers, reports, new PeerMetrics(), null);
    }

    /**
     * As above, counting into {@code metrics} and probing peers' round-trip times; with a
     * {@code snapshots} source, raft's snapshots go out with the database (else they are refused).
     */
    public PeerTransport(long clusterId, long localId, Map<Long, List<String>> peers, PeerReports reports,
                         PeerMetrics metrics, SnapshotSource snapshots) {
        this.localId = localId;
        this.metrics = metrics;
        this.clusterId = clusterId;
        this.reports = reports;
        this.eventLoops = EventLoopGroups.newEventLoopGroup(2, "etcd-peer-client-io", true);
        this.factory = ClientFactory.builder()
                .workerGroup(eventLoops, false)
                .connectTimeout(Duration.ofSeconds(1))
                .idleTimeout(Duration.ZERO)
                .pingInterval(Duration.ofSeconds(10))
                .build();
        for (Map.Entry<Long, List<String>> p : peers.entrySet()) {
            if (p.getKey() != localId) {
                senders.put(p.getKey(), new PeerSender(clusterId, localId, p.getKey(), p.getValue(), factory,
                        reports::unreachable, reports::removedFromCluster, metrics));
                peerUrls.put(p.getKey(), List.copyOf(p.getValue()));
            }
        }
        senders.values().forEach(PeerSender::start);
        this.snapshotSender = snapshots == null ? null : new SnapshotSender(clusterId, localId, snapshots, reports,
                metrics, peer -> {
                    PeerSender ps = senders.get(peer);
                    return ps == null ? null : ps.urls();
                });
        this.prober = new PeerProber(clusterId, localId, this::senderUrls, factory, metrics, PeerProber.DEFAULT_INTERVAL);
        Log.info(log, "started peer transport", "local-member-id", MemberIds.hex(localId),
                "cluster-id", MemberIds.hex(clusterId), "peers", senders.size());
    }

    /**
     * Brings the senders in line with the cluster's current members (after a member was added,
     * removed or moved to new peer URLs). Never blocks on a stopping sender.
     */
    public synchronized void syncPeers(Map<Long, List<String>> peers) {
        for (Long id : List.copyOf(peerUrls.keySet())) {
            List<String> urls = peers.get(id);
            if (urls == null || !urls.equals(peerUrls.get(id))) {
                peerUrls.remove(id);
                PeerSender old = senders.remove(id);
                Log.info(log, urls == null ? "removed remote peer" : "updated remote peer",
                        "local-member-id", MemberIds.hex(localId), "remote-peer-id", MemberIds.hex(id));
                if (old != null) {
                    Thread stop = new Thread(() -> {
                        try {
                            old.close();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }, "peer-sender-stop-" + MemberIds.hex(id));
                    stop.setDaemon(true);
                    stop.start();
                }
            }
        }
        for (Map.Entry<Long, List<String>> p : peers.entrySet()) {
            long id = p.getKey();
            if (id != localId && !peerUrls.containsKey(id) && !p.getValue().isEmpty()) {
                PeerSender s = new PeerSender(clusterId, localId, id, p.getValue(), factory, reports::unreachable,
                        reports::removedFromCluster, metrics);
                peerUrls.put(id, List.copyOf(p.getValue()));
                senders.put(id, s);
                s.start();
                Log.info(log, "added remote peer", "local-member-id", MemberIds.hex(localId),
                        "remote-peer-id", MemberIds.hex(id), "remote-peer-urls", p.getValue());
            }
        }
    }

    /** Member IDs of an initial cluster (name → peer URLs), derived as etcd does, with their URLs. */
    public static Map<Long, List<String>> membersOf(Map<String, List<String>> initialCluster, String clusterToken) {
        Map<Long, List<String>> out = new LinkedHashMap<>();
        for (List<String> urls : initialCluster.values()) {
            out.put(MemberIds.memberId(urls, clusterToken, null), List.copyOf(urls));
        }
        return out;
    }

    /** Envelopes the raft loop wrote to {@code peer} without the sender thread (for tests); 0 if unknown. */
    long directWrites(long peer) {
        PeerSender s = senders.get(peer);
        return s == null ? 0 : s.directWrites();
    }

    @Override
    public void send(List<Message> messages) {
        // One offer per peer, so a direct write carries all of this Ready's messages to it.
        Map<PeerSender, List<Message>> byPeer = new LinkedHashMap<>();
        for (Message m : messages) {
            if (PeerFaults.dropsTo(m.getTo())) {
                continue; // test-only network fault
            }
            PeerSender s = senders.get(m.getTo());
            if (s != null && m.getType() == MessageType.MsgSnap && snapshotSender != null) {
                snapshotSender.send(m);
            } else if (s != null && m.getType() == MessageType.MsgSnap) {
                refuseSnapshot(m);
            } else if (s != null) {
                byPeer.computeIfAbsent(s, k -> new ArrayList<>(2)).add(m);
            } else if (m.getTo() != localId) {
                Log.debug(log, "dropped raft message to unknown member", "to", MemberIds.hex(m.getTo()));
            }
        }
        byPeer.forEach(PeerSender::offer);
    }

    /**
     * A raft snapshot is useless without the backend it stands for, and that does not travel over
     * the peer port yet: rather than let a follower install raft state without the data, tell raft
     * the snapshot failed (it probes again later).
     */
    private void refuseSnapshot(Message m) {
        long now = System.nanoTime();
        Long last = snapshotWarned.get(m.getTo());
        if (last == null || now - last > TimeUnit.SECONDS.toNanos(10)) {
            snapshotWarned.put(m.getTo(), now);
            Log.warn(log, "cannot send a snapshot to a lagging member: snapshots over the peer port are not supported yet",
                    "local-member-id", MemberIds.hex(localId), "remote-peer-id", MemberIds.hex(m.getTo()),
                    "snapshot-index", m.getSnapshot().getMetadata().getIndex());
        }
        reports.snapshotFailed(m.getTo());
    }

    private Map<Long, List<String>> senderUrls() {
        Map<Long, List<String>> out = new HashMap<>();
        senders.forEach((id, ps) -> out.put(id, ps.urls()));
        return out;
    }

    /** The transport's metrics (register them with the member's registry). */
    public PeerMetrics metrics() {
        return metrics;
    }

    /** Messages dropped for {@code peer} so far (tests, metrics). */
    long dropped(long peer) {
        PeerSender s = senders.get(peer);
        return s == null ? 0 : s.dropped();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            prober.close();
            if (snapshotSender != null) {
                snapshotSender.close();
            }
            for (PeerSender s : senders.values()) {
                s.close();
            }
        } finally {
            factory.close();
            // No quiet period: raft retries whatever was in flight.
            eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
