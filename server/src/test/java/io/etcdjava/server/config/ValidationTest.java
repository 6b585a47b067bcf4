package io.etcdjava.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ValidationTest {

    private static String error(String... args) {
        return Parse.invalid(args).getMessage();
    }

    @Test
    void election_timeout_must_be_five_heartbeats() {
        assertThat(error("--heartbeat-interval", "300"))
                .isEqualTo("--election-timeout[1000ms] should be at least as 5 times as --heartbeat-interval[300ms]");
        assertThat(Parse.ok("--heartbeat-interval", "200").heartbeatIntervalMs()).isEqualTo(200);
    }

    @Test
    void election_timeout_has_an_upper_bound() {
        assertThat(error("--election-timeout", "60000", "--heartbeat-interval", "1000"))
                .isEqualTo("--election-timeout[60000ms] is too long, and should be set less than 50000ms");
    }

    @Test
    void the_lease_revoke_rate_must_be_positive() {
        assertThat(error("--experimental-lease-revoke-rate", "0"))
                .isEqualTo("--experimental-lease-revoke-rate must be >0 (set to 0)");
        assertThat(error("--experimental-lease-revoke-rate", "-5"))
                .isEqualTo("--experimental-lease-revoke-rate must be >0 (set to -5)");
        assertThat(error("--experimental-lease-revoke-rate", "4294967296"))
                .isEqualTo("--experimental-lease-revoke-rate must be <=2147483647 (set to 4294967296)");
    }

    @Test
    void zero_timing_is_refused() {
        assertThat(error("--heartbeat-interval", "0")).isEqualTo("--heartbeat-interval must be >0 (set to 0ms)");
        assertThat(error("--election-timeout", "0")).isEqualTo("--election-timeout must be >0 (set to 0ms)");
    }

    @Test
    void listening_on_chosen_addresses_requires_advertising_client_urls() {
        assertThat(error("--listen-client-urls", "http://127.0.0.1:2379"))
                .isEqualTo("--advertise-client-urls is required when --listen-client-urls is set explicitly");
        // a (possible) v2 proxy keeps the default advertise URLs instead
        assertThat(Parse.ok("--listen-client-urls", "http://127.0.0.1:2379", "--proxy", "on").advertiseClientUrls())
                .containsExactly("http://localhost:2379");
    }

    @Test
    void only_one_bootstrap_method_may_be_given() {
        String expected = "multiple discovery or bootstrap flags are set. Choose one of \"initial-cluster\", "
                + "\"discovery\" or \"discovery-srv\"";
        assertThat(error("--initial-cluster", "a=http://x:1", "--discovery", "http://d")).isEqualTo(expected);
        assertThat(error("--discovery-srv", "example.com", "--discovery", "http://d")).isEqualTo(expected);
    }

    @Test
    void listeners_need_ip_addresses() {
        assertThat(error("--listen-peer-urls", "http://foo.com:2380"))
                .isEqualTo("expected IP in URL for binding (http://foo.com:2380)");
        assertThat(Parse.ok("--listen-peer-urls", "http://[::1]:2380,http://0.0.0.0:2380,http://localhost:1")
                .listenPeerUrls()).hasSize(3);
        assertThat(Parse.ok("--listen-client-urls", "unix://sock:0", "--advertise-client-urls", "http://a:1")
                .listenClientUrls()).containsExactly("unix://sock:0");
        assertThat(error("--listen-peer-urls", "http://01.2.3.4:2380"))
                .isEqualTo("expected IP in URL for binding (http://01.2.3.4:2380)");
    }

    @Test
    void advertised_urls_need_a_host() {
        assertThat(error("--initial-advertise-peer-urls", "http://:2380"))
                .isEqualTo("--initial-advertise-peer-urls \"http://:2380\" must be \"host:port\" (unexpected empty host (http://:2380))");
        assertThat(error("--advertise-client-urls", "http://:2379"))
                .isEqualTo("--advertise-client-urls \"http://:2379\" must be \"host:port\" (unexpected empty host (http://:2379))");
    }

    @Test
    void unknown_auto_compaction_mode_is_refused() {
        assertThat(error("--auto-compaction-mode", "x")).isEqualTo("unknown auto-compaction-mode \"x\"");
    }

    @Test
    void a_bad_retention_fails_like_etcds_start() {
        ConfigException e = Parse.invalid("--auto-compaction-retention", "abc");
        assertThat(e.kind()).isEqualTo(ConfigException.Kind.START_FAILED);
        assertThat(e.getMessage()).isEqualTo("error parsing AutoCompactionRetention: time: invalid duration \"abc\"");
    }

    @Test
    void logging_settings_are_checked_like_setup_logging() {
        assertThat(error("--logger", "foo")).isEqualTo("unknown logger option \"foo\"");
        assertThat(error("--log-outputs", "default,stderr")).isEqualTo("multi logoutput for \"default\" is not supported yet");
        assertThat(error("--logger", "capnslog", "--log-outputs", "stderr,stdout"))
                .isEqualTo("--logger=capnslog supports only 1 value in '--log-outputs', got [\"stderr\" \"stdout\"]");
        ConfigException panic = Parse.invalid("--log-level", "foo");
        assertThat(panic.kind()).isEqualTo(ConfigException.Kind.PANIC);
        assertThat(panic.getMessage()).isEqualTo("unknown level \"foo\"");
        assertThat(Parse.run(Parse.args("--logger", "capnslog")).notices()).extracting(Notice::message)
                .contains("[WARNING] Deprecated '--logger=capnslog' flag is set; use '--logger=zap' flag instead");
    }

    @Test
    void lease_checkpoint_persistence_requires_checkpoints() {
        assertThat(error("--experimental-enable-lease-checkpoint-persist")).isEqualTo(
                "setting experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint");
        assertThat(Parse.run(Parse.args("--experimental-enable-lease-checkpoint")).notices())
                .extracting(Notice::message).contains("Detected that checkpointing is enabled without persistence. "
                        + "Consider enabling experimental-enable-lease-checkpoint-persist");
    }

    @Test
    void bootstrap_requires_the_local_member_in_the_initial_cluster() {
        ServerConfig c = Parse.ok("--name", "n1", "--initial-cluster", "n2=http://127.0.0.1:23802");
        assertThatThrownBy(c::verifyBootstrap).isInstanceOf(ConfigException.class)
                .hasMessage("couldn't find local name \"n1\" in the initial cluster configuration");
    }

    @Test
    void bootstrap_requires_advertised_peer_urls_to_match_the_initial_cluster() {
        ServerConfig c = Parse.ok("--name", "n1", "--initial-cluster", "n1=http://127.0.0.1:23802",
                "--initial-advertise-peer-urls", "http://127.0.0.1:23801");
        assertThatThrownBy(c::verifyBootstrap).hasMessage("--initial-cluster has n1=http://127.0.0.1:23802 but "
                + "missing from --initial-advertise-peer-urls=http://127.0.0.1:23801 "
                + "(resolved urls: \"http://127.0.0.1:23801\" != \"http://127.0.0.1:23802\")");
        ServerConfig extra = Parse.ok("--name", "n1", "--initial-cluster", "n1=http://127.0.0.1:1",
                "--initial-advertise-peer-urls", "http://127.0.0.1:1,http://127.0.0.1:2");
        assertThatThrownBy(extra::verifyBootstrap).hasMessage("--initial-advertise-peer-urls has http://127.0.0.1:2 "
                + "but missing from --initial-cluster=n1=http://127.0.0.1:1,n1=http://127.0.0.1:2");
    }

    @Test
    void bootstrap_refuses_duplicate_peer_urls() {
        ServerConfig c = Parse.ok("--name", "n1", "--initial-cluster", "n1=http://127.0.0.1:1,n2=http://127.0.0.1:1",
                "--initial-advertise-peer-urls", "http://127.0.0.1:1");
        assertThatThrownBy(c::verifyBootstrap)
                .hasMessage("initial cluster n1=http://127.0.0.1:1,n2=http://127.0.0.1:1 has duplicate url");
    }

    @Test
    void a_consistent_bootstrap_passes() {
        ServerConfig c = Parse.ok("--name", "n1", "--initial-cluster", "n1=http://127.0.0.1:1,n2=http://127.0.0.1:2",
                "--initial-advertise-peer-urls", "http://127.0.0.1:1");
        c.verifyBootstrap();
        c.verifyJoinExisting();
        ServerConfig byName = Parse.ok("--name", "solo");
        byName.verifyBootstrap();
    }
}
