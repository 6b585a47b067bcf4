package io.etcdjava.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentTest {

    private static Map<String, String> env(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void env_var_names_are_etcd_plus_upper_snake_case_of_the_flag() {
        assertThat(Flags.envName("initial-cluster")).isEqualTo("ETCD_INITIAL_CLUSTER");
        assertThat(Flags.envName("experimental-watch-progress-notify-interval"))
                .isEqualTo("ETCD_EXPERIMENTAL_WATCH_PROGRESS_NOTIFY_INTERVAL");
    }

    @Test
    void env_vars_set_flags_and_are_reported_as_used() {
        ParseResult.Run r = Parse.run(Parse.withEnv(env(
                "ETCD_NAME", "n1", "ETCD_DATA_DIR", "/var/lib/n1",
                "ETCD_INITIAL_CLUSTER", "n1=http://10.0.0.1:2380",
                "ETCD_INITIAL_ADVERTISE_PEER_URLS", "http://10.0.0.1:2380",
                "ETCD_ENABLE_V2", "true", "ETCD_HEARTBEAT_INTERVAL", "50",
                "PATH", "/bin")));
        ServerConfig c = r.config();
        assertThat(c.name()).isEqualTo("n1");
        assertThat(c.dataDir()).isEqualTo("/var/lib/n1");
        assertThat(c.initialCluster()).isEqualTo("n1=http://10.0.0.1:2380");
        assertThat(c.enableV2()).isTrue();
        assertThat(c.heartbeatIntervalMs()).isEqualTo(50);
        assertThat(r.notices()).contains(Notice.info("recognized and used environment variable",
                "variable-name", "ETCD_NAME", "variable-value", "n1"));
        assertThat(r.notices()).extracting(Notice::level).containsOnly("info");
    }

    @Test
    void a_flag_shadowing_an_env_var_is_fatal_as_in_etcd() {
        ConfigException e = Parse.invalid(Parse.withEnv(env("ETCD_NAME", "x"), "--name", "y"));
        assertThat(e.kind()).isEqualTo(ConfigException.Kind.FATAL);
        assertThat(e.getMessage()).isEqualTo("conflicting environment variable \"ETCD_NAME\" is shadowed by "
                + "corresponding command-line flag (either unset environment variable or disable flag)");
    }

    @Test
    void unknown_etcd_env_vars_are_warned_about_and_others_ignored() {
        ParseResult.Run r = Parse.run(Parse.withEnv(env("ETCD_FOO", "1", "ETCDCTL_API", "3", "HOME", "/root")));
        assertThat(r.notices()).containsExactly(
                Notice.warn("unrecognized environment variable", "environment-variable", "ETCD_FOO=1"),
                Notice.warn("'data-dir' was empty; using default", "data-dir", "default.etcd"));
    }

    @Test
    void the_lease_revoke_rate_comes_from_a_flag_or_its_env_var() {
        assertThat(Parse.ok("--experimental-lease-revoke-rate", "250").experimentalLeaseRevokeRate()).isEqualTo(250);
        assertThat(Parse.ok("--experimental-lease-revoke-rate=7").experimentalLeaseRevokeRate()).isEqualTo(7);
        assertThat(Parse.run(Parse.withEnv(env("ETCD_EXPERIMENTAL_LEASE_REVOKE_RATE", "2500"))).config()
                .experimentalLeaseRevokeRate()).isEqualTo(2500);
    }

    @Test
    void empty_env_vars_are_not_used() {
        assertThat(Parse.run(Parse.withEnv(env("ETCD_NAME", ""))).config().name()).isEqualTo("default");
    }

    @Test
    void an_invalid_env_value_names_the_variable() {
        ConfigException e = Parse.invalid(Parse.withEnv(env("ETCD_HEARTBEAT_INTERVAL", "abc")));
        assertThat(e.getMessage()).isEqualTo("invalid value \"abc\" for ETCD_HEARTBEAT_INTERVAL: parse error");
        assertThat(e.kind()).isEqualTo(ConfigException.Kind.INVALID_FLAGS);
    }

    @Test
    void env_set_listen_client_urls_also_require_advertise_client_urls() {
        ConfigException e = Parse.invalid(Parse.withEnv(env("ETCD_LISTEN_CLIENT_URLS", "http://127.0.0.1:2379")));
        assertThat(e.getMessage()).isEqualTo(Validation.ERR_UNSET_ADVERTISE_CLIENT_URLS);
        ServerConfig ok = Parse.run(Parse.withEnv(env("ETCD_LISTEN_CLIENT_URLS", "http://127.0.0.1:2379",
                "ETCD_ADVERTISE_CLIENT_URLS", "http://127.0.0.1:2379"))).config();
        assertThat(ok.advertiseClientUrls()).isEqualTo(List.of("http://127.0.0.1:2379"));
    }

    @Test
    void discovery_from_env_clears_the_default_initial_cluster() {
        ServerConfig c = Parse.run(Parse.withEnv(env("ETCD_DISCOVERY", "https://discovery.etcd.io/x"))).config();
        assertThat(c.initialCluster()).isEmpty();
    }

    @Test
    void env_config_file_selects_the_file_and_ignores_other_env_vars(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path f = dir.resolve("etcd.yaml");
        java.nio.file.Files.writeString(f, "name: from-file\n");
        ParseResult.Run r = Parse.run(Parse.withEnv(env("ETCD_CONFIG_FILE", f.toString(), "ETCD_NAME", "from-env",
                "ETCD_FOO", "x")));
        assertThat(r.config().name()).isEqualTo("from-file");
        assertThat(r.notices()).extracting(Notice::message).noneMatch(m -> m.startsWith("recognized") || m.startsWith("unrecognized"))
                .contains("loaded server configuration, other configuration command line flags and environment "
                        + "variables will be ignored if provided");
    }
}
