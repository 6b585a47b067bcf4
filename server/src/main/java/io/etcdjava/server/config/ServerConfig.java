package io.etcdjava.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything one member needs to know before it starts, validated with etcd's rules and messages.
 * Built from flags, {@code ETCD_*} environment or a YAML file by {@link ConfigParser}, or directly
 * with {@link #builder()} (tests, in-process clusters).
 */
public final class ServerConfig extends ConfigValues {
    /** etcd's DefaultQuotaBytes (2 GiB), used when {@code --quota-backend-bytes} is 0. */
    public static final long DEFAULT_QUOTA_BYTES = 2L * 1024 * 1024 * 1024;
    /** etcd's MaxQuotaBytes (8 GiB): larger quotas work but are warned about. */
    public static final long MAX_QUOTA_BYTES = 8L * 1024 * 1024 * 1024;
    /** etcd's maxElectionMs. */
    static final long MAX_ELECTION_MS = 50_000;

    private final long autoCompactionRetention;
    private final TlsInfo clientTls;
    private final TlsInfo peerTls;

    /** TLS settings of one port (client or peer), as etcd's transport.TLSInfo. */
    public record TlsInfo(String certFile, String keyFile, boolean clientCertAuth, String trustedCaFile,
                          String crlFile, String allowedCn, String allowedHostname, boolean autoTls,
                          boolean skipClientSanVerification) {
        /** No certificate configured (etcd's TLSInfo.Empty()). */
        public boolean isEmpty() {
            return certFile.isEmpty() && keyFile.isEmpty();
        }
    }

    ServerConfig(Map<String, Object> values, String dataDir, String initialCluster, List<String> logOutputs,
                 long autoCompactionRetention) {
        super(values, dataDir, initialCluster, logOutputs);
        this.autoCompactionRetention = autoCompactionRetention;
        this.clientTls = new TlsInfo(str("cert-file"), str("key-file"), bool("client-cert-auth"),
                str("trusted-ca-file"), str("client-crl-file"), "", str("client-cert-allowed-hostname"),
                bool("auto-tls"), false);
        this.peerTls = new TlsInfo(str("peer-cert-file"), str("peer-key-file"), bool("peer-client-cert-auth"),
                str("peer-trusted-ca-file"), str("peer-crl-file"), str("peer-cert-allowed-cn"),
                str("peer-cert-allowed-hostname"), bool("peer-auto-tls"),
                bool("experimental-peer-skip-client-san-verification"));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's settings, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.values.putAll(values);
        b.values.put("data-dir", dataDir);
        b.values.put("initial-cluster", initialCluster);
        return b;
    }

    // ---- member

    public String name() {
        return str("name");
    }

    /** The data directory; "${name}.etcd" when none was given. */
    public String dataDir() {
        return dataDir;
    }

    /** The dedicated WAL directory, or "" for {@code <data-dir>/member/wal}. */
    public String walDir() {
        return str("wal-dir");
    }

    public Path memberDir() {
        return Path.of(dataDir, "member");
    }

    public Path walPath() {
        return walDir().isEmpty() ? memberDir().resolve("wal") : Path.of(walDir());
    }

    public Path snapPath() {
        return memberDir().resolve("snap");
    }

    public List<String> listenPeerUrls() {
        return list("listen-peer-urls");
    }

    public List<String> listenClientUrls() {
        return list("listen-client-urls");
    }

    /** Extra client URLs serving HTTP only (etcd 3.5); empty when unused. */
    public List<String> listenClientHttpUrls() {
        return list("listen-client-http-urls");
    }

    public List<String> listenMetricsUrls() {
        return list("listen-metrics-urls");
    }

    public long maxSnapshots() {
        return num("max-snapshots");
    }

    public long maxWals() {
        return num("max-wals");
    }

    public long snapshotCount() {
        return num("snapshot-count");
    }

    public long heartbeatIntervalMs() {
        return num("heartbeat-interval");
    }

    public long electionTimeoutMs() {
        return num("election-timeout");
    }

    /** Election timeout in heartbeat ticks, as etcd computes it. */
    public int electionTicks() {
        return (int) (electionTimeoutMs() / heartbeatIntervalMs());
    }

    public boolean initialElectionTickAdvance() {
        return bool("initial-election-tick-advance");
    }

    /** As given: 0 means {@link #DEFAULT_QUOTA_BYTES}, negative disables the quota. */
    public long quotaBackendBytes() {
        return num("quota-backend-bytes");
    }

    /** The quota in force: the default for 0, as given otherwise (negative: no quota). */
    public long effectiveQuotaBackendBytes() {
        long q = quotaBackendBytes();
        return q == 0 ? DEFAULT_QUOTA_BYTES : q;
    }

    public Duration backendBatchInterval() {
        return dur("backend-batch-interval");
    }

    public long backendBatchLimit() {
        return num("backend-batch-limit");
    }

    public long maxTxnOps() {
        return num("max-txn-ops");
    }

    public long maxRequestBytes() {
        return num("max-request-bytes");
    }

    public long maxConcurrentStreams() {
        return num("max-concurrent-streams");
    }

    public Duration grpcKeepaliveMinTime() {
        return dur("grpc-keepalive-min-time");
    }

    public Duration grpcKeepaliveInterval() {
        return dur("grpc-keepalive-interval");
    }

    public Duration grpcKeepaliveTimeout() {
        return dur("grpc-keepalive-timeout");
    }

    public boolean socketReusePort() {
        return bool("socket-reuse-port");
    }

    public boolean socketReuseAddress() {
        return bool("socket-reuse-address");
    }

    // ---- clustering

    public List<String> initialAdvertisePeerUrls() {
        return list("initial-advertise-peer-urls");
    }

    /** Empty only when a proxy runs without them (etcd allows that). */
    public List<String> advertiseClientUrls() {
        return list("advertise-client-urls");
    }

    public String discovery() {
        return str("discovery");
    }

    public String discoveryFallback() {
        return str("discovery-fallback");
    }

    public String discoveryProxy() {
        return str("discovery-proxy");
    }

    public String discoverySrv() {
        return str("discovery-srv");
    }

    public String discoverySrvName() {
        return str("discovery-srv-name");
    }

    /** The initial cluster string, derived from the name when only {@code --name} was given. */
    public String initialCluster() {
        return initialCluster;
    }

    /**
     * The initial cluster as member name to sorted peer URLs (etcd's types.NewURLsMap).
     *
     * @throws ConfigException when a URL in it is invalid
     */
    public Map<String, List<String>> initialClusterMap() {
        return Bootstrap.urlsMap(initialCluster);
    }

    public String initialClusterToken() {
        return str("initial-cluster-token");
    }

    /** "new" or "existing". */
    public String initialClusterState() {
        return str("initial-cluster-state");
    }

    public boolean isNewCluster() {
        return initialClusterState().equals("new");
    }

    public boolean strictReconfigCheck() {
        return bool("strict-reconfig-check");
    }

    public boolean enableV2() {
        return bool("enable-v2");
    }

    public boolean preVote() {
        return bool("pre-vote");
    }

    /** "periodic" or "revision". */
    public String autoCompactionMode() {
        return str("auto-compaction-mode");
    }

    /** As given: "0", "1h", "5" (hours in periodic mode, revisions in revision mode). */
    public String autoCompactionRetention() {
        return str("auto-compaction-retention");
    }

    /** Periodic mode: how much history to keep; zero disables auto compaction. */
    public Duration autoCompactionPeriod() {
        return Duration.ofNanos(autoCompactionRetention);
    }

    /** Revision mode: how many revisions to keep; zero disables auto compaction. */
    public long autoCompactionRevisions() {
        return autoCompactionRetention;
    }

    public String v2Deprecation() {
        return str("v2-deprecation");
    }

    /**
     * Checks a new member's bootstrap settings like etcd's VerifyBootstrap (local member present,
     * advertised peer URLs match the initial cluster, no duplicate URLs).
     *
     * @throws ConfigException of kind {@link ConfigException.Kind#START_FAILED} with etcd's text
     */
    public void verifyBootstrap() {
        Bootstrap.verify(this, false);
    }

    /** etcd's VerifyJoinExisting, for {@code --initial-cluster-state existing}. */
    public void verifyJoinExisting() {
        Bootstrap.verify(this, true);
    }

    // ---- proxy (v2, accepted but not served)

    /** "off", "readonly" or "on". */
    public String proxy() {
        return str("proxy");
    }

    /** Whether etcd would run as (or may fall back to) a v2 proxy. */
    public boolean mayBeProxy() {
        return mayBeProxy(values);
    }

    static boolean mayBeProxy(Map<String, Object> v) {
        boolean fallback = !((String) v.get("discovery")).isEmpty() && "proxy".equals(v.get("discovery-fallback"));
        return !"off".equals(v.get("proxy")) || fallback;
    }

    // ---- security

    public TlsInfo clientTls() {
        return clientTls;
    }

    public TlsInfo peerTls() {
        return peerTls;
    }

    public List<String> cipherSuites() {
        return list("cipher-suites");
    }

    public String tlsMinVersion() {
        return str("tls-min-version");
    }

    public String tlsMaxVersion() {
        return str("tls-max-version");
    }

    public long selfSignedCertValidityYears() {
        return num("self-signed-cert-validity");
    }

    /** Allowed CORS origins; "*" allows all. */
    public List<String> cors() {
        return list("cors");
    }

    public List<String> hostWhitelist() {
        return list("host-whitelist");
    }

    public String authToken() {
        return str("auth-token");
    }

    public long bcryptCost() {
        return num("bcrypt-cost");
    }

    public long authTokenTtlSeconds() {
        return num("auth-token-ttl");
    }

    // ---- monitoring and logging

    public boolean enablePprof() {
        return bool("enable-pprof");
    }

    /** "basic" or "extensive". */
    public String metrics() {
        return str("metrics");
    }

    /** "zap" or "capnslog"; either way we write zap-style JSON. */
    public String logger() {
        return str("logger");
    }

    /** debug, info, warn, error, dpanic, panic or fatal. */
    public String logLevel() {
        return str("log-level");
    }

    /** Effective log outputs ("default", "stderr", "stdout", "systemd/journal" or file paths). */
    public List<String> logOutputs() {
        return logOutputs;
    }

    public boolean debug() {
        return bool("debug");
    }

    public boolean enableGrpcGateway() {
        return bool("enable-grpc-gateway");
    }

    // ---- experimental and unsafe

    public boolean experimentalInitialCorruptCheck() {
        return bool("experimental-initial-corrupt-check");
    }

    public Duration experimentalCorruptCheckTime() {
        return dur("experimental-corrupt-check-time");
    }

    public boolean experimentalEnableLeaseCheckpoint() {
        return bool("experimental-enable-lease-checkpoint");
    }

    public boolean experimentalEnableLeaseCheckpointPersist() {
        return bool("experimental-enable-lease-checkpoint-persist");
    }

    /** Expired leases the leader revokes per second (validated positive). */
    public int experimentalLeaseRevokeRate() {
        return (int) num("experimental-lease-revoke-rate");
    }

    /** Revisions deleted per compaction batch; 0 means the store's default (1000). */
    public long experimentalCompactionBatchLimit() {
        return num("experimental-compaction-batch-limit");
    }

    public Duration experimentalCompactionSleepInterval() {
        return dur("experimental-compaction-sleep-interval");
    }

    /** Watch progress notification period (10m unless set; 0 means the default). */
    public Duration watchProgressNotifyInterval() {
        Duration alias = dur("watch-progress-notify-interval");
        Duration d = alias.isZero() ? dur("experimental-watch-progress-notify-interval") : alias;
        return d.isZero() || d.isNegative() ? Duration.ofMinutes(10) : d;
    }

    public Duration experimentalWarningApplyDuration() {
        return dur("experimental-warning-apply-duration");
    }

    public Duration experimentalWarningUnaryRequestDuration() {
        return dur("experimental-warning-unary-request-duration");
    }

    public long experimentalSnapshotCatchupEntries() {
        return num("experimental-snapshot-catchup-entries");
    }

    public long experimentalMaxLearners() {
        return num("experimental-max-learners");
    }

    public Duration experimentalDowngradeCheckTime() {
        return dur("experimental-downgrade-check-time");
    }

    public boolean experimentalCompactHashCheckEnabled() {
        return bool("experimental-compact-hash-check-enabled");
    }

    public Duration experimentalCompactHashCheckTime() {
        return dur("experimental-compact-hash-check-time");
    }

    public Duration experimentalWaitClusterReadyTimeout() {
        return dur("experimental-wait-cluster-ready-timeout");
    }

    public boolean experimentalStopGrpcServiceOnDefrag() {
        return bool("experimental-stop-grpc-service-on-defrag");
    }

    public boolean unsafeNoFsync() {
        return bool("unsafe-no-fsync");
    }

    public boolean forceNewCluster() {
        return bool("force-new-cluster");
    }

    /**
     * Collects settings and checks them on {@link #build()} the way etcd's embed.Config.Validate
     * does; the setters and checks live in {@link ConfigBuilder}.
     */
    public static final class Builder extends ConfigBuilder<Builder> {
        Builder() {
        }
    }
}
