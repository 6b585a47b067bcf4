package io.etcdjava.server.raftnode;

import io.etcdjava.raft.Peer;
import io.etcdjava.raft.RaftLogger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Settings of the raft driver of one member.
 *
 * @param memberId this member's ID when it is new; an existing WAL's own record wins
 * @param clusterId the cluster's ID when it is new; likewise
 * @param initialPeers the cluster's members when it is new (ignored once a WAL exists)
 * @param tick one raft tick (etcd's --heartbeat-interval); election = {@code electionTicks} ticks
 * @param snapshotCount applied entries between raft snapshots (etcd's --snapshot-count)
 * @param fsyncObserver receives every WAL fsync's duration in nanoseconds (metrics)
 */
public record RaftNodeConfig(
        long memberId,
        long clusterId,
        List<Peer> initialPeers,
        Path walDir,
        Path snapDir,
        Duration tick,
        int electionTicks,
        long snapshotCount,
        long snapshotCatchUpEntries,
        boolean preVote,
        RaftLogger logger,
        LongConsumer fsyncObserver) {
}
