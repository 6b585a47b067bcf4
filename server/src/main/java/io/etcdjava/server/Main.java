package io.etcdjava.server;

import io.etcdjava.server.config.ConfigException;
import io.etcdjava.server.config.ConfigParser;
import io.etcdjava.server.config.Notice;
import io.etcdjava.server.config.ParseResult;
import io.etcdjava.server.config.ServerConfig;
import io.etcdjava.server.log.EtcdLogging;
import io.etcdjava.server.log.GoDurations;
import io.etcdjava.server.log.Log;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.etcdjava.server.embed.MemberRunner;
import java.util.ServiceLoader;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/etcd}: parse the configuration like etcd, set up logging, check the data directory,
 * log etcd's start-up lines, then hand over to the {@link MemberLauncher}. Exit codes follow etcd:
 * 0 for --help/--version, 2 for flag syntax errors, 1 for anything refused later.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    private static final Logger CONFIG_LOG = LoggerFactory.getLogger(ConfigParser.class);

    /** Used until the member is implemented (no launcher registered). */
    static final MemberLauncher NOT_IMPLEMENTED = cfg -> {
        Log.error(LOG, "member not implemented yet", "name", cfg.name(), "data-dir", cfg.dataDir());
        return 1;
    };

    private Main() {
    }

    public static void main(String[] args) {
        // Per-call costs of the client port that buy us nothing (before any Armeria/Netty class
        // loads; -D on the command line still wins): Armeria re-validates every header value
        // against response splitting, which HTTP/1 parsing (no CR/LF in a value) and HTTP/2 framing
        // (length-prefixed values) already rule out for what we echo, and Netty samples buffers for
        // leak reports meant for its developers. Together ~4 % of the event loops' time per put.
        defaultProperty("com.linecorp.armeria.validateHeaders", "false");
        defaultProperty("io.netty.leakDetection.level", "disabled");
        MemberLauncher launcher = ServiceLoader.load(MemberLauncher.class).findFirst().orElse(new MemberRunner());
        int code = run(args, System.getenv(), System.out, System.err, EtcdLogging::configure, launcher);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /**
     * Everything {@link #main} does except exiting; returns the exit code.
     *
     * @param logging applies (log level, log outputs) to the logging backend
     */
    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err,
                   BiConsumer<String, List<String>> logging, MemberLauncher launcher) {
        if (args.length > 0 && (args[0].equals("gateway") || args[0].equals("grpc-proxy"))) {
            err.print("etcd-java does not implement 'etcd " + args[0] + "'\n");
            return 1;
        }
        ParseResult result = ConfigParser.parse(args, env);
        if (result instanceof ParseResult.Print p) {
            out.print(p.stdout());
            err.print(p.stderr());
            return p.exitCode();
        }
        List<String> argv = new ArrayList<>(args.length + 1);
        argv.add("etcd");
        argv.addAll(List.of(args));

        if (result instanceof ParseResult.Invalid inv) {
            logging.accept("info", List.of("default"));
            Log.info(LOG, "Running: ", "args", argv);
            logNotices(inv.notices());
            return refuse(inv.error(), err);
        }
        ParseResult.Run run = (ParseResult.Run) result;
        ServerConfig cfg = run.config();
        String unusable = unusableLogOutput(cfg.logOutputs());
        if (unusable != null) {
            logging.accept("info", List.of("default"));
            Log.info(LOG, "Running: ", "args", argv);
            logNotices(run.notices());
            return refuse(new ConfigException(unusable), err);
        }
        logging.accept(cfg.logLevel(), cfg.logOutputs());
        Log.info(LOG, "Running: ", "args", argv);
        logNotices(run.notices());
        return start(cfg, launcher);
    }

    private static int start(ServerConfig cfg, MemberLauncher launcher) {
        Path dataDir = Path.of(cfg.dataDir());
        DataDir.Identity id;
        try {
            id = DataDir.identify(dataDir);
        } catch (DataDir.DirException e) {
            Log.fatal(LOG, "failed to list data directory", "dir", cfg.dataDir(), "error", e.getMessage());
            return 1;
        }
        for (String stray : id.strayEntries()) {
            Log.warn(LOG, "found invalid file under data directory", "filename", stray, "data-dir", cfg.dataDir());
        }
        if (id.type() != DataDir.Type.EMPTY) {
            Log.info(LOG, "server has been already initialized", "data-dir", cfg.dataDir(),
                    "dir-type", id.type() == DataDir.Type.MEMBER ? "member" : "proxy");
        }
        if (id.type() == DataDir.Type.PROXY || (id.type() == DataDir.Type.EMPTY && !cfg.proxy().equals("off"))) {
            Log.fatal(LOG, "v2 proxy mode is not supported by etcd-java", "proxy", cfg.proxy(),
                    "data-dir", cfg.dataDir());
            return 1;
        }
        String initialCluster = cfg.initialCluster();
        if (cfg.discovery().isEmpty() && cfg.discoverySrv().isEmpty()) {
            try {
                initialCluster = urlsMapString(cfg.initialClusterMap());
            } catch (ConfigException e) {
                return startFailed(e.getMessage());
            }
        }
        logStarting(cfg, initialCluster);
        try {
            String warning = DataDir.touchDirAll(dataDir);
            if (warning != null) {
                Log.warn(LOG, "check file permission: " + warning);
            }
            DataDir.touchDirAll(cfg.memberDir());
        } catch (DataDir.DirException e) {
            return startFailed("cannot access data directory: " + e.getMessage());
        }
        try {
            return launcher.run(cfg);
        } catch (Exception e) {
            return startFailed(e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    private static void logStarting(ServerConfig cfg, String initialCluster) {
        Runtime rt = Runtime.getRuntime();
        String[] osArch = Version.osArch().split("/", 2);
        long retention = cfg.autoCompactionMode().equals("revision")
                ? cfg.autoCompactionRevisions() : cfg.autoCompactionPeriod().toNanos();
        String retentionText = GoDurations.format(Duration.ofNanos(retention));
        Log.info(LOG, "starting an etcd server",
                "etcd-version", Version.SERVER,
                "git-sha", Version.GIT_SHA,
                "java-version", Version.javaVersion(),
                "go-os", osArch[0],
                "go-arch", osArch.length > 1 ? osArch[1] : "",
                "max-cpu-set", rt.availableProcessors(),
                "max-cpu-available", rt.availableProcessors(),
                "member-initialized", DataDir.hasWal(cfg.walPath()),
                "name", cfg.name(),
                "data-dir", cfg.dataDir(),
                "wal-dir", cfg.walDir(),
                "wal-dir-dedicated", cfg.walDir(),
                "member-dir", cfg.memberDir().toString(),
                "force-new-cluster", cfg.forceNewCluster(),
                "heartbeat-interval", GoDurations.format(Duration.ofMillis(cfg.heartbeatIntervalMs())),
                "election-timeout", GoDurations.format(
                        Duration.ofMillis((long) cfg.electionTicks() * cfg.heartbeatIntervalMs())),
                "initial-election-tick-advance", cfg.initialElectionTickAdvance(),
                "snapshot-count", cfg.snapshotCount(),
                "max-wals", cfg.maxWals(),
                "max-snapshots", cfg.maxSnapshots(),
                "snapshot-catchup-entries", cfg.experimentalSnapshotCatchupEntries(),
                "initial-advertise-peer-urls", cfg.initialAdvertisePeerUrls(),
                "listen-peer-urls", cfg.listenPeerUrls(),
                "advertise-client-urls", cfg.advertiseClientUrls(),
                "listen-client-urls", cfg.listenClientUrls(),
                "listen-metrics-urls", cfg.listenMetricsUrls(),
                "cors", cfg.cors(),
                "host-whitelist", cfg.hostWhitelist(),
                "initial-cluster", initialCluster,
                "initial-cluster-state", cfg.initialClusterState(),
                "initial-cluster-token", cfg.initialClusterToken(),
                "quota-backend-bytes", cfg.effectiveQuotaBackendBytes(),
                "max-request-bytes", cfg.maxRequestBytes(),
                "max-concurrent-streams", cfg.maxConcurrentStreams(),
                "pre-vote", cfg.preVote(),
                "initial-corrupt-check", cfg.experimentalInitialCorruptCheck(),
                "corrupt-check-time-interval", GoDurations.format(cfg.experimentalCorruptCheckTime()),
                "auto-compaction-mode", cfg.autoCompactionMode(),
                "auto-compaction-retention", retentionText,
                "auto-compaction-interval", retentionText,
                "discovery-url", cfg.discovery(),
                "discovery-proxy", cfg.discoveryProxy());
    }

    private static String urlsMapString(Map<String, List<String>> m) {
        List<String> pairs = new ArrayList<>();
        m.forEach((name, urls) -> urls.forEach(u -> pairs.add(name + "=" + u)));
        pairs.sort(null);
        return String.join(",", pairs);
    }

    /** Reports a refused configuration as etcd does and returns the exit code. */
    private static int refuse(ConfigException e, PrintStream err) {
        switch (e.kind()) {
            case PANIC -> {
                err.print("panic: " + e.getMessage() + "\n");
                return 2;
            }
            case BARE -> {
                err.print(e.getMessage() + "\n");
                return 1;
            }
            case FATAL -> {
                Log.fatal(CONFIG_LOG, e.getMessage());
                return 1;
            }
            case START_FAILED -> {
                return startFailed(e.getMessage());
            }
            default -> {
                Log.warn(LOG, "failed to verify flags", "error", e.getMessage());
                if (e.getMessage().equals("--advertise-client-urls is required when --listen-client-urls is set explicitly")) {
                    Log.warn(LOG, "advertise client URLs are not set", "error", e.getMessage());
                }
                return 1;
            }
        }
    }

    /** etcd's lines when the server fails to start: a warning, then a fatal line. */
    private static int startFailed(String message) {
        Log.warn(LOG, "failed to start etcd", "error", message);
        Log.fatal(LOG, "discovery failed", "error", message);
        return 1;
    }

    private static void logNotices(List<Notice> notices) {
        for (Notice n : notices) {
            Log.at(CONFIG_LOG, n.level(), n.message(), n.fields().toArray());
        }
    }

    /** zap opens its outputs up front and refuses to start if one cannot be opened. */
    private static String unusableLogOutput(List<String> outputs) {
        for (String o : outputs) {
            switch (o) {
                case "default", "stderr", "stdout", "systemd/journal" -> {
                }
                default -> {
                    try (OutputStream s = Files.newOutputStream(Path.of(o), StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
                        s.flush();
                    } catch (IOException | RuntimeException e) {
                        String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                                : e instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                                : e.getMessage();
                        return "open " + o + ": " + why;
                    }
                }
            }
        }
        return null;
    }
}
