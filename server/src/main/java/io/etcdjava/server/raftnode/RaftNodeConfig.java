package io.etcdjava.server.raftnode;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.Peer;
import io.etcdjava.raft.RaftLogger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Settings of the raft driver of one member.
 *
 * @param initialPeers the cluster's members when it is new (ignored once a WAL exists)
 * @param walMetadata stored once in a new WAL (member and cluster id)
 * @param tick one raft tick (etcd's --heartbeat-interval); election = {@code electionTicks} ticks
 * @param snapshotCount applied entries between raft snapshots (etcd's --snapshot-count)
 * @param fsyncObserver receives every WAL fsync's duration in nanoseconds (metrics)
 */
public record RaftNodeConfig(
        long memberId,
        List<Peer> initialPeers,
        Path walDir,
        Path snapDir,
        ByteString walMetadata,
        Duration tick,
        int electionTicks,
        long snapshotCount,
        long snapshotCatchUpEntries,
        boolean preVote,
        RaftLogger logger,
        LongConsumer fsyncObserver) {
}
