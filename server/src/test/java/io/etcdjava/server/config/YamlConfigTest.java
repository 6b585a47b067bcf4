package io.etcdjava.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlConfigTest {
    @TempDir
    Path dir;

    private ParseResult parseFile(String yaml, String... extraArgs) throws Exception {
        Path f = dir.resolve("etcd.conf.yml");
        Files.writeString(f, yaml);
        String[] args = new String[extraArgs.length + 2];
        args[0] = "--config-file";
        args[1] = f.toString();
        System.arraycopy(extraArgs, 0, args, 2, extraArgs.length);
        return Parse.withEnv(Map.of("ETCD_NAME", "from-env"), args);
    }

    @Test
    void etcds_sample_config_keys_are_read() throws Exception {
        ServerConfig c = Parse.run(parseFile("""
                name: 'infra1'
                data-dir: /var/lib/etcd/infra1
                wal-dir: /wal
                snapshot-count: 10000
                heartbeat-interval: 100
                election-timeout: 1000
                quota-backend-bytes: 4294967296
                listen-peer-urls: http://10.0.0.1:2380
                listen-client-urls: http://10.0.0.1:2379,http://127.0.0.1:2379
                max-snapshots: 3
                max-wals: 4
                cors: '*'
                initial-advertise-peer-urls: http://10.0.0.1:2380
                advertise-client-urls: http://10.0.0.1:2379
                discovery:
                discovery-fallback: 'exit'
                initial-cluster: infra1=http://10.0.0.1:2380,infra2=http://10.0.0.2:2380
                initial-cluster-token: 'etcd-cluster-1'
                initial-cluster-state: 'existing'
                strict-reconfig-check: false
                enable-v2: true
                enable-pprof: true
                proxy: 'off'
                client-transport-security:
                  cert-file: /c.crt
                  key-file: /c.key
                  client-cert-auth: true
                  trusted-ca-file: /ca.crt
                  auto-tls: false
                peer-transport-security:
                  cert-file: /p.crt
                  key-file: /p.key
                  client-cert-auth: true
                  trusted-ca-file: /pca.crt
                  auto-tls: true
                log-level: debug
                logger: zap
                log-outputs: [stdout]
                force-new-cluster: false
                auto-compaction-mode: periodic
                auto-compaction-retention: "1"
                experimental-watch-progress-notify-interval: 300000000000
                max-request-bytes: 10485760
                """)).config();
        assertThat(c.name()).isEqualTo("infra1");
        assertThat(c.dataDir()).isEqualTo("/var/lib/etcd/infra1");
        assertThat(c.walDir()).isEqualTo("/wal");
        assertThat(c.snapshotCount()).isEqualTo(10000);
        assertThat(c.quotaBackendBytes()).isEqualTo(4294967296L);
        assertThat(c.listenClientUrls()).containsExactly("http://10.0.0.1:2379", "http://127.0.0.1:2379");
        assertThat(c.maxSnapshots()).isEqualTo(3);
        assertThat(c.maxWals()).isEqualTo(4);
        assertThat(c.discoveryFallback()).isEqualTo("exit");
        assertThat(c.initialCluster()).isEqualTo("infra1=http://10.0.0.1:2380,infra2=http://10.0.0.2:2380");
        assertThat(c.initialClusterToken()).isEqualTo("etcd-cluster-1");
        assertThat(c.initialClusterState()).isEqualTo("existing");
        assertThat(c.strictReconfigCheck()).isFalse();
        assertThat(c.enableV2()).isTrue();
        assertThat(c.enablePprof()).isTrue();
        assertThat(c.clientTls()).isEqualTo(new ServerConfig.TlsInfo("/c.crt", "/c.key", true, "/ca.crt", "", "", "",
                false, false));
        assertThat(c.peerTls().certFile()).isEqualTo("/p.crt");
        assertThat(c.peerTls().autoTls()).isTrue();
        assertThat(c.peerTls().clientCertAuth()).isTrue();
        assertThat(c.logLevel()).isEqualTo("debug");
        assertThat(c.logOutputs()).containsExactly("stdout");
        assertThat(c.autoCompactionPeriod()).isEqualTo(Duration.ofHours(1));
        assertThat(c.watchProgressNotifyInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.maxRequestBytes()).isEqualTo(10485760);
    }

    @Test
    void the_file_overrides_flags_and_env_entirely() throws Exception {
        ParseResult.Run r = Parse.run(parseFile("heartbeat-interval: 200\nelection-timeout: 2000\n",
                "--name", "from-flag", "--snapshot-count", "5"));
        assertThat(r.config().name()).isEqualTo("default");
        assertThat(r.config().snapshotCount()).isEqualTo(100_000);
        assertThat(r.config().heartbeatIntervalMs()).isEqualTo(200);
        assertThat(r.notices().get(0)).isEqualTo(Notice.info("loaded server configuration, other configuration "
                + "command line flags and environment variables will be ignored if provided",
                "path", dir.resolve("etcd.conf.yml").toString()));
    }

    @Test
    void keys_match_case_insensitively_like_gos_json() throws Exception {
        assertThat(Parse.run(parseFile("Name: n1\nSNAPSHOT-COUNT: 7\n")).config().snapshotCount()).isEqualTo(7);
    }

    @Test
    void durations_may_be_nanoseconds_or_go_duration_strings() throws Exception {
        assertThat(Parse.run(parseFile("grpc-keepalive-timeout: 3000000000\n")).config().grpcKeepaliveTimeout())
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(Parse.run(parseFile("grpc-keepalive-timeout: 3s\n")).config().grpcKeepaliveTimeout())
                .isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void the_lease_revoke_rate_is_read_from_the_file_as_an_int() throws Exception {
        assertThat(Parse.run(parseFile("experimental-lease-revoke-rate: 300\n")).config().experimentalLeaseRevokeRate())
                .isEqualTo(300);
        assertThat(Parse.invalid(parseFile("experimental-lease-revoke-rate: fast\n")).getMessage())
                .contains("experimental-lease-revoke-rate").contains("int");
        assertThat(Parse.invalid(parseFile("experimental-lease-revoke-rate: 0\n")).getMessage())
                .isEqualTo("--experimental-lease-revoke-rate must be >0 (set to 0)");
    }

    @Test
    void scalars_become_strings_for_string_settings() throws Exception {
        assertThat(Parse.run(parseFile("name: 123\n")).config().name()).isEqualTo("123");
    }

    @Test
    void the_name_alone_derives_initial_cluster_and_data_dir() throws Exception {
        ServerConfig c = Parse.run(parseFile("name: n1\ninitial-advertise-peer-urls: http://10.0.0.1:2380\n")).config();
        assertThat(c.initialCluster()).isEqualTo("n1=http://10.0.0.1:2380");
        assertThat(c.dataDir()).isEqualTo("n1.etcd");
    }

    @Test
    void type_errors_read_like_etcds() throws Exception {
        assertThat(Parse.invalid(parseFile("name: n1\nheartbeat-interval: abc\n")).getMessage()).isEqualTo(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field "
                        + "configYAML.heartbeat-interval of type uint");
        assertThat(Parse.invalid(parseFile("max-wals: -5\n")).getMessage()).isEqualTo(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number -5 into Go struct field "
                        + "configYAML.max-wals of type uint");
        assertThat(Parse.invalid(parseFile("enable-v2: 'yes'\n")).getMessage()).endsWith(
                "cannot unmarshal string into Go struct field configYAML.enable-v2 of type bool");
    }

    @Test
    void yaml_syntax_errors_name_the_line() throws Exception {
        assertThat(Parse.invalid(parseFile("name: [n1\nlogger: zap\n")).getMessage())
                .startsWith("error converting YAML to JSON: yaml: line ");
    }

    @Test
    void a_bad_url_is_printed_bare_like_etcd() throws Exception {
        ConfigException e = Parse.invalid(parseFile("listen-client-urls: ftp://x\n"));
        assertThat(e.kind()).isEqualTo(ConfigException.Kind.BARE);
        assertThat(e.getMessage()).isEqualTo(
                "unexpected error setting up listen-client-urls: URL scheme must be http, https, unix, or unixs: ftp://x");
        assertThat(Parse.invalid(parseFile("advertise-client-urls: ftp://x\n")).getMessage())
                .startsWith("unexpected error setting up advertise-peer-urls: ");
    }

    @Test
    void an_unknown_cluster_state_is_refused() throws Exception {
        assertThat(Parse.invalid(parseFile("initial-cluster-state: bogus\n")).getMessage())
                .isEqualTo("unexpected clusterState \"bogus\"");
    }

    @Test
    void a_missing_file_is_reported_like_go() {
        ConfigException e = Parse.invalid(Parse.args("--config-file", dir.resolve("nope.yaml").toString()));
        assertThat(e.getMessage()).isEqualTo("open " + dir.resolve("nope.yaml") + ": no such file or directory");
    }

    @Test
    void an_empty_file_gives_defaults_and_unknown_keys_are_ignored() throws Exception {
        assertThat(Parse.run(parseFile("")).config()).isEqualTo(Parse.ok());
        assertThat(Parse.run(parseFile("no-such-key: 1\n")).config()).isEqualTo(Parse.ok());
    }

    @Test
    void discovery_in_the_file_clears_the_default_initial_cluster() throws Exception {
        assertThat(Parse.run(parseFile("discovery: https://d/x\n")).config().initialCluster()).isEmpty();
    }
}
