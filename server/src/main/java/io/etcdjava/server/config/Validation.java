package io.etcdjava.server.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** etcd's embed.Config.Validate and setupLogging, step for step, over a settings map. */
final class Validation {
    private Validation() {
    }

    static final String ERR_CONFLICT_BOOTSTRAP = "multiple discovery or bootstrap flags are set. "
            + "Choose one of \"initial-cluster\", \"discovery\" or \"discovery-srv\"";
    static final String ERR_UNSET_ADVERTISE_CLIENT_URLS =
            "--advertise-client-urls is required when --listen-client-urls is set explicitly";

    private static final Set<String> LEVELS = Set.of("debug", "info", "warn", "error", "dpanic", "panic", "fatal");

    /**
     * etcd's setupLogging checks; returns the effective log outputs.
     * Deprecated-flag warnings become notices.
     */
    @SuppressWarnings("unchecked")
    static List<String> logging(Map<String, Object> v, List<Notice> notices) {
        List<String> deprecated = (List<String>) v.get("log-output");
        List<String> outputs = (List<String>) v.get("log-outputs");
        if (deprecated.size() != outputs.size()) {
            if (deprecated.size() > outputs.size()) {
                notices.add(Notice.warn("'--log-output' flag has been deprecated! Please use '--log-outputs'!"));
                outputs = deprecated;
            }
        } else {
            if (deprecated.size() > 1) {
                throw new ConfigException("both '--log-output' and '--log-outputs' are set; only set '--log-outputs'");
            }
            if (deprecated.isEmpty()) {
                throw new ConfigException("either '--log-output' or '--log-outputs' flag must be set");
            }
            if (deprecated.equals(outputs) && !deprecated.get(0).equals("default")) {
                throw new ConfigException("'--log-output=" + GoText.quote(deprecated) + "' and '--log-outputs="
                        + GoText.quote(outputs) + "' are incompatible; only set --log-outputs");
            }
            if (!deprecated.equals(List.of("default"))) {
                notices.add(Notice.warn("[WARNING] Deprecated '--log-output' flag is set to "
                        + GoText.quote(deprecated) + "; please use '--log-outputs' flag"));
            }
        }
        boolean debug = (Boolean) v.get("debug");
        String level = (String) v.get("log-level");
        if (debug) {
            notices.add(Notice.warn("[WARNING] Deprecated '--debug' flag is set to true (use '--log-level=debug' instead"));
            if (!level.equals("debug")) {
                notices.add(Notice.warn("[WARNING] Deprecated '--debug' flag is set to true with inconsistent '--log-level="
                        + level + "' flag"));
            }
        }
        String logger = (String) v.get("logger");
        if (logger.equals("capnslog")) {
            notices.add(Notice.warn("[WARNING] Deprecated '--logger=capnslog' flag is set; use '--logger=zap' flag instead"));
        }
        String pkgLevels = (String) v.get("log-package-levels");
        if (!pkgLevels.isEmpty()) {
            notices.add(Notice.warn("[WARNING] Deprecated '--log-package-levels=" + pkgLevels
                    + "' flag is set; use '--logger=zap' flag instead"));
        }
        switch (logger) {
            case "capnslog" -> {
                if (outputs.size() != 1) {
                    throw new ConfigException("--logger=capnslog supports only 1 value in '--log-outputs', got "
                            + GoText.quote(outputs));
                }
                String out = outputs.get(0);
                if (!out.equals("stderr") && !out.equals("stdout") && !out.equals("default")) {
                    throw new ConfigException("unknown log-output " + GoText.quote(out) + " (only supports \"default\", \"stderr\", \"stdout\")");
                }
            }
            case "zap" -> {
                if (outputs.isEmpty()) {
                    outputs = List.of("default");
                }
                if (outputs.size() > 1 && outputs.contains("default")) {
                    throw new ConfigException("multi logoutput for \"default\" is not supported yet");
                }
                if (outputs.size() > 1 && outputs.contains("systemd/journal")) {
                    throw new ConfigException("running with systemd/journal but other '--log-outputs' values ("
                            + GoText.quote(outputs) + ") are configured with 'default'; override 'default' value with something else");
                }
            }
            default -> throw new ConfigException("unknown logger option " + GoText.quote(logger));
        }
        if (!LEVELS.contains(level)) {
            throw new ConfigException(ConfigException.Kind.PANIC, "unknown level " + GoText.quote(level));
        }
        return List.copyOf(outputs);
    }

