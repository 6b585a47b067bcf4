package io.etcdjava.server.config;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * etcd's {@code --config-file}: YAML whose keys are the flag names (matched case-insensitively,
 * as Go's encoding/json does), URL lists as comma-separated strings, durations as integer
 * nanoseconds (we also take Go duration strings such as "10m"), and TLS under
 * {@code client-transport-security} / {@code peer-transport-security}.
 */
final class YamlConfig {
    private YamlConfig() {
    }

    private static final Map<String, String> URL_KEY_IN_ERRORS = Map.of(
            "listen-peer-urls", "listen-peer-urls",
            "listen-client-urls", "listen-client-urls",
            "initial-advertise-peer-urls", "initial-advertise-peer-urls",
            "advertise-client-urls", "advertise-peer-urls", // etcd's own wording
            "listen-metrics-urls", "listen-metrics-urls",
            "listen-client-http-urls", "listen-client-http-urls");

    private static final List<String> URL_ORDER = List.of("listen-peer-urls", "listen-client-urls",
            "initial-advertise-peer-urls", "advertise-client-urls", "listen-metrics-urls", "cors",
            "listen-client-http-urls");

    private static final Map<String, String> CLIENT_TLS = Map.of(
            "cert-file", "cert-file", "key-file", "key-file", "client-cert-auth", "client-cert-auth",
            "trusted-ca-file", "trusted-ca-file", "auto-tls", "auto-tls");
    private static final Map<String, String> PEER_TLS = Map.of(
            "cert-file", "peer-cert-file", "key-file", "peer-key-file", "client-cert-auth", "peer-client-cert-auth",
            "trusted-ca-file", "peer-trusted-ca-file", "auto-tls", "peer-auto-tls");

