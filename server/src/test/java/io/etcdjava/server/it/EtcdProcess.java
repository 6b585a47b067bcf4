package io.etcdjava.server.it;

import io.etcdjava.server.testing.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One single-member cluster as a real OS process: ours through {@code bin/etcd} or Debian's etcd
 * 3.4, on free 127.0.0.1 ports, with its data under a directory of the caller and every start's
 * stdout+stderr in a log file there. Restarts reuse the ports and the data dir. {@link #close}
 * always kills the process.
 */
final class EtcdProcess implements AutoCloseable {
    // Generous: JVM members start slowly on a loaded 2-core build machine.
    static final Duration READY_TIMEOUT = Duration.ofSeconds(150);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    enum Kind {
        OURS, REAL;

        /** The executable; ours is the launcher over the packaged jar. */
        String binary() {
            return this == OURS ? System.getProperty("etcdjava.launcher", "../bin/etcd") : "/usr/bin/etcd";
        }

        /** Real etcd 3.4 defaults to capnslog; ask for zap JSON lines like ours. */
        List<String> loggingArgs() {
            return this == OURS ? List.of() : List.of("--logger=zap", "--log-outputs=stderr");
        }
    }

    final Kind kind;
    final Path dir;
    final int clientPort;
    final int peerPort;
    private final List<String> extraArgs;
    /** Added to the scrubbed environment (ETCD_JAVA_OPTS for the test-only fault switches). */
    private final Map<String, String> env;
    private final String name;
    /** etcd's --initial-cluster; null for a lone member named {@link #name}. */
    private final String initialCluster;
    private Process process;
    private Path log;
    private int starts;

    private EtcdProcess(Kind kind, Path dir, List<String> extraArgs) throws IOException {
        this(kind, dir, "it", FreePorts.next(), FreePorts.next(), null, Map.of(), extraArgs);
    }

    private EtcdProcess(Kind kind, Path dir, String name, int clientPort, int peerPort, String initialCluster,
                        Map<String, String> env, List<String> extraArgs) {
        this.kind = kind;
        this.dir = dir;
        this.name = name;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.initialCluster = initialCluster;
        this.extraArgs = List.copyOf(extraArgs);
        this.env = Map.copyOf(env);
    }

    /**
     * Launches one member of a cluster without waiting (start all, then {@link #awaitReady} each):
     * {@code initialCluster} is etcd's --initial-cluster naming every member's peer URL.
     */
    static EtcdProcess launchMember(Kind kind, Path dir, String name, int clientPort, int peerPort,
                                    String initialCluster, String... extraArgs) throws IOException {
        return launchMember(kind, dir, name, clientPort, peerPort, initialCluster, Map.of(), extraArgs);
    }

    /** As above, with {@code env} added to the member's (scrubbed) environment. */
    static EtcdProcess launchMember(Kind kind, Path dir, String name, int clientPort, int peerPort,
                                    String initialCluster, Map<String, String> env, String... extraArgs)
            throws IOException {
        Files.createDirectories(dir);
        EtcdProcess p = new EtcdProcess(kind, dir, name, clientPort, peerPort, initialCluster, env,
                List.of(extraArgs));
        p.spawn();
        return p;
    }

    /** Launches without waiting; call {@link #awaitReady} (lets two members boot side by side). */
    static EtcdProcess launch(Kind kind, Path dir, String... extraArgs) throws IOException {
        Files.createDirectories(dir);
        EtcdProcess p = new EtcdProcess(kind, dir, List.of(extraArgs));
        p.spawn();
        return p;
    }

    static EtcdProcess start(Kind kind, Path dir, String... extraArgs) throws IOException, InterruptedException {
        EtcdProcess p = launch(kind, dir, extraArgs);
        try {
            p.awaitReady();
            return p;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            p.close();
            throw e;
        }
    }

    static boolean realEtcdInstalled() {
        return Files.isExecutable(Path.of(Kind.REAL.binary()));
    }

    String endpoint() {
        return "127.0.0.1:" + clientPort;
    }

    String url() {
        return "http://" + endpoint();
    }

    Path dataDir() {
        return dir.resolve("data");
    }

    Path log() {
        return log;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    private void spawn() throws IOException {
        String clientUrl = url();
        String peerUrl = "http://127.0.0.1:" + peerPort;
        List<String> cmd = new ArrayList<>(List.of(kind.binary(),
                "--name", name, "--data-dir", dataDir().toString(),
                "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", initialCluster != null ? initialCluster : name + "=" + peerUrl));
        cmd.addAll(kind.loggingArgs());
        cmd.addAll(extraArgs);
        starts++;
        log = dir.resolve(kind.name().toLowerCase() + "-" + starts + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        scrubEnvironment(pb.environment());
        pb.environment().putAll(env);
        process = pb.start();
    }

    /** Polls {@code /health} until it answers healthy, the process dies, or the bound passes. */
    void awaitReady() throws IOException, InterruptedException {
        awaitReady(READY_TIMEOUT);
    }

    /** As {@link #awaitReady()}, for callers booting several JVMs at once on a loaded machine. */
    void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest health = HttpRequest.newBuilder(URI.create(url() + "/health"))
                .timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(kind + " exited with " + process.exitValue()
                        + " before serving; log " + log + ":\n" + logTail());
            }
            try {
                HttpResponse<String> r = HTTP.send(health, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"health\":\"true\"")) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // keep polling
            }
            // An external process has no event to wait on; poll, but wake at once if it dies.
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException(kind + " not healthy within " + timeout + "; log " + log
                + ":\n" + logTail());
    }

    /** Starts again on the same ports and data dir (the previous process must be gone). */
    void restart() throws IOException, InterruptedException {
        relaunch();
        awaitReady();
    }

    /** As {@link #restart}, without waiting for it to serve (it may be meant to exit). */
    void relaunch() throws IOException {
        if (isAlive()) {
            throw new IllegalStateException(kind + " is still running");
        }
        spawn();
    }

    String name() {
        return name;
    }

    String peerUrl() {
        return "http://127.0.0.1:" + peerPort;
    }

    /** SIGKILL, as {@code kill -9}: no shutdown hook, no flush. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(kind + " survived SIGKILL");
        }
    }

    /** SIGTERM, then waits (bounded) for the process to finish; returns its exit status. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(kind + " did not stop within " + timeout + " of SIGTERM:\n" + logTail());
        }
        return process.exitValue();
    }

    /** Waits (bounded) for the process to end on its own; returns its exit status, or -1 if still running. */
    int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    String logText() {
        try {
            return log == null ? "" : Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    String logTail() {
        String text = logText();
        return text.length() <= 8000 ? text : "..." + text.substring(text.length() - 8000);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Whatever ETCD_* / ETCDCTL_* the build runs under must not reach the processes we compare. */
    static void scrubEnvironment(Map<String, String> env) {
        env.keySet().removeIf(k -> k.startsWith("ETCD_") || k.startsWith("ETCDCTL_"));
        env.remove("ETCD_JAVA_OPTS");
    }

    /**
     * A fresh directory for one test class under target/it, kept after the run so the members'
     * logs can be read when something failed.
     */
    static Path workDir(String name) throws IOException {
        Path dir = Path.of(System.getProperty("etcdjava.it.dir", "target/it")).resolve(name).toAbsolutePath();
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }

    /** Runs a binary that is expected to exit by itself (bad flags, bad data dir), bounded in time. */
    static Outcome runToExit(Kind kind, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(kind.binary());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        scrubEnvironment(pb.environment());
        pb.environment().putAll(env);
        return Outcome.of(pb, null, Duration.ofSeconds(60));
    }

    /** Exit code and both streams of a finished process. */
    record Outcome(int exitCode, String stdout, String stderr) {
        static Outcome of(ProcessBuilder pb, String stdin, Duration timeout) throws IOException, InterruptedException {
            Path out = Files.createTempFile("it-", ".out");
            Path err = Files.createTempFile("it-", ".err");
            try {
                pb.redirectOutput(out.toFile()).redirectError(err.toFile());
                if (stdin == null) {
                    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                }
                Process p = pb.start();
                try {
                    if (stdin != null) {
                        try (var in = p.getOutputStream()) {
                            in.write(stdin.getBytes(StandardCharsets.UTF_8));
                        } catch (IOException exitedBeforeReadingAll) {
                            // its exit code and output say why
                        }
                    }
                    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                        throw new IllegalStateException(pb.command() + " did not finish within " + timeout);
                    }
                } finally {
                    p.destroyForcibly();
                }
                return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }
}
