package io.etcdjava.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdjava.server.config.ServerConfig;
import io.etcdjava.server.log.EtcdLogging;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final List<String> configuredLevels = new ArrayList<>();
    private final AtomicReference<ServerConfig> launched = new AtomicReference<>();

    private int run(MemberLauncher launcher, Map<String, String> env, String... args) {
        return Main.run(args, new LinkedHashMap<>(env), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), (level, outputs) -> {
                    configuredLevels.add(level + " " + outputs);
                    EtcdLogging.configure(level, logs);
                }, launcher);
    }

    private int run(String... args) {
        return run(cfg -> {
            launched.set(cfg);
            return 0;
        }, Map.of(), args);
    }

    private List<JsonNode> logLines() throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String l : logs.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!l.isEmpty()) {
                nodes.add(JSON.readTree(l));
            }
        }
        return nodes;
    }

    private JsonNode line(String msg) throws Exception {
        return logLines().stream().filter(n -> n.get("msg").asText().equals(msg)).findFirst()
                .orElseThrow(() -> new AssertionError("no log line " + msg + " in " + logs));
    }

    @AfterEach
    void restoreLogging() {
        EtcdLogging.configure("info", List.of("stderr"));
    }

    @Test
    void version_prints_and_exits_0_without_logging() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("etcd Version: " + Version.SERVER + "\n");
        assertThat(configuredLevels).isEmpty();
    }

    @Test
    void help_exits_0_and_a_bad_flag_exits_2() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("  --name 'default'");
        out.reset();
        err.reset();
        assertThat(run("--foo")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("flag provided but not defined: -foo\nUsage:");
        assertThat(launched.get()).isNull();
    }

    @Test
    void invalid_flags_are_logged_as_etcd_does_and_exit_1() throws Exception {
        assertThat(run("--listen-client-urls", "http://127.0.0.1:2379")).isEqualTo(1);
        List<JsonNode> l = logLines();
        assertThat(l).extracting(n -> n.get("msg").asText())
                .containsExactly("Running: ", "failed to verify flags", "advertise client URLs are not set");
        assertThat(l.get(0).get("args").toString()).isEqualTo("[\"etcd\",\"--listen-client-urls\",\"http://127.0.0.1:2379\"]");
        assertThat(l.get(1).get("level").asText()).isEqualTo("warn");
        assertThat(l.get(1).get("error").asText())
                .isEqualTo("--advertise-client-urls is required when --listen-client-urls is set explicitly");
        assertThat(launched.get()).isNull();
    }

    @Test
    void an_unknown_log_level_panics_with_exit_2() {
        assertThat(run("--log-level", "foo")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("panic: unknown level \"foo\"\n");
    }

    @Test
    void a_flag_shadowing_an_env_var_is_a_fatal_line() throws Exception {
        assertThat(run(cfg -> 0, Map.of("ETCD_NAME", "x"), "--name", "y")).isEqualTo(1);
        JsonNode fatal = logLines().get(logLines().size() - 1);
        assertThat(fatal.get("level").asText()).isEqualTo("fatal");
        assertThat(fatal.get("msg").asText()).startsWith("conflicting environment variable \"ETCD_NAME\"");
    }

    @Test
    void a_valid_config_logs_etcds_start_lines_creates_the_member_dir_and_runs_the_launcher() throws Exception {
        Path data = dir.resolve("n1.etcd");
        int code = run(cfg -> {
            launched.set(cfg);
            return 0;
        }, Map.of("ETCD_SNAPSHOT_COUNT", "5"), "--name", "n1", "--data-dir", data.toString(), "--log-level", "debug");
        assertThat(code).isZero();
        assertThat(launched.get().name()).isEqualTo("n1");
        assertThat(launched.get().snapshotCount()).isEqualTo(5);
        assertThat(configuredLevels).containsExactly("debug [default]");
        assertThat(Files.isDirectory(data.resolve("member"))).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("member"))))
                .isEqualTo("rwx------");
        JsonNode start = line("starting an etcd server");
        assertThat(start.get("level").asText()).isEqualTo("info");
        assertThat(start.get("name").asText()).isEqualTo("n1");
        assertThat(start.get("data-dir").asText()).isEqualTo(data.toString());
        assertThat(start.get("member-dir").asText()).isEqualTo(data.resolve("member").toString());
        assertThat(start.get("etcd-version").asText()).isEqualTo(Version.SERVER);
        assertThat(start.get("heartbeat-interval").asText()).isEqualTo("100ms");
        assertThat(start.get("election-timeout").asText()).isEqualTo("1s");
        assertThat(start.get("initial-cluster").asText()).isEqualTo("n1=http://localhost:2380");
        assertThat(start.get("listen-client-urls").toString()).isEqualTo("[\"http://localhost:2379\"]");
        assertThat(start.get("quota-backend-bytes").asLong()).isEqualTo(2147483648L);
        assertThat(start.get("member-initialized").asBoolean()).isFalse();
        assertThat(line("recognized and used environment variable").get("variable-name").asText())
                .isEqualTo("ETCD_SNAPSHOT_COUNT");
    }

    @Test
    void an_existing_data_dir_is_reported_with_its_strays_and_loose_permissions() throws Exception {
        Path data = Files.createDirectories(dir.resolve("d").resolve("member"));
        Files.setPosixFilePermissions(dir.resolve("d"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("d").resolve("junk"), "x");
        assertThat(run("--data-dir", dir.resolve("d").toString())).isZero();
        assertThat(line("found invalid file under data directory").get("filename").asText()).isEqualTo("junk");
        assertThat(line("server has been already initialized").get("dir-type").asText()).isEqualTo("member");
        assertThat(logLines()).extracting(n -> n.get("msg").asText())
                .anyMatch(m -> m.startsWith("check file permission: directory \"" + dir.resolve("d") + "\" exist, but the permission is \"drwxr-xr-x\""));
        assertThat(data).isDirectory();
    }

    @Test
    void a_data_dir_that_is_a_file_is_refused_with_exit_1() throws Exception {
        Path f = Files.writeString(dir.resolve("afile"), "x");
        assertThat(run("--data-dir", f.toString())).isEqualTo(1);
        JsonNode fatal = line("failed to list data directory");
        assertThat(fatal.get("level").asText()).isEqualTo("fatal");
        assertThat(fatal.get("error").asText()).isEqualTo("readdirent " + f + ": not a directory");
        assertThat(launched.get()).isNull();
    }

    @Test
    void a_data_dir_that_cannot_be_created_is_refused_with_exit_1() throws Exception {
        Path f = Files.writeString(dir.resolve("afile"), "x");
        assertThat(run("--data-dir", f.resolve("sub").toString())).isEqualTo(1);
        assertThat(line("failed to start etcd").get("error").asText())
                .isEqualTo("cannot access data directory: mkdir " + f.resolve("sub") + ": not a directory");
        assertThat(line("discovery failed").get("level").asText()).isEqualTo("fatal");
        assertThat(launched.get()).isNull();
    }

    @Test
    void without_a_launcher_the_member_is_reported_missing_with_exit_1() throws Exception {
        assertThat(run(Main.NOT_IMPLEMENTED, Map.of(), "--data-dir", dir.resolve("x").toString())).isEqualTo(1);
        assertThat(line("member not implemented yet").get("level").asText()).isEqualTo("error");
    }

    @Test
    void a_launcher_failure_is_reported_like_a_failed_etcd_start() throws Exception {
        int code = run(cfg -> {
            cfg.verifyBootstrap();
            return 0;
        }, Map.of(), "--data-dir", dir.resolve("x").toString(), "--name", "n1", "--initial-cluster", "n2=http://127.0.0.1:1");
        assertThat(code).isEqualTo(1);
        assertThat(line("failed to start etcd").get("error").asText())
                .isEqualTo("couldn't find local name \"n1\" in the initial cluster configuration");
        assertThat(line("discovery failed").get("level").asText()).isEqualTo("fatal");
    }

    @Test
    void a_bad_url_in_the_config_file_is_printed_bare() throws Exception {
        Path f = Files.writeString(dir.resolve("c.yml"), "listen-client-urls: ftp://x\n");
        assertThat(run("--config-file", f.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(
                "unexpected error setting up listen-client-urls: URL scheme must be http, https, unix, or unixs: ftp://x\n");
    }

    @Test
    void an_unopenable_log_file_is_refused() throws Exception {
        Path f = Files.writeString(dir.resolve("afile"), "x");
        assertThat(run("--log-outputs", f.resolve("log").toString())).isEqualTo(1);
        assertThat(line("failed to verify flags").get("error").asText()).startsWith("open " + f.resolve("log") + ": ");
    }

    @Test
    void proxy_mode_is_refused_clearly() throws Exception {
        assertThat(run("--proxy", "on", "--data-dir", dir.resolve("p").toString())).isEqualTo(1);
        assertThat(line("v2 proxy mode is not supported by etcd-java").get("level").asText()).isEqualTo("fatal");
    }
}
