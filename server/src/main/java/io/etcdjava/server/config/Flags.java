package io.etcdjava.server.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Every flag etcd accepts, once: name, value kind, default, and whether the YAML config file
 * knows it under the same key. Command line, {@code ETCD_*} environment and YAML all go through
 * this table, so a flag added here is accepted everywhere.
 */
final class Flags {
    private Flags() {
    }

    /** How a flag's text becomes a value, mirroring the Go flag.Value etcd registers. */
    enum Kind {
        STRING, BOOL,
        /** Go uint / uint64: base-prefixed, non-negative. */
        UINT,
        /** etcd's uint32Value: raw strconv errors. */
        UINT32,
        /** Go int / int64. */
        INT,
        DURATION,
        /** flags.UniqueURLs: comma-separated, validated, sorted. */
        URLS,
        /** flags.UniqueStringsValue: comma-separated, deduplicated, sorted. */
        UNIQUE_STRINGS,
        /** flags.StringsValue: comma-separated, order kept. */
        STRINGS,
        /** flags.SelectiveStringValue: one of a fixed set. */
        SELECTIVE,
        /** flags.IgnoredFlag: accepted for old command lines, warned about, dropped. */
        IGNORED
    }

    /** One flag. {@code yaml} says whether the config file knows it under the same key. */
    record Def(String name, Kind kind, Object defaultValue, boolean yaml, List<String> choices, String exception) {
        boolean isBool() {
            return kind == Kind.BOOL || kind == Kind.IGNORED;
        }
    }

    static final String DEFAULT_INITIAL_CLUSTER = "default=http://localhost:2380";

    private static final Map<String, Def> TABLE = new LinkedHashMap<>();

    private static void def(String name, Kind kind, Object dflt) {
        add(new Def(name, kind, dflt, true, List.of(), null));
    }

    private static void cliOnly(String name, Kind kind, Object dflt) {
        add(new Def(name, kind, dflt, false, List.of(), null));
    }

    private static void add(Def d) {
        if (TABLE.putIfAbsent(d.name(), d) != null) {
            throw new IllegalStateException("duplicate flag " + d.name());
        }
    }

    private static Duration ms(long v) {
        return Duration.ofMillis(v);
    }

