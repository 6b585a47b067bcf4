package io.etcdjava.server.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@link ServerConfig.Builder}: collects settings and checks them on {@link #build()} the
 * way etcd's embed.Config.Validate does, in the same order, so the first complaint is the one etcd
 * would make. Self-typed so the inherited setters keep returning {@code ServerConfig.Builder}.
 */
abstract class ConfigBuilder<B extends ConfigBuilder<B>> {
    final Map<String, Object> values = new HashMap<>();
    private final List<Notice> notices = new ArrayList<>();

    ConfigBuilder() {
        for (Flags.Def d : Flags.all().values()) {
            if (d.kind() != Flags.Kind.IGNORED && !d.name().equals("config-file") && !d.name().equals("version")) {
                values.put(d.name(), d.defaultValue());
            }
        }
    }

    /**
     * Sets a flag from its command-line text, with the flag's own parsing rules.
     *
     * @throws IllegalArgumentException with Go's Set error text when the text is invalid
     */
    public B setText(String flag, String text) {
        Flags.Def d = def(flag);
        Object v = Flags.parseValue(d, text, values.get(flag));
        if (d.kind() != Flags.Kind.IGNORED) {
            values.put(flag, v);
        }
        return self();
    }

    /** Sets a flag to a typed value (String, Boolean, Long, Duration or List of String). */
    public B set(String flag, Object value) {
        Flags.Def d = def(flag);
        if (value == null) {
            throw new IllegalArgumentException("flag " + flag + " cannot be null");
        }
        Object current = values.get(flag);
        if (current != null && value != null && !typeOf(current).isInstance(value)) {
            throw new IllegalArgumentException("flag " + flag + " takes a " + typeOf(current).getSimpleName());
        }
        if (d.kind() == Flags.Kind.URLS && value != null) {
            @SuppressWarnings("unchecked")
            List<String> urls = (List<String>) value;
            value = urls.isEmpty() ? List.of() : GoUrls.newUrls(urls);
        }
        values.put(flag, value instanceof List<?> l ? List.copyOf(l) : value);
        return self();
    }

    private static Class<?> typeOf(Object v) {
        return v instanceof List<?> ? List.class : v.getClass();
    }

    private static Flags.Def def(String flag) {
        Flags.Def d = Flags.lookup(flag);
        if (d == null || flag.equals("config-file") || flag.equals("version")) {
            throw new IllegalArgumentException("unknown flag " + flag);
        }
        return d;
    }

    public B name(String v) {
        return set("name", v);
    }

    public B dataDir(String v) {
        return set("data-dir", v);
    }

    public B walDir(String v) {
        return set("wal-dir", v);
    }

    public B listenClientUrls(String... urls) {
        return set("listen-client-urls", List.of(urls));
    }

    public B advertiseClientUrls(String... urls) {
        return set("advertise-client-urls", List.of(urls));
    }

    public B listenPeerUrls(String... urls) {
        return set("listen-peer-urls", List.of(urls));
    }

    public B initialAdvertisePeerUrls(String... urls) {
        return set("initial-advertise-peer-urls", List.of(urls));
    }

    public B initialCluster(String v) {
        return set("initial-cluster", v);
    }

    public B initialClusterState(String v) {
        return set("initial-cluster-state", v);
    }

    public B initialClusterToken(String v) {
        return set("initial-cluster-token", v);
    }

    public B heartbeatIntervalMs(long v) {
        return set("heartbeat-interval", v);
    }

    public B electionTimeoutMs(long v) {
        return set("election-timeout", v);
    }

    public B snapshotCount(long v) {
        return set("snapshot-count", v);
    }

    public B quotaBackendBytes(long v) {
        return set("quota-backend-bytes", v);
    }

    public B logLevel(String v) {
        return set("log-level", v);
    }

    public B logOutputs(String... v) {
        return set("log-outputs", List.of(v));
    }

    public B autoCompaction(String mode, String retention) {
        set("auto-compaction-mode", mode);
        return set("auto-compaction-retention", retention);
    }

    public B forceNewCluster(boolean v) {
        return set("force-new-cluster", v);
    }

    /** Warnings {@link #build()} produced (deprecated flags and the like), to be logged. */
    public List<Notice> notices() {
        return List.copyOf(notices);
    }

    /**
     * Validates and freezes. Derives what etcd derives after parsing: the data dir from the
     * name, and the initial cluster from the name when only the name was changed.
     *
     * @throws ConfigException with etcd's message
     */
    public ServerConfig build() {
        notices.clear();
        Map<String, Object> v = new LinkedHashMap<>(values);
        List<String> logOutputs = Validation.logging(v, notices);
        Validation.validate(v, notices);
        long retention = Validation.compactionRetention(v);

        String name = (String) v.get("name");
        String dataDir = (String) v.get("data-dir");
        if (dataDir.isEmpty()) {
            dataDir = name + ".etcd";
        }
        String initialCluster = (String) v.get("initial-cluster");
        if (!name.equals("default") && initialCluster.equals(Flags.DEFAULT_INITIAL_CLUSTER)) {
            @SuppressWarnings("unchecked")
            List<String> ap = (List<String>) v.get("initial-advertise-peer-urls");
            initialCluster = Bootstrap.initialClusterFromName(name, ap);
        }
        return new ServerConfig(Map.copyOf(v), dataDir, initialCluster, logOutputs, retention);
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }
}
