package io.etcdjava.ctl;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real etcd members (/usr/bin/etcd) on free loopback ports for the membership tests: an initial cluster,
 * and members started later from what {@code member add} printed; or members of another etcd binary (ours)
 * started over data dirs prepared in {@link #dataDir} (snapshot restore). {@link #close} stops every
 * process it started and deletes the data directories.
 */
final class RealCluster implements AutoCloseable {
  record Member(String name, int clientPort, int peerPort, Process process) {
    String endpoint() {
      return "127.0.0.1:" + clientPort;
    }

    String peerUrl() {
      return "http://127.0.0.1:" + peerPort;
    }
  }

  private final String binary;
  private final Path dir;
  private final List<String> extraFlags;
  private final List<Member> members = new ArrayList<>();

  private RealCluster(String binary, Path dir, List<String> extraFlags) {
    this.binary = binary;
    this.dir = dir;
    this.extraFlags = extraFlags;
  }

  /** No member yet: each is started by {@link #launch}, with {@code binary} as etcd. */
  static RealCluster empty(String binary, String... extraFlags) throws IOException {
    return new RealCluster(binary, Files.createTempDirectory("etcdctl-cluster"), List.of(extraFlags));
  }

  /** Where member {@code name} keeps its data; {@link #launch} uses it as --data-dir. */
  Path dataDir(String name) {
    return dir.resolve(name + ".etcd");
  }

  /** Starts {@code n} members that form a new cluster, and waits until each is healthy. */
  static RealCluster start(int n, String... extraFlags) throws Exception {
    RealCluster c = new RealCluster(RealEtcd.ETCD, Files.createTempDirectory("etcdctl-cluster"), List.of(extraFlags));
    try {
      List<int[]> ports = new ArrayList<>();
      StringBuilder initial = new StringBuilder();
      for (int i = 0; i < n; i++) {
        int[] p = {freePort(), freePort()};
        ports.add(p);
        initial.append(i > 0 ? "," : "").append("m").append(i).append("=http://127.0.0.1:").append(p[1]);
      }
      for (int i = 0; i < n; i++) {
        c.launch("m" + i, ports.get(i)[0], ports.get(i)[1], initial.toString(), "new");
      }
      for (Member m : c.members) {
        c.awaitHealthy(m);
      }
      return c;
    } catch (Exception e) {
      c.close();
      throw e;
    }
  }

  List<Member> members() {
    return List.copyOf(members);
  }

  String endpoints() {
    return String.join(",", members.stream().filter(m -> m.process.isAlive()).map(Member::endpoint).toList());
  }

  /** Starts a member that {@code member add} admitted, with the ETCD_INITIAL_CLUSTER it printed. */
  Member join(String name, int peerPort, String initialCluster) throws Exception {
    return launch(name, freePort(), peerPort, initialCluster, "existing");
  }

  /** Starts a member (not waiting for it) over {@link #dataDir}. */
  Member launch(String name, int clientPort, int peerPort, String initialCluster, String state) throws IOException {
    String c = "http://127.0.0.1:" + clientPort;
    String p = "http://127.0.0.1:" + peerPort;
    List<String> cmd = new ArrayList<>(List.of(binary, "--name", name,
        "--data-dir", dataDir(name).toString(), "--listen-client-urls", c, "--advertise-client-urls", c,
        "--listen-peer-urls", p, "--initial-advertise-peer-urls", p, "--initial-cluster", initialCluster,
        "--initial-cluster-state", state, "--heartbeat-interval", "50", "--election-timeout", "1000"));
    cmd.addAll(extraFlags);
    Process proc = new ProcessBuilder(cmd)
        .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
    Member m = new Member(name, clientPort, peerPort, proc);
    members.add(m);
    return m;
  }

  void awaitHealthy(Member m) throws Exception {
    // generous: three JVM members starting at once on a loaded 2-core box take most of a minute each
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (!healthy("http://" + m.endpoint())) {
      if (!m.process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(m.name + " did not become healthy; log: "
            + Files.readString(dir.resolve(m.name + ".log")));
      }
      m.process.waitFor(50, TimeUnit.MILLISECONDS);
    }
  }

  /** Waits until the member answers Status (learners do not pass /health). */
  void awaitServing(Member m) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (Golden.go(List.of("--endpoints=" + m.endpoint(), "--command-timeout=1s", "endpoint", "status"), "",
        java.util.Map.of()).code() != 0) {
      if (!m.process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(m.name + " does not serve; log: " + Files.readString(dir.resolve(m.name + ".log")));
      }
      m.process.waitFor(100, TimeUnit.MILLISECONDS);
    }
  }

  void stop(Member m) throws InterruptedException {
    m.process.destroy();
    if (!m.process.waitFor(10, TimeUnit.SECONDS)) {
      m.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  static int freePort() throws IOException {
    return RealEtcd.freePort();
  }

  private static boolean healthy(String base) {
    try {
      HttpURLConnection h = (HttpURLConnection) new URL(base + "/health").openConnection();
      h.setConnectTimeout(200);
      h.setReadTimeout(1000);
      try (var in = h.getInputStream()) {
        return new String(in.readAllBytes()).contains("\"true\"");
      }
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws Exception {
    for (Member m : members) {
      m.process.destroyForcibly();
    }
    for (Member m : members) {
      m.process.waitFor(10, TimeUnit.SECONDS);
    }
    try (var w = Files.walk(dir)) {
      w.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
