package io.etcdjava.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultsTest {

    @Test
    void an_empty_command_line_gives_etcds_defaults() {
        ServerConfig c = Parse.ok();
        assertThat(c.name()).isEqualTo("default");
        assertThat(c.dataDir()).isEqualTo("default.etcd");
        assertThat(c.walDir()).isEmpty();
        assertThat(c.listenClientUrls()).containsExactly("http://localhost:2379");
        assertThat(c.advertiseClientUrls()).containsExactly("http://localhost:2379");
        assertThat(c.listenPeerUrls()).containsExactly("http://localhost:2380");
        assertThat(c.initialAdvertisePeerUrls()).containsExactly("http://localhost:2380");
        assertThat(c.listenMetricsUrls()).isEmpty();
        assertThat(c.initialCluster()).isEqualTo("default=http://localhost:2380");
        assertThat(c.initialClusterState()).isEqualTo("new");
        assertThat(c.isNewCluster()).isTrue();
        assertThat(c.initialClusterToken()).isEqualTo("etcd-cluster");
        assertThat(c.snapshotCount()).isEqualTo(100_000);
        assertThat(c.heartbeatIntervalMs()).isEqualTo(100);
        assertThat(c.electionTimeoutMs()).isEqualTo(1000);
        assertThat(c.electionTicks()).isEqualTo(10);
        assertThat(c.initialElectionTickAdvance()).isTrue();
        assertThat(c.quotaBackendBytes()).isZero();
        assertThat(c.effectiveQuotaBackendBytes()).isEqualTo(2L * 1024 * 1024 * 1024);
        assertThat(c.maxRequestBytes()).isEqualTo(1_572_864);
        assertThat(c.maxTxnOps()).isEqualTo(128);
        assertThat(c.maxConcurrentStreams()).isEqualTo(4_294_967_295L);
        assertThat(c.maxSnapshots()).isEqualTo(5);
        assertThat(c.maxWals()).isEqualTo(5);
        assertThat(c.grpcKeepaliveMinTime()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.grpcKeepaliveInterval()).isEqualTo(Duration.ofHours(2));
        assertThat(c.grpcKeepaliveTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.autoCompactionMode()).isEqualTo("periodic");
        assertThat(c.autoCompactionRetention()).isEqualTo("0");
        assertThat(c.autoCompactionPeriod()).isZero();
        assertThat(c.logLevel()).isEqualTo("info");
        assertThat(c.logger()).isEqualTo("zap");
        assertThat(c.logOutputs()).containsExactly("default");
        assertThat(c.enableV2()).isFalse();
        assertThat(c.strictReconfigCheck()).isTrue();
        assertThat(c.preVote()).isFalse();
        assertThat(c.cors()).containsExactly("*");
        assertThat(c.hostWhitelist()).containsExactly("*");
        assertThat(c.authToken()).isEqualTo("simple");
        assertThat(c.bcryptCost()).isEqualTo(10);
        assertThat(c.authTokenTtlSeconds()).isEqualTo(300);
        assertThat(c.metrics()).isEqualTo("basic");
        assertThat(c.proxy()).isEqualTo("off");
        assertThat(c.discoveryFallback()).isEqualTo("proxy");
        assertThat(c.watchProgressNotifyInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.experimentalWarningApplyDuration()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.experimentalSnapshotCatchupEntries()).isEqualTo(5000);
        assertThat(c.experimentalLeaseRevokeRate()).as("etcd's hard-coded rate").isEqualTo(1000);
        assertThat(c.experimentalCompactionBatchLimit()).isZero();
        assertThat(c.enableGrpcGateway()).isTrue();
        assertThat(c.forceNewCluster()).isFalse();
        assertThat(c.clientTls().isEmpty()).isTrue();
        assertThat(c.peerTls().isEmpty()).isTrue();
        assertThat(c.cipherSuites()).isEmpty();
        assertThat(c.memberDir().toString()).isEqualTo("default.etcd/member");
        assertThat(c.walPath().toString()).isEqualTo("default.etcd/member/wal");
    }

    @Test
    void the_data_dir_follows_the_name_and_a_warning_says_so() {
        ParseResult.Run r = Parse.run(Parse.args("--name", "n1"));
        assertThat(r.config().dataDir()).isEqualTo("n1.etcd");
        assertThat(r.notices()).contains(Notice.warn("'data-dir' was empty; using default", "data-dir", "n1.etcd"));
    }

    @Test
    void the_initial_cluster_follows_the_name_and_advertised_peer_urls_when_not_given() {
        ServerConfig c = Parse.ok("--name", "n1", "--initial-advertise-peer-urls", "http://10.0.0.1:2380,http://10.0.0.2:2380");
        assertThat(c.initialCluster()).isEqualTo("n1=http://10.0.0.1:2380,n1=http://10.0.0.2:2380");
    }

    @Test
    void an_explicit_initial_cluster_is_kept() {
        ServerConfig c = Parse.ok("--name", "n1", "--initial-cluster", "n1=http://a:1,n2=http://b:2");
        assertThat(c.initialCluster()).isEqualTo("n1=http://a:1,n2=http://b:2");
        assertThat(c.initialClusterMap()).containsOnlyKeys("n1", "n2");
        assertThat(c.initialClusterMap().get("n2")).containsExactly("http://b:2");
    }

    @Test
    void the_builder_alone_gives_the_same_defaults_as_the_parser() {
        assertThat(ServerConfig.builder().build()).isEqualTo(Parse.ok());
    }

    @Test
    void a_builder_derives_variants_from_a_config() {
        ServerConfig base = ServerConfig.builder().name("a").dataDir("/tmp/a").build();
        ServerConfig other = base.toBuilder().snapshotCount(5).build();
        assertThat(other.name()).isEqualTo("a");
        assertThat(other.snapshotCount()).isEqualTo(5);
        assertThat(other.dataDir()).isEqualTo("/tmp/a");
    }

    @Test
    void the_builder_rejects_settings_of_the_wrong_type_and_unknown_flags() {
        ServerConfig.Builder b = ServerConfig.builder();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.set("snapshot-count", "5"))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.set("no-such-flag", "5"))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.listenClientUrls("ftp://x:1"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("URL scheme must be http, https, unix, or unixs: ftp://x:1");
    }

    @Test
    void quota_above_etcds_maximum_is_accepted_as_given() {
        ServerConfig c = Parse.ok("--quota-backend-bytes", Long.toString(16L << 30));
        assertThat(c.effectiveQuotaBackendBytes()).isEqualTo(16L << 30).isGreaterThan(ServerConfig.MAX_QUOTA_BYTES);
        assertThat(Parse.ok("--quota-backend-bytes=-1").effectiveQuotaBackendBytes()).isEqualTo(-1);
    }

    @Test
    void auto_compaction_retention_is_hours_in_periodic_mode_and_revisions_in_revision_mode() {
        assertThat(Parse.ok("--auto-compaction-retention", "5").autoCompactionPeriod()).isEqualTo(Duration.ofHours(5));
        assertThat(Parse.ok("--auto-compaction-retention", "90m").autoCompactionPeriod()).isEqualTo(Duration.ofMinutes(90));
        ServerConfig rev = Parse.ok("--auto-compaction-mode", "revision", "--auto-compaction-retention", "1000");
        assertThat(rev.autoCompactionRevisions()).isEqualTo(1000);
        assertThat(List.of(rev.autoCompactionMode())).containsExactly("revision");
    }

    @Test
    void help_lists_our_lease_revoke_rate_with_its_default_among_the_experimental_flags() {
        String experimental = Usage.FLAGS.substring(Usage.FLAGS.indexOf("Experimental feature:"));
        assertThat(experimental).contains("  --experimental-lease-revoke-rate '1000'\n"
                + "    Maximum number of expired leases the leader revokes per second");
    }
}