    static ServerConfig.Builder load(Path path) {
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new ConfigException("open " + path + ": no such file or directory");
        } catch (AccessDeniedException e) {
            throw new ConfigException("open " + path + ": permission denied");
        } catch (IOException e) {
            throw new ConfigException((Files.isDirectory(path) ? "read " + path + ": is a directory"
                    : "open " + path + ": " + e.getMessage()));
        }
        return parse(text);
    }

    static ServerConfig.Builder parse(String text) {
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String line = m == null ? "" : "line " + (m.getLine() + 1) + ": ";
            throw new ConfigException("error converting YAML to JSON: yaml: " + line + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException("error converting YAML to JSON: yaml: " + e.getMessage());
        }
        ServerConfig.Builder b = ServerConfig.builder();
        if (doc == null) {
            return b;
        }
        if (!(doc instanceof Map<?, ?> top)) {
            throw new ConfigException(jsonPrefix() + "cannot unmarshal " + jsonType(doc)
                    + " into Go value of type embed.configYAML");
        }
        // Go's encoding/json matches keys case-insensitively; sigs.k8s.io/yaml hands it the keys
        // sorted, so the first type error reported is the alphabetically first
        Map<String, Object> byKey = new TreeMap<>();
        for (Map.Entry<?, ?> e : top.entrySet()) {
            byKey.put(String.valueOf(e.getKey()).toLowerCase(Locale.ROOT), e.getValue());
        }
        String defaultInitialCluster = (String) b.values.get("initial-cluster");
        Map<String, String> pendingUrls = new HashMap<>();
        for (Map.Entry<String, Object> e : byKey.entrySet()) {
            String key = e.getKey();
            Object val = e.getValue();
            if (key.equals("client-transport-security") || key.equals("peer-transport-security")) {
                security(b, key, val, key.startsWith("client") ? CLIENT_TLS : PEER_TLS);
                continue;
            }
            Flags.Def d = Flags.lookup(key);
            if (d == null || !d.yaml() || val == null) {
                continue; // etcd ignores keys it does not know
            }
            if (d.kind() == Flags.Kind.URLS) {
                pendingUrls.put(d.name(), string(key, val));
            } else {
                apply(b, d, key, val);
            }
        }
        for (String name : URL_ORDER) {
            String s = pendingUrls.get(name);
            if (s != null) {
                urls(b, name, s);
            }
        }
        String state = (String) b.values.get("initial-cluster-state");
        if (state.isEmpty()) {
            b.values.put("initial-cluster-state", "new");
        }
        boolean discovery = !((String) b.values.get("discovery")).isEmpty()
                || !((String) b.values.get("discovery-srv")).isEmpty();
        if (discovery && b.values.get("initial-cluster").equals(defaultInitialCluster)) {
            b.values.put("initial-cluster", "");
        }
        return b;
    }

    private static void apply(ServerConfig.Builder b, Flags.Def d, String key, Object val) {
        String name = d.name();
        switch (d.kind()) {
            case STRING -> b.values.put(name, string(key, val));
            case BOOL -> {
                if (!(val instanceof Boolean)) {
                    throw typeError(key, val, "bool");
                }
                b.values.put(name, val);
            }
            case UINT, UINT32, INT -> b.values.put(name, number(key, val, d));
            case DURATION -> b.values.put(name, duration(key, val));
            case UNIQUE_STRINGS -> {
                if (name.equals("host-whitelist")) {
                    String s = string(key, val);
                    if (!s.isEmpty()) {
                        b.values.put(name, List.copyOf(new TreeSet<>(List.of(s.split(",", -1)))));
                    }
                } else {
                    b.values.put(name, stringList(key, val));
                }
            }
            case STRINGS -> b.values.put(name, stringList(key, val));
            case SELECTIVE -> {
                String s = string(key, val);
                if (name.equals("initial-cluster-state")) {
                    b.values.put(name, s); // checked later: "unexpected clusterState"
                } else if (!s.isEmpty()) {
                    if (!d.choices().contains(s)) {
                        String what = name.equals("proxy") ? "proxyFlag" : name + " flag";
                        throw new ConfigException(ConfigException.Kind.BARE,
                                "unexpected error setting up " + what + ": invalid value");
                    }
                    b.values.put(name, s);
                }
            }
            default -> {
            }
        }
    }

    /** URL strings are checked after the whole file is read, in etcd's order. */
    private static void urls(ServerConfig.Builder b, String name, String s) {
        if (s.isEmpty()) {
            return;
        }
        if (name.equals("cors") && s.equals("*")) {
            b.values.put(name, List.of("*"));
            return;
        }
        try {
            b.values.put(name, GoUrls.newUrls(s));
        } catch (ConfigException e) {
            String what = URL_KEY_IN_ERRORS.getOrDefault(name, name);
            throw new ConfigException(ConfigException.Kind.BARE,
                    "unexpected error setting up " + what + ": " + e.getMessage());
        }
    }

    private static void security(ServerConfig.Builder b, String key, Object val, Map<String, String> names) {
        if (val == null) {
            return;
        }
        if (!(val instanceof Map<?, ?> m)) {
            throw typeError(key, val, "embed.securityConfig");
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String sub = String.valueOf(e.getKey()).toLowerCase(Locale.ROOT);
            String flag = names.get(sub);
            if (flag == null || e.getValue() == null) {
                continue;
            }
            String path = key + "." + sub;
            if (sub.equals("client-cert-auth") || sub.equals("auto-tls")) {
                if (!(e.getValue() instanceof Boolean)) {
                    throw typeError(path, e.getValue(), "bool");
                }
                b.values.put(flag, e.getValue());
            } else {
                b.values.put(flag, string(path, e.getValue()));
            }
        }
    }

    private static String string(String key, Object val) {
        if (val instanceof String s) {
            return s;
        }
        if (val instanceof Number || val instanceof Boolean) {
            return String.valueOf(val); // sigs.k8s.io/yaml stringifies scalars for string fields
        }
        throw typeError(key, val, "string");
    }

    private static List<String> stringList(String key, Object val) {
        if (!(val instanceof List<?> list)) {
            throw typeError(key, val, "[]string");
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            out.add(o == null ? "" : string(key, o));
        }
        return List.copyOf(out);
    }

    private static long number(String key, Object val, Flags.Def d) {
        String goType = goType(d);
        if (!(val instanceof Integer || val instanceof Long || val instanceof BigInteger)) {
            throw typeError(key, val, goType);
        }
        BigInteger n = new BigInteger(val.toString());
        boolean unsigned = d.kind() != Flags.Kind.INT;
        BigInteger max = d.kind() == Flags.Kind.UINT32 ? BigInteger.valueOf(4_294_967_295L) : BigInteger.valueOf(Long.MAX_VALUE);
        BigInteger min = unsigned ? BigInteger.ZERO : BigInteger.valueOf(Long.MIN_VALUE);
        if (n.compareTo(max) > 0 || n.compareTo(min) < 0) {
            throw typeError(key, val, goType);
        }
        return n.longValue();
    }

    private static Duration duration(String key, Object val) {
        if (val instanceof Integer || val instanceof Long) {
            return Duration.ofNanos(((Number) val).longValue());
        }
        if (val instanceof String s) {
            try {
                return GoText.parseDuration(s);
            } catch (IllegalArgumentException e) {
                throw typeError(key, val, "time.Duration");
            }
        }
        throw typeError(key, val, "time.Duration");
    }

    private static String goType(Flags.Def d) {
        return switch (d.name()) {
            case "snapshot-count", "experimental-snapshot-catchup-entries" -> "uint64";
            case "quota-backend-bytes" -> "int64";
            default -> switch (d.kind()) {
                case UINT32 -> "uint32";
                case INT -> "int";
                default -> "uint";
            };
        };
    }

    private static String jsonPrefix() {
        return "error unmarshaling JSON: while decoding JSON: json: ";
    }

    private static String jsonType(Object v) {
        if (v instanceof Map<?, ?>) {
            return "object";
        }
        if (v instanceof List<?>) {
            return "array";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Number) {
            return "number " + v;
        }
        return "string";
    }

    private static ConfigException typeError(String key, Object val, String goType) {
        return new ConfigException(jsonPrefix() + "cannot unmarshal " + jsonType(val)
                + " into Go struct field configYAML." + key + " of type " + goType);
    }
}