    @SuppressWarnings("unchecked")
    static void validate(Map<String, Object> v, List<Notice> notices) {
        GoUrls.checkBind((List<String>) v.get("listen-peer-urls"));
        GoUrls.checkBind((List<String>) v.get("listen-client-urls"));
        GoUrls.checkBind((List<String>) v.get("listen-metrics-urls"));
        GoUrls.checkBind((List<String>) v.get("listen-client-http-urls"));
        List<String> ap = (List<String>) v.get("initial-advertise-peer-urls");
        String err = GoUrls.checkHost(ap);
        if (err != null) {
            throw new ConfigException("--initial-advertise-peer-urls " + GoText.quote(String.join(",", ap))
                    + " must be \"host:port\" (" + err + ")");
        }
        List<String> ac = (List<String>) v.get("advertise-client-urls");
        err = GoUrls.checkHost(ac);
        if (err != null) {
            throw new ConfigException("--advertise-client-urls " + GoText.quote(String.join(",", ac))
                    + " must be \"host:port\" (" + err + ")");
        }
        int nSet = 0;
        for (String k : List.of("discovery", "initial-cluster", "discovery-srv")) {
            if (!((String) v.get(k)).isEmpty()) {
                nSet++;
            }
        }
        String state = (String) v.get("initial-cluster-state");
        if (!state.equals("new") && !state.equals("existing")) {
            throw new ConfigException("unexpected clusterState " + GoText.quote(state));
        }
        if (nSet > 1) {
            throw new ConfigException(ERR_CONFLICT_BOOTSTRAP);
        }
        long tick = (Long) v.get("heartbeat-interval");
        long election = (Long) v.get("election-timeout");
        if (tick <= 0) {
            throw new ConfigException("--heartbeat-interval must be >0 (set to " + tick + "ms)");
        }
        if (election <= 0) {
            throw new ConfigException("--election-timeout must be >0 (set to " + election + "ms)");
        }
        if (5 * tick > election) {
            throw new ConfigException("--election-timeout[" + election + "ms] should be at least as 5 times as "
                    + "--heartbeat-interval[" + tick + "ms]");
        }
        if (election > ServerConfig.MAX_ELECTION_MS) {
            throw new ConfigException("--election-timeout[" + election + "ms] is too long, and should be set less than "
                    + ServerConfig.MAX_ELECTION_MS + "ms");
        }
        List<String> lc = (List<String>) v.get("listen-client-urls");
        if (!lc.isEmpty() && ac.isEmpty()) {
            if (ServerConfig.mayBeProxy(v)) {
                return; // etcdmain lets a (possible) proxy go without advertise URLs, skipping the rest
            }
            throw new ConfigException(ERR_UNSET_ADVERTISE_CLIENT_URLS);
        }
        String mode = (String) v.get("auto-compaction-mode");
        if (!mode.isEmpty() && !mode.equals("periodic") && !mode.equals("revision")) {
            throw new ConfigException("unknown auto-compaction-mode " + GoText.quote(mode));
        }
        boolean checkpoint = (Boolean) v.get("experimental-enable-lease-checkpoint");
        boolean persist = (Boolean) v.get("experimental-enable-lease-checkpoint-persist");
        if (checkpoint && !persist) {
            notices.add(Notice.warn("Detected that checkpointing is enabled without persistence. "
                    + "Consider enabling experimental-enable-lease-checkpoint-persist"));
        }
        if (persist && !checkpoint) {
            throw new ConfigException("setting experimental-enable-lease-checkpoint-persist requires "
                    + "experimental-enable-lease-checkpoint");
        }
        long revokeRate = (Long) v.get("experimental-lease-revoke-rate");
        // Worded like etcd's own checks of --heartbeat-interval and --election-timeout.
        if (revokeRate <= 0) {
            throw new ConfigException("--experimental-lease-revoke-rate must be >0 (set to " + revokeRate + ")");
        }
        if (revokeRate > Integer.MAX_VALUE) {
            throw new ConfigException("--experimental-lease-revoke-rate must be <=" + Integer.MAX_VALUE
                    + " (set to " + revokeRate + ")");
        }
    }

    /**
     * etcd's reading of --auto-compaction-retention (done in StartEtcd): a plain non-negative
     * integer is hours (periodic) or revisions; anything else must be a Go duration.
     * Returns nanoseconds (periodic) or a revision count.
     */
    static long compactionRetention(Map<String, Object> v) {
        String text = (String) v.get("auto-compaction-retention");
        if (text.isEmpty()) {
            text = "0";
        }
        String mode = (String) v.get("auto-compaction-mode");
        Long h = null;
        if (text.matches("[+-]?[0-9]+")) {
            try {
                h = Long.parseLong(text.startsWith("+") ? text.substring(1) : text);
            } catch (NumberFormatException e) {
                h = null;
            }
        }
        if (h != null && h >= 0) {
            return switch (mode) {
                case "periodic" -> Duration.ofHours(h).toNanos();
                case "revision" -> h;
                default -> 0L;
            };
        }
        try {
            return GoText.parseDuration(text).toNanos();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(ConfigException.Kind.START_FAILED,
                    "error parsing AutoCompactionRetention: " + e.getMessage());
        }
    }
}
