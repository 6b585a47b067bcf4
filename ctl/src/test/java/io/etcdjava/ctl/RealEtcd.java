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

  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A loopback port for a server: below the kernel's ephemeral range (32768 and up), where an
   * outgoing connection could take a port between our probe and etcd's bind; never 2379/2380.
   */
  static int freePort() throws IOException {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = java.util.concurrent.ThreadLocalRandom.current().nextInt(20000, 32000);
      if (!HANDED_OUT.add(port)) {
        continue;
      }
      try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException taken) {
        // someone listens there; try another
      }
    }
    throw new IOException("no free loopback port after 1000 attempts");
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
