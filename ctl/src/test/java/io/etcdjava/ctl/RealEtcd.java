package io.etcdjava.ctl;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts Debian's real etcd (/usr/bin/etcd) on free loopback ports (never 2379/2380) with a temporary
 * data directory for a test class, and always stops it afterwards.
 */
final class RealEtcd implements BeforeAllCallback, AfterAllCallback {
  static final String ETCD = "/usr/bin/etcd";
  private Process process;
  private Path dataDir;
  private int clientPort;

  String endpoint() {
    return "127.0.0.1:" + clientPort;
  }

  /** A loopback port nothing listens on, for the unreachable-endpoint cases. */
  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static int freePort() throws IOException {
    while (true) {
      int p = closedPort();
      if (p != 2379 && p != 2380) {
        return p;
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext ctx) throws Exception {
    dataDir = Files.createTempDirectory("etcdctl-golden");
    clientPort = freePort();
    int peerPort = freePort();
    String c = "http://127.0.0.1:" + clientPort;
    String p = "http://127.0.0.1:" + peerPort;
    process = new ProcessBuilder(List.of(ETCD, "--name", "golden", "--data-dir", dataDir.resolve("d").toString(),
        "--listen-client-urls", c, "--advertise-client-urls", c, "--listen-peer-urls", p,
        "--initial-advertise-peer-urls", p, "--initial-cluster", "golden=" + p))
        .redirectErrorStream(true).redirectOutput(dataDir.resolve("etcd.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!healthy(c)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        afterAll(ctx);
        throw new IllegalStateException("etcd did not become healthy on " + c);
      }
      Thread.onSpinWait();
      process.waitFor(20, TimeUnit.MILLISECONDS);
    }
  }

  private static boolean healthy(String base) {
    try {
      HttpURLConnection h = (HttpURLConnection) new URL(base + "/health").openConnection();
      h.setConnectTimeout(200);
      h.setReadTimeout(500);
      try (var in = h.getInputStream()) {
        return new String(in.readAllBytes()).contains("\"true\"");
      }
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void afterAll(ExtensionContext ctx) throws Exception {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (dataDir != null && Files.exists(dataDir)) {
      try (var w = Files.walk(dataDir)) {
        w.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