    static {
        cliOnly("config-file", Kind.STRING, "");

        // member
        def("name", Kind.STRING, "default");
        def("data-dir", Kind.STRING, "");
        def("wal-dir", Kind.STRING, "");
        add(new Def("listen-peer-urls", Kind.URLS, List.of("http://localhost:2380"), true, List.of(), ""));
        add(new Def("listen-client-urls", Kind.URLS, List.of("http://localhost:2379"), true, List.of(), ""));
        add(new Def("listen-metrics-urls", Kind.URLS, List.of(), true, List.of(), ""));
        add(new Def("listen-client-http-urls", Kind.URLS, List.of(), true, List.of(), ""));
        def("max-snapshots", Kind.UINT, 5L);
        def("max-wals", Kind.UINT, 5L);
        def("snapshot-count", Kind.UINT, 100_000L);
        def("heartbeat-interval", Kind.UINT, 100L);
        def("election-timeout", Kind.UINT, 1000L);
        def("initial-election-tick-advance", Kind.BOOL, true);
        def("quota-backend-bytes", Kind.INT, 0L);
        def("backend-batch-interval", Kind.DURATION, Duration.ZERO);
        def("backend-batch-limit", Kind.INT, 0L);
        def("max-txn-ops", Kind.UINT, 128L);
        def("max-request-bytes", Kind.UINT, 1_572_864L);
        def("grpc-keepalive-min-time", Kind.DURATION, Duration.ofSeconds(5));
        def("grpc-keepalive-interval", Kind.DURATION, Duration.ofHours(2));
        def("grpc-keepalive-timeout", Kind.DURATION, Duration.ofSeconds(20));
        def("max-concurrent-streams", Kind.UINT32, 4_294_967_295L);
        def("socket-reuse-port", Kind.BOOL, false);
        def("socket-reuse-address", Kind.BOOL, false);

        // clustering
        add(new Def("initial-advertise-peer-urls", Kind.URLS, List.of("http://localhost:2380"), true, List.of(), ""));
        add(new Def("advertise-client-urls", Kind.URLS, List.of("http://localhost:2379"), true, List.of(), ""));
        def("discovery", Kind.STRING, "");
        add(new Def("discovery-fallback", Kind.SELECTIVE, "proxy", true, List.of("proxy", "exit"), null));
        def("discovery-proxy", Kind.STRING, "");
        def("discovery-srv", Kind.STRING, "");
        def("discovery-srv-name", Kind.STRING, "");
        def("initial-cluster", Kind.STRING, DEFAULT_INITIAL_CLUSTER);
        def("initial-cluster-token", Kind.STRING, "etcd-cluster");
        add(new Def("initial-cluster-state", Kind.SELECTIVE, "new", true, List.of("new", "existing"), null));
        def("strict-reconfig-check", Kind.BOOL, true);
        def("enable-v2", Kind.BOOL, false);
        def("pre-vote", Kind.BOOL, false);
        def("auto-compaction-retention", Kind.STRING, "0");
        def("auto-compaction-mode", Kind.STRING, "periodic");
        def("v2-deprecation", Kind.STRING, "not-yet");

        // v2 proxy
        add(new Def("proxy", Kind.SELECTIVE, "off", true, List.of("off", "readonly", "on"), null));
        def("proxy-failure-wait", Kind.UINT, 5000L);
        def("proxy-refresh-interval", Kind.UINT, 30000L);
        def("proxy-dial-timeout", Kind.UINT, 1000L);
        def("proxy-write-timeout", Kind.UINT, 5000L);
        def("proxy-read-timeout", Kind.UINT, 0L);

        // security; the YAML file sets TLS through client-/peer-transport-security instead
        cliOnly("cert-file", Kind.STRING, "");
        cliOnly("key-file", Kind.STRING, "");
        cliOnly("client-cert-auth", Kind.BOOL, false);
        cliOnly("client-crl-file", Kind.STRING, "");
        cliOnly("client-cert-allowed-hostname", Kind.STRING, "");
        cliOnly("trusted-ca-file", Kind.STRING, "");
        cliOnly("auto-tls", Kind.BOOL, false);
        cliOnly("client-cert-file", Kind.STRING, "");
        cliOnly("client-key-file", Kind.STRING, "");
        cliOnly("peer-cert-file", Kind.STRING, "");
        cliOnly("peer-key-file", Kind.STRING, "");
        cliOnly("peer-client-cert-auth", Kind.BOOL, false);
        cliOnly("peer-trusted-ca-file", Kind.STRING, "");
        cliOnly("peer-auto-tls", Kind.BOOL, false);
        cliOnly("peer-crl-file", Kind.STRING, "");
        cliOnly("peer-cert-allowed-cn", Kind.STRING, "");
        cliOnly("peer-cert-allowed-hostname", Kind.STRING, "");
        cliOnly("experimental-peer-skip-client-san-verification", Kind.BOOL, false);
        def("cipher-suites", Kind.STRINGS, List.of());
        def("tls-min-version", Kind.STRING, "");
        def("tls-max-version", Kind.STRING, "");
        def("self-signed-cert-validity", Kind.UINT, 1L);
        add(new Def("cors", Kind.URLS, List.of("*"), true, List.of(), "*"));
        def("host-whitelist", Kind.UNIQUE_STRINGS, List.of("*"));

        // auth
        def("auth-token", Kind.STRING, "simple");
        def("bcrypt-cost", Kind.UINT, 10L);
        def("auth-token-ttl", Kind.UINT, 300L);

        // profiling and monitoring
        def("enable-pprof", Kind.BOOL, false);
        def("metrics", Kind.STRING, "basic");

        // logging: we always write zap-style JSON, so "zap" is our default
        def("logger", Kind.STRING, "zap");
        def("log-output", Kind.UNIQUE_STRINGS, List.of("default"));
        def("log-outputs", Kind.UNIQUE_STRINGS, List.of("default"));
        def("log-level", Kind.STRING, "info");
        def("debug", Kind.BOOL, false);
        def("log-package-levels", Kind.STRING, "");
        def("enable-log-rotation", Kind.BOOL, false);
        def("log-rotation-config-json", Kind.STRING,
                "{\"maxsize\": 100, \"maxage\": 0, \"maxbackups\": 0, \"localtime\": false, \"compress\": false}");

        cliOnly("version", Kind.BOOL, false);
        def("enable-grpc-gateway", Kind.BOOL, true);

        // experimental
        def("experimental-initial-corrupt-check", Kind.BOOL, false);
        def("experimental-corrupt-check-time", Kind.DURATION, Duration.ZERO);
        def("experimental-enable-v2v3", Kind.STRING, "");
        def("experimental-backend-bbolt-freelist-type", Kind.STRING, "");
        def("experimental-enable-lease-checkpoint", Kind.BOOL, false);
        def("experimental-enable-lease-checkpoint-persist", Kind.BOOL, false);
        // Ours: etcd hard-codes the leader's revoke rate (lease.leaseRevokeRate).
        def("experimental-lease-revoke-rate", Kind.INT, 1000L);
        def("experimental-compaction-batch-limit", Kind.INT, 0L);
        def("experimental-watch-progress-notify-interval", Kind.DURATION, Duration.ofMinutes(10));
        def("watch-progress-notify-interval", Kind.DURATION, Duration.ZERO);
        def("experimental-warning-apply-duration", Kind.DURATION, ms(100));
        def("experimental-warning-unary-request-duration", Kind.DURATION, ms(300));
        def("experimental-txn-mode-write-with-shared-buffer", Kind.BOOL, true);
        def("experimental-bootstrap-defrag-threshold-megabytes", Kind.UINT, 0L);
        def("experimental-snapshot-catchup-entries", Kind.UINT, 5000L);
        def("experimental-max-learners", Kind.INT, 1L);
        def("experimental-downgrade-check-time", Kind.DURATION, Duration.ofSeconds(5));
        def("experimental-compact-hash-check-enabled", Kind.BOOL, false);
        def("experimental-compact-hash-check-time", Kind.DURATION, Duration.ofMinutes(1));
        def("experimental-memory-mlock", Kind.BOOL, false);
        def("experimental-stop-grpc-service-on-defrag", Kind.BOOL, false);
        def("experimental-wait-cluster-ready-timeout", Kind.DURATION, Duration.ofSeconds(5));
        def("experimental-compaction-sleep-interval", Kind.DURATION, ms(10));
        def("experimental-enable-distributed-tracing", Kind.BOOL, false);
        def("experimental-distributed-tracing-address", Kind.STRING, "localhost:4317");
        def("experimental-distributed-tracing-service-name", Kind.STRING, "etcd");
        def("experimental-distributed-tracing-instance-id", Kind.STRING, "");
        def("experimental-distributed-tracing-sampling-rate", Kind.INT, 0L);

        // unsafe
        def("unsafe-no-fsync", Kind.BOOL, false);
        def("force-new-cluster", Kind.BOOL, false);

        for (String ignored : List.of("cluster-active-size", "cluster-remove-delay", "cluster-sync-interval",
                "config", "force", "max-result-buffer", "max-retry-attempts", "peer-heartbeat-interval",
                "peer-election-timeout", "retry-interval", "snapshot", "v", "vv",
                "test.coverprofile", "test.outputdir")) {
            add(new Def(ignored, Kind.IGNORED, null, false, List.of(), null));
        }
    }

