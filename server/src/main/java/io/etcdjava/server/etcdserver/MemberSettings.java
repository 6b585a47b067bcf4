package io.etcdjava.server.etcdserver;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the member core needs from the configuration, already validated by the config layer.
 *
 * @param initialCluster member name → peer URLs, for a new cluster (etcd's --initial-cluster)
 * @param electionTicks election timeout in heartbeat ticks
 * @param snapshotCatchUpEntries raft entries kept after a snapshot for slow followers (etcd's
 *     --experimental-snapshot-catchup-entries); a follower further behind gets a snapshot
 * @param strictReconfigCheck refuse membership changes that would leave too few started voters
 * @param leaseRevokeRate expired leases the leader revokes per second (--experimental-lease-revoke-rate)
 */
public record MemberSettings(
        String name,
        Path dataDir,
        Path walDir,
        List<String> advertiseClientUrls,
        List<String> advertisePeerUrls,
        Map<String, List<String>> initialCluster,
        String clusterToken,
        Duration heartbeat,
        int electionTicks,
        long snapshotCount,
        int maxTxnOps,
        long maxRequestBytes,
        boolean preVote,
        long snapshotCatchUpEntries,
        boolean strictReconfigCheck,
        int leaseRevokeRate) {

    /** etcd's default --experimental-snapshot-catchup-entries. */
    public static final long DEFAULT_SNAPSHOT_CATCH_UP_ENTRIES = 5000;

    /** etcd's hard-coded lease revoke rate, our default. */
    public static final int DEFAULT_LEASE_REVOKE_RATE = 1000;

    /** As etcd's defaults: 5000 catch-up entries, --strict-reconfig-check on, 1000 revokes/s. */
    public MemberSettings(String name, Path dataDir, Path walDir, List<String> advertiseClientUrls,
                          List<String> advertisePeerUrls, Map<String, List<String>> initialCluster, String clusterToken,
                          Duration heartbeat, int electionTicks, long snapshotCount, int maxTxnOps, long maxRequestBytes,
                          boolean preVote) {
        this(name, dataDir, walDir, advertiseClientUrls, advertisePeerUrls, initialCluster, clusterToken, heartbeat,
                electionTicks, snapshotCount, maxTxnOps, maxRequestBytes, preVote, DEFAULT_SNAPSHOT_CATCH_UP_ENTRIES,
                true, DEFAULT_LEASE_REVOKE_RATE);
    }

    public Path memberDir() {
        return dataDir.resolve("member");
    }

    /** etcd puts the WAL under member/wal unless --wal-dir says otherwise. */
    public Path effectiveWalDir() {
        return walDir != null ? walDir : memberDir().resolve("wal");
    }
}
