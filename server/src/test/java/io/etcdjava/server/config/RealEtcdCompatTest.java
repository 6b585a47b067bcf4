package io.etcdjava.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the installed etcd (Debian's 3.4) next to our parser and compares what users see: the
 * flags it documents, its defaults, its flag-syntax errors and its validation messages.
 * Only command lines etcd refuses are run, so no real server ever starts. Skipped without etcd.
 */
class RealEtcdCompatTest {
    private static final Path ETCD = Path.of("/usr/bin/etcd");
    private static final Pattern HELP_FLAG = Pattern.compile("(?m)^  --([a-z0-9.-]+)(?: (.*))?$");

    @TempDir
    static Path workDir;

    record Outcome(int code, String stdout, String stderr) {
    }

    @BeforeAll
    static void requireEtcd() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(ETCD), "no etcd at " + ETCD);
    }

    static Outcome etcd(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ETCD.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ETCD"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("etcd did not exit: " + cmd);
        }
        return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    static Outcome etcd(String... args) throws IOException, InterruptedException {
        return etcd(Map.of(), args);
    }

    private static Map<String, String> helpFlags(String help) {
        Map<String, String> flags = new LinkedHashMap<>();
        Matcher m = HELP_FLAG.matcher(help);
        while (m.find()) {
            flags.put(m.group(1), m.group(2) == null ? "" : m.group(2));
        }
        return flags;
    }

    @Test
    void every_flag_in_etcds_help_is_accepted_by_our_parser() throws Exception {
        Map<String, String> theirs = helpFlags(etcd("--help").stdout());
        assertThat(theirs).hasSizeGreaterThanOrEqualTo(75);
        for (String name : theirs.keySet()) {
            Flags.Def d = Flags.lookup(name);
            assertThat(d).as(name).isNotNull();
            String arg = d.isBool() ? "--" + name : "--" + name + "=" + FlagSyntaxTest.sample(d);
            List<String> args = new ArrayList<>(List.of(arg));
            args.addAll(FlagSyntaxTest.COMPANIONS.getOrDefault(name, List.of()));
            ParseResult r = Parse.args(args.toArray(String[]::new));
            assertThat(r).as(arg).isInstanceOf(ParseResult.Run.class);
        }
    }

    @Test
    void our_help_lists_every_flag_and_section_of_etcds_in_the_same_order() throws Exception {
        String theirs = etcd("--help").stdout();
        List<String> ours = new ArrayList<>(helpFlags(Usage.FLAGS).keySet());
        List<String> theirFlags = new ArrayList<>(helpFlags(theirs).keySet());
        assertThat(ours).containsSubsequence(theirFlags);
        List<String> theirSections = theirs.lines().filter(l -> l.matches("^[A-Z].*:$")).toList();
        List<String> ourSections = Usage.FLAGS.lines().filter(l -> l.matches("^[A-Z].*:$")).toList();
        assertThat(ourSections).isEqualTo(theirSections);
    }

    /** Where our default differs from etcd 3.4's on purpose, or is spelled differently in help. */
    private static final Set<String> DIFFERENT_DEFAULTS = Set.of(
            "logger", // we always write zap JSON
            "data-dir", // '${name}.etcd' is derived
            "max-concurrent-streams", // 'math.MaxUint32'
            "backend-batch-interval", // '' means the backend's default
            "experimental-backend-bbolt-freelist-type", // '' means array
            "experimental-compaction-batch-limit"); // 0 means 1000

    @Test
    void defaults_shown_by_etcd_are_our_defaults() throws Exception {
        Map<String, String> theirs = helpFlags(etcd("--help").stdout());
        int compared = 0;
        for (Map.Entry<String, String> e : theirs.entrySet()) {
            if (DIFFERENT_DEFAULTS.contains(e.getKey())) {
                continue;
            }
            Flags.Def d = Flags.lookup(e.getKey());
            String text = e.getValue().replaceAll("^'(.*)'$", "$1");
            Object theirDefault = Flags.parseValue(d, text, d.defaultValue());
            if (e.getKey().equals("listen-metrics-urls") || e.getKey().equals("cipher-suites")) {
                theirDefault = List.of(); // '' is "none" for these lists
            }
            assertThat(d.defaultValue()).as(e.getKey()).isEqualTo(theirDefault);
            compared++;
        }
        assertThat(compared).isGreaterThanOrEqualTo(70);
    }

    static Stream<Arguments> syntaxErrors() {
        return Stream.of(
                List.of("--foo"), List.of("-foo=1"), List.of("--name"), List.of("--heartbeat-interval", "abc"),
                List.of("--enable-v2=yes"), List.of("---name", "x"), List.of("--initial-cluster-state", "bogus"),
                List.of("--listen-peer-urls=ftp://foo.com:2380"), List.of("--max-concurrent-streams=abc"),
                List.of("--snapshot-count=-1"), List.of("--grpc-keepalive-time=5"), List.of("--election-timeout=1e3"),
                List.of("--listen-client-urls", "http://127.0.0.1"), List.of("--discovery-fallback=x"))
                .map(a -> Arguments.of(a));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("syntaxErrors")
    void flag_syntax_errors_print_exactly_what_etcd_prints(List<String> args) throws Exception {
        Outcome real = etcd(args.toArray(String[]::new));
        ParseResult.Print ours = Parse.print(args.toArray(String[]::new));
        assertThat(ours.exitCode()).isEqualTo(real.code()).isEqualTo(2);
        assertThat(ours.stderr()).isEqualTo(real.stderr());
        assertThat(ours.stdout()).isEqualTo(real.stdout());
    }

    @Test
    void help_usage_on_stderr_is_etcds() throws Exception {
        Outcome real = etcd("-h");
        ParseResult.Print ours = Parse.print("-h");
        assertThat(ours.exitCode()).isEqualTo(real.code()).isZero();
        assertThat(ours.stderr()).isEqualTo(real.stderr());
        assertThat(ours.stdout()).startsWith(real.stdout().substring(0, real.stdout().indexOf("  --heartbeat")));
    }

    @Test
    void version_has_etcds_shape() throws Exception {
        Outcome real = etcd("--version");
        ParseResult.Print ours = Parse.print("--version");
        assertThat(ours.exitCode()).isEqualTo(real.code()).isZero();
        List<String> theirLines = real.stdout().lines().toList();
        List<String> ourLines = ours.stdout().lines().toList();
        assertThat(ourLines).hasSameSizeAs(theirLines);
        for (int i : new int[] {0, 1, 3}) {
            assertThat(ourLines.get(i).split(": ")[0]).isEqualTo(theirLines.get(i).split(": ")[0]);
        }
        assertThat(ourLines.get(3)).isEqualTo(theirLines.get(3));
    }

    private static final Pattern JSON_ERROR = Pattern.compile("\"error\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern CAPNS_ERROR = Pattern.compile("error verifying flags, (.*)\\. See 'etcd --help'\\.");

    /** The error etcd reported, from its zap JSON line or its capnslog line. */
    private static String realError(Outcome o) {
        Matcher m = JSON_ERROR.matcher(o.stderr());
        if (m.find()) {
            return m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        m = CAPNS_ERROR.matcher(o.stderr());
        if (m.find()) {
            return m.group(1);
        }
        return o.stderr().strip();
    }

    static Stream<Arguments> refusedCommandLines() {
        return Stream.of(
                List.of("--heartbeat-interval", "300"),
                List.of("--heartbeat-interval", "0"),
                List.of("--election-timeout", "60000", "--heartbeat-interval", "1000"),
                List.of("--listen-client-urls", "http://127.0.0.1:2379"),
                List.of("--auto-compaction-mode=x"),
                List.of("--initial-cluster=a=http://x:1", "--discovery=http://d"),
                List.of("--listen-peer-urls=http://foo.com:2380"),
                List.of("--listen-client-urls=http://[::1]:2379", "--advertise-client-urls=http://:2379"),
                List.of("--initial-advertise-peer-urls=http://:2380", "--heartbeat-interval=1"),
                List.of("--log-outputs=default,stderr"),
                List.of("--logger=foo"),
                List.of("--experimental-enable-lease-checkpoint-persist"),
                List.of("extra"),
                List.of("--name", "x", "--", "--data-dir"))
                .map(a -> Arguments.of(a));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedCommandLines")
    void refused_command_lines_give_etcds_message_and_exit_code(List<String> args) throws Exception {
        List<String> withZap = new ArrayList<>(List.of("--logger=zap"));
        if (args.contains("--logger=foo") || args.contains("extra") || args.contains("--")) {
            withZap.clear();
        }
        withZap.addAll(args);
        Outcome real = etcd(withZap.toArray(String[]::new));
        ConfigException ours = Parse.invalid(withZap.toArray(String[]::new));
        assertThat(real.code()).isEqualTo(1);
        assertThat(ours.getMessage()).isEqualTo(realError(real));
    }

    @Test
    void env_errors_match_etcd() throws Exception {
        Outcome real = etcd(Map.of("ETCD_HEARTBEAT_INTERVAL", "abc"), "--logger=zap");
        ConfigException ours = Parse.invalid(Parse.withEnv(Map.of("ETCD_HEARTBEAT_INTERVAL", "abc"), "--logger=zap"));
        assertThat(real.code()).isEqualTo(1);
        assertThat(ours.getMessage()).isEqualTo(realError(real));

        Outcome shadowed = etcd(Map.of("ETCD_NAME", "x"), "--name", "y");
        ConfigException ourShadow = Parse.invalid(Parse.withEnv(Map.of("ETCD_NAME", "x"), "--name", "y"));
        assertThat(shadowed.code()).isEqualTo(1);
        assertThat(shadowed.stderr()).contains(ourShadow.getMessage());
    }

    static Stream<Arguments> refusedConfigFiles() {
        return Stream.of(
                "name: n1\nheartbeat-interval: abc\nlogger: zap\n",
                "logger: zap\ninitial-cluster-state: bogus\n",
                "logger: zap\nmax-wals: -5\n",
                "logger: zap\nheartbeat-interval: 300\n",
                "logger: zap\nlisten-client-urls: ftp://x\n",
                "logger: zap\nadvertise-client-urls: http://x\n",
                "logger: zap\nexperimental-watch-progress-notify-interval: true\n")
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedConfigFiles")
    void refused_config_files_give_etcds_message(String yaml) throws Exception {
        Path f = Files.createTempFile(workDir, "conf", ".yml");
        Files.writeString(f, yaml);
        Outcome real = etcd("--config-file", f.toString());
        ConfigException ours = Parse.invalid(Parse.args("--config-file", f.toString()));
        assertThat(real.code()).isEqualTo(1);
        assertThat(ours.getMessage()).isEqualTo(realError(real));
    }
}
