package io.etcdjava.testing.cluster;

import java.io.File;
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
import java.util.concurrent.TimeUnit;

/**
 * One member of a test cluster as an OS process started through {@code bin/etcd}, on fixed
 * loopback ports and its own data dir, with the test-only fault switch file
 * ({@code -Detcdjava.test.faults}) always set. Each start logs to its own file. Not thread-safe:
 * the nemesis owns it.
 */
public final class Member {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    final String name;
    final int clientPort;
    final int peerPort;
    final Path dir;
    /** Changes when the member is removed and added back as a new member (a new ID). */
    long id;
    private final Cluster cluster;
    private Process process;
    private int starts;
    private Path log;
    private boolean paused;
    private String armed;
    /** "new" for a founding member; "existing" once it was added back to a running cluster. */
    private String initialClusterState = "new";

    Member(Cluster cluster, String name, int clientPort, int peerPort, Path dir, long id) {
        this.cluster = cluster;
        this.name = name;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.dir = dir;
        this.id = id;
    }

    public String name() {
        return name;
    }

    public long id() {
        return id;
    }

    public String endpoint() {
        return "127.0.0.1:" + clientPort;
    }

    public String peerUrl() {
        return "http://127.0.0.1:" + peerPort;
    }

    public Path faultsFile() {
        return dir.resolve("peer-faults");
    }

    public Path dataDir() {
        return dir.resolve("data");
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public boolean isPaused() {
        return paused;
    }

    public Path log() {
        return log;
    }

    /** The crash points this start was armed with, or null. */
    public String armed() {
        return armed;
    }

    /** The exit status of a process that has ended by itself, or -1 while it runs (or never ran). */
    public int exitStatus() {
        return process == null || process.isAlive() ? -1 : process.exitValue();
    }

    /** From now on this member is the one MemberAdd created with {@code newId}, joining the running cluster. */
    void rejoined(long newId) {
        id = newId;
        initialClusterState = "existing";
    }

    /** Starts the process (it must not be running); {@code failpoints} null for none. */
    void spawn(String failpoints) throws IOException {
        if (isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        Files.createDirectories(dir);
        String url = "http://" + endpoint();
        List<String> cmd = new ArrayList<>(List.of(cluster.launcher, "--name", name,
                "--data-dir", dataDir().toString(),
                "--listen-client-urls", url, "--advertise-client-urls", url,
                "--listen-peer-urls", peerUrl(), "--initial-advertise-peer-urls", peerUrl(),
                "--initial-cluster", cluster.initialCluster(), "--initial-cluster-token", cluster.token,
                "--initial-cluster-state", initialClusterState));
        cmd.addAll(Cluster.MEMBER_FLAGS);
        starts++;
        log = dir.resolve("member-" + starts + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("ETCD_") || k.startsWith("ETCDCTL_"));
        String opts = "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Detcdjava.test.faults=" + faultsFile();
        if (failpoints != null) {
            opts += " -Detcdjava.failpoints=" + failpoints;
        }
        armed = failpoints;
        pb.environment().put("ETCD_JAVA_OPTS", opts);
        process = pb.start();
        paused = false;
    }

    /** Polls {@code /health} (an external process has no event to await) until healthy or the bound. */
    void awaitHealthy(Duration bound) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://" + endpoint() + "/health"))
                .timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; log " + log);
            }
            try {
                HttpResponse<String> r = HTTP.send(health, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"health\":\"true\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // keep polling
            }
            process.waitFor(200, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException(name + " not healthy within " + bound + "; log " + log);
    }

    /** Waits (bounded) for the process to exit by itself; its exit status, or -1 if still running. */
    int awaitExit(Duration bound) throws InterruptedException {
        return process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** SIGKILL, and waits for the process to be gone. */
    public void kill9() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " survived SIGKILL");
        }
        paused = false;
    }

    /** SIGSTOP: the process freezes with its sockets open, as in a long GC pause or a hung VM. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
        paused = false;
    }

    private void signal(String sig) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).inheritIO().start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("kill -" + sig + " " + process.pid() + " failed");
        }
    }

    /** Replaces the fault switch file atomically (the member polls it). */
    void writeFaults(String text) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve("peer-faults.tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, faultsFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public String toString() {
        return name + "(" + Long.toHexString(id) + ")";
    }
}