    static Def lookup(String name) {
        return TABLE.get(name);
    }

    static Map<String, Def> all() {
        return Collections.unmodifiableMap(TABLE);
    }

    /** Flag names in Go's VisitAll order (lexicographic), the order env vars are applied in. */
    static List<String> sortedNames() {
        return new ArrayList<>(new TreeSet<>(TABLE.keySet()));
    }

    /** etcd's flags.FlagToEnv: ETCD_ + upper snake case. */
    static String envName(String flag) {
        return "ETCD_" + flag.replace('-', '_').toUpperCase(java.util.Locale.ROOT);
    }

    /**
     * Turns flag text into the flag's value, the way the registered Go flag.Value would.
     *
     * @param previous the current value (UniqueURLs keeps it when given an allowed exception)
     * @throws IllegalArgumentException with the Go Set error text
     */
    static Object parseValue(Def d, String text, Object previous) {
        switch (d.kind()) {
            case STRING:
                return text;
            case BOOL:
                return GoText.parseBool(text);
            case UINT:
                return goNumber(text, false, 0, Long.MAX_VALUE);
            case INT:
                return goNumber(text, true, Long.MIN_VALUE, Long.MAX_VALUE);
            case UINT32:
                try {
                    return GoText.parseInt(text, false, 0, 4_294_967_295L);
                } catch (GoText.NumberParseException e) {
                    throw new IllegalArgumentException(
                            "strconv.ParseUint: parsing " + GoText.quote(text) + ": " + e.reason.text);
                }
            case DURATION:
                try {
                    return GoText.parseDuration(text);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("parse error");
                }
            case URLS: {
                @SuppressWarnings("unchecked")
                List<String> prev = (List<String>) previous;
                if (prev != null && prev.contains(text)) {
                    return prev;
                }
                if (text.equals(d.exception())) {
                    if (text.isEmpty()) {
                        return prev; // etcd records "" but keeps the URLs it had
                    }
                    List<String> withException = new ArrayList<>(prev == null ? List.of() : prev);
                    withException.add(text);
                    withException.sort(null);
                    return List.copyOf(withException);
                }
                try {
                    return GoUrls.newUrls(text);
                } catch (ConfigException e) {
                    throw new IllegalArgumentException(e.getMessage());
                }
            }
            case UNIQUE_STRINGS:
                return List.copyOf(new TreeSet<>(List.of(text.split(",", -1))));
            case STRINGS:
                return List.of(text.split(",", -1));
            case SELECTIVE:
                if (!d.choices().contains(text)) {
                    throw new IllegalArgumentException("invalid value");
                }
                return text;
            case IGNORED:
            default:
                return null;
        }
    }

    private static long goNumber(String text, boolean signed, long min, long max) {
        try {
            return GoText.parseInt(text, signed, min, max);
        } catch (GoText.NumberParseException e) {
            throw new IllegalArgumentException(e.reason == GoText.NumError.RANGE ? "value out of range" : "parse error");
        }
    }
}
