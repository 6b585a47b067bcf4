package io.etcdjava.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FlagSyntaxTest {

    /** A value each flag accepts on its own (plus companions some flags need to validate). */
    private static final Map<String, String> SAMPLE = Map.ofEntries(
            Map.entry("logger", "capnslog"), Map.entry("log-level", "debug"),
            Map.entry("auto-compaction-mode", "revision"), Map.entry("auto-compaction-retention", "5"),
            Map.entry("initial-cluster", "default=http://localhost:2380"),
            Map.entry("heartbeat-interval", "200"), Map.entry("election-timeout", "2000"),
            Map.entry("log-outputs", "stdout,stderr"), Map.entry("log-output", "stdout"),
            Map.entry("metrics", "extensive"), Map.entry("experimental-lease-revoke-rate", "250"));
    static final Map<String, List<String>> COMPANIONS = Map.of(
            "listen-client-urls", List.of("--advertise-client-urls=http://127.0.0.1:1"),
            "experimental-enable-lease-checkpoint-persist", List.of("--experimental-enable-lease-checkpoint"));

    static String sample(Flags.Def d) {
        String s = SAMPLE.get(d.name());
        if (s != null) {
            return s;
        }
        return switch (d.kind()) {
            case STRING -> "some-value";
            case BOOL -> String.valueOf(!(Boolean) d.defaultValue());
            case UINT, UINT32 -> "7";
            case INT -> "-3";
            case DURATION -> "1m30s";
            case URLS -> "http://127.0.0.1:12345";
            case UNIQUE_STRINGS, STRINGS -> "b,a";
            case SELECTIVE -> d.choices().get(1);
            case IGNORED -> "true";
        };
    }

    static Stream<Arguments> valueFlags() {
        return Flags.all().values().stream()
                .filter(d -> !d.isBool() && !d.name().equals("config-file"))
                .flatMap(d -> Stream.of("--%s=%s", "-%s=%s", "--%s %s", "-%s %s")
                        .map(form -> Arguments.of(d.name(), form)));
    }

    @ParameterizedTest(name = "{1} for {0}")
    @MethodSource("valueFlags")
    void every_value_flag_parses_in_all_four_go_forms(String name, String form) {
        Flags.Def d = Flags.lookup(name);
        String value = sample(d);
        List<String> args = new ArrayList<>(List.of(form.formatted(name, value).split(" ")));
        args.addAll(COMPANIONS.getOrDefault(name, List.of()));
        ServerConfig c = Parse.ok(args.toArray(String[]::new));
        Object expected = Flags.parseValue(d, value, d.defaultValue());
        assertThat(c.get(name)).isEqualTo(expected);
    }

    static Stream<Arguments> boolFlags() {
        return Flags.all().values().stream()
                .filter(d -> d.kind() == Flags.Kind.BOOL && !d.name().equals("version"))
                .map(d -> Arguments.of(d.name()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("boolFlags")
    void every_bool_flag_takes_bare_and_equals_forms(String name) {
        List<String> extra = COMPANIONS.getOrDefault(name, List.of());
        for (String form : List.of("--" + name, "-" + name, "--" + name + "=true", "-" + name + "=1")) {
            List<String> args = new ArrayList<>(List.of(form));
            args.addAll(extra);
            assertThat(Parse.ok(args.toArray(String[]::new)).get(name)).as(form).isEqualTo(true);
        }
        if (extra.isEmpty()) {
            for (String form : List.of("--" + name + "=false", "-" + name + "=F", "--" + name + "=FALSE")) {
                assertThat(Parse.ok(form).get(name)).as(form).isEqualTo(false);
            }
        }
    }

    @Test
    void an_unknown_flag_prints_gos_message_and_the_usage_and_exits_2() {
        ParseResult.Print p = Parse.print("--foo");
        assertThat(p.exitCode()).isEqualTo(2);
        assertThat(p.stdout()).isEmpty();
        assertThat(p.stderr()).isEqualTo("flag provided but not defined: -foo\n" + Usage.USAGE + "\n");
        assertThat(Parse.print("-foo=bar").stderr()).startsWith("flag provided but not defined: -foo\nUsage:\n");
    }

    @Test
    void a_value_flag_without_its_value_is_a_syntax_error() {
        ParseResult.Print p = Parse.print("--name");
        assertThat(p.exitCode()).isEqualTo(2);
        assertThat(p.stderr()).startsWith("flag needs an argument: -name\nUsage:\n");
    }

    @Test
    void a_value_flag_takes_the_next_argument_even_when_it_looks_like_a_flag() {
        assertThat(Parse.ok("--name", "--data-dir").name()).isEqualTo("--data-dir");
    }

    @Test
    void bad_values_get_gos_messages() {
        assertThat(Parse.print("--heartbeat-interval", "abc").stderr())
                .startsWith("invalid value \"abc\" for flag -heartbeat-interval: parse error\n");
        assertThat(Parse.print("--snapshot-count=-1").stderr())
                .startsWith("invalid value \"-1\" for flag -snapshot-count: parse error\n");
        assertThat(Parse.print("--max-wals=99999999999999999999").stderr())
                .startsWith("invalid value \"99999999999999999999\" for flag -max-wals: value out of range\n");
        assertThat(Parse.print("--initial-cluster-state", "bogus").stderr())
                .startsWith("invalid value \"bogus\" for flag -initial-cluster-state: invalid value\n");
        assertThat(Parse.print("--listen-peer-urls=ftp://foo.com:2380").stderr()).startsWith(
                "invalid value \"ftp://foo.com:2380\" for flag -listen-peer-urls: "
                        + "URL scheme must be http, https, unix, or unixs: ftp://foo.com:2380\n");
        assertThat(Parse.print("--max-concurrent-streams=abc").stderr()).startsWith(
                "invalid value \"abc\" for flag -max-concurrent-streams: strconv.ParseUint: parsing \"abc\": invalid syntax\n");
        assertThat(Parse.print("--enable-v2=yes").stderr())
                .startsWith("invalid boolean value \"yes\" for -enable-v2: parse error\n");
        assertThat(Parse.print("--grpc-keepalive-timeout=5").stderr())
                .startsWith("invalid value \"5\" for flag -grpc-keepalive-timeout: parse error\n");
        assertThat(Parse.print("---name", "x").stderr()).startsWith("bad flag syntax: ---name\n");
        assertThat(Parse.print("-=x").stderr()).startsWith("bad flag syntax: -=x\n");
    }

    @Test
    void numbers_take_gos_base_prefixes() {
        assertThat(Parse.ok("--max-txn-ops=0x10").maxTxnOps()).isEqualTo(16);
        assertThat(Parse.ok("--max-txn-ops=010").maxTxnOps()).isEqualTo(8);
        assertThat(Parse.ok("--snapshot-count=1_000").snapshotCount()).isEqualTo(1000);
    }

    @Test
    void parsing_stops_at_the_first_non_flag_which_etcd_then_rejects() {
        ConfigException e = Parse.invalid("--name", "x", "extra", "--data-dir", "d");
        assertThat(e.getMessage()).isEqualTo("'extra' is not a valid flag");
        assertThat(e.kind()).isEqualTo(ConfigException.Kind.INVALID_FLAGS);
        assertThat(Parse.invalid("--enable-v2", "true").getMessage()).isEqualTo("'true' is not a valid flag");
        assertThat(Parse.invalid("--", "--name").getMessage()).isEqualTo("'--name' is not a valid flag");
        assertThat(Parse.invalid("-").getMessage()).isEqualTo("'-' is not a valid flag");
    }

    @Test
    void the_last_occurrence_of_a_flag_wins() {
        assertThat(Parse.ok("--name=a", "--name=b").name()).isEqualTo("b");
    }

    @Test
    void url_lists_are_validated_normalised_and_sorted() {
        ServerConfig c = Parse.ok("--listen-peer-urls", "HTTP://127.0.0.2:2380, http://127.0.0.1:2380");
        assertThat(c.listenPeerUrls()).containsExactly("http://127.0.0.1:2380", "http://127.0.0.2:2380");
        assertThat(Parse.print("--listen-peer-urls=http://127.0.0.1").stderr()).startsWith(
                "invalid value \"http://127.0.0.1\" for flag -listen-peer-urls: "
                        + "URL address does not have the form \"host:port\": http://127.0.0.1\n");
        assertThat(Parse.print("--listen-peer-urls=http://127.0.0.1:1/x").stderr())
                .contains("URL must not contain a path: http://127.0.0.1:1/x");
    }

    @Test
    void cors_accepts_a_star_besides_urls() {
        assertThat(Parse.ok("--cors", "http://a.com:80").cors()).containsExactly("http://a.com:80");
        assertThat(Parse.ok("--cors", "*").cors()).containsExactly("*");
    }

    @Test
    void ignored_legacy_flags_are_accepted_with_etcds_warning() {
        ParseResult.Run r = Parse.run(Parse.args("-v", "--snapshot", "--peer-heartbeat-interval=5"));
        assertThat(r.notices()).extracting(Notice::message).contains(
                "flag \"-v\" is no longer supported - ignoring.",
                "flag \"-snapshot\" is no longer supported - ignoring.",
                "flag \"-peer-heartbeat-interval\" is no longer supported - ignoring.");
    }

    @Test
    void version_prints_etcd_style_lines_and_exits_0() {
        ParseResult.Print p = Parse.print("--version");
        assertThat(p.exitCode()).isZero();
        assertThat(p.stderr()).isEmpty();
        assertThat(p.stdout().split("\n")).hasSize(4);
        assertThat(p.stdout()).startsWith("etcd Version: " + io.etcdjava.server.Version.SERVER + "\nGit SHA: ")
                .contains("\nJava Version: " + Runtime.version())
                .containsPattern("\nGo OS/Arch: [a-z]+/[a-z0-9]+\n$");
        assertThat(Parse.print("-version").exitCode()).isZero();
        assertThat(Parse.ok("--version=false").name()).isEqualTo("default");
    }

    @Test
    void help_prints_usage_on_stderr_and_flags_on_stdout_and_exits_0() {
        for (String h : List.of("-h", "--help", "-help", "--h")) {
            ParseResult.Print p = Parse.print(h);
            assertThat(p.exitCode()).isZero();
            assertThat(p.stderr()).isEqualTo(Usage.USAGE + "\n").startsWith("Usage:\n\n  etcd [flags]\n");
            assertThat(p.stdout()).startsWith("\nMember:\n  --name 'default'\n").endsWith("\n\n");
        }
    }

    @Test
    void every_flag_we_accept_is_documented_in_our_help_except_legacy_ones() {
        for (Flags.Def d : Flags.all().values()) {
            if (d.kind() == Flags.Kind.IGNORED || d.name().equals("config-file") || d.name().equals("version")) {
                continue;
            }
            assertThat(Usage.FLAGS).as(d.name()).containsPattern("(?m)^  --" + java.util.regex.Pattern.quote(d.name()) + "( |$)");
        }
    }

    @Test
    void durations_in_help_match_the_defaults() {
        assertThat(Parse.ok().grpcKeepaliveInterval()).isEqualTo(Duration.ofHours(2));
        assertThat(Usage.FLAGS).contains("--grpc-keepalive-interval '2h'");
    }
}
