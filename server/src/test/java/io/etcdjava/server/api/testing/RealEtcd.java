package io.etcdjava.server.api.testing;

import io.etcdjava.server.testing.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian's etcd 3.4 as a reference, on free 127.0.0.1 ports, data under a caller's directory. */
public final class RealEtcd implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/etcd");

    private final Process process;
    private final Path log;
    public final int clientPort;

    private RealEtcd(Process process, Path log, int clientPort) {
        this.process = process;
        this.log = log;
        this.clientPort = clientPort;
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    public static RealEtcd start(Path dir, String... extraArgs) throws IOException, InterruptedException {
        int client = FreePorts.next();
        int peer = FreePorts.next();
        String clientUrl = "http://127.0.0.1:" + client;
        String peerUrl = "http://127.0.0.1:" + peer;
        List<String> cmd = new java.util.ArrayList<>(List.of(BINARY.toString(),
                "--name", "ref", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", "ref=" + peerUrl));
        cmd.addAll(List.of(extraArgs));
        Path log = dir.resolve("etcd.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        RealEtcd etcd = new RealEtcd(p, log, client);
        try {
            etcd.awaitHealthy(Duration.ofSeconds(30));
            return etcd;
        } catch (IOException | InterruptedException | RuntimeException e) {
            etcd.close();
            throw e;
        }
    }

    public String url() {
        return "http://127.0.0.1:" + clientPort;
    }

    private void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd exited: " + Files.readString(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            // Polling an external process: its readiness has no event we could wait on.
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException("etcd not healthy within " + timeout + ": " + Files.readString(log));
    }


    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
