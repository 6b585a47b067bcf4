package io.etcdjava.server.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The frozen flag values behind {@link ServerConfig}: typed reads by flag name, lookup of any flag,
 * and identity by content. Kept apart so ServerConfig itself is only its named accessors.
 */
abstract class ConfigValues {
    /** Flag name to value, as validated; data-dir, initial-cluster and log-outputs as given. */
    final Map<String, Object> values;
    /** Derived at build time (see {@link ConfigBuilder#build()}); they win over {@link #values}. */
    final String dataDir;
    final String initialCluster;
    final List<String> logOutputs;

    ConfigValues(Map<String, Object> values, String dataDir, String initialCluster, List<String> logOutputs) {
        this.values = values;
        this.dataDir = dataDir;
        this.initialCluster = initialCluster;
        this.logOutputs = logOutputs;
    }

    /**
     * Any setting by its flag name, for flags without a typed accessor: a String, Boolean, Long,
     * Duration or List of String.
     *
     * @throws IllegalArgumentException for a name that is not an etcd flag
     */
    public Object get(String flag) {
        switch (flag) {
            case "data-dir":
                return dataDir;
            case "initial-cluster":
                return initialCluster;
            case "log-outputs":
                return logOutputs;
            default:
                if (!values.containsKey(flag)) {
                    throw new IllegalArgumentException("unknown flag " + flag);
                }
                return values.get(flag);
        }
    }

    final String str(String k) {
        return (String) values.get(k);
    }

    final boolean bool(String k) {
        return (Boolean) values.get(k);
    }

    final long num(String k) {
        return (Long) values.get(k);
    }

    final Duration dur(String k) {
        return (Duration) values.get(k);
    }

    @SuppressWarnings("unchecked")
    final List<String> list(String k) {
        return (List<String>) values.get(k);
    }

    @Override
    public String toString() {
        Map<String, Object> shown = new TreeMap<>(values);
        shown.put("data-dir", dataDir);
        shown.put("initial-cluster", initialCluster);
        shown.put("log-outputs", logOutputs);
        return "ServerConfig" + shown;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerConfig c && c.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
