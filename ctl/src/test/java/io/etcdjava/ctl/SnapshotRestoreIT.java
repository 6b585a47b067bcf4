package io.etcdjava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * snapshot restore end to end: a snapshot of Debian's etcd (keys overwritten and deleted, a compaction, a
 * lease with a key) restored by our etcdctl into data dirs our {@code bin/etcd} starts from, then read with
 * our etcdctl, each read checked against Go's etcdctl on the same member. Runs after package: restore loads the server jar, and the members are {@code bin/etcd}.
 */
@Timeout(900)
class SnapshotRestoreIT {
  @RegisterExtension
  static final RealEtcd ETCD = new RealEtcd();
  private static final String OUR_ETCD = Path.of(System.getProperty("etcdjava.ctl.launcher", "../bin/etcdctl"))
      .toAbsolutePath().resolveSibling("etcd").toString();
  private static final String TOKEN = "restored-token";
  private static Path dir;
  private static Path snapshot;
  private static String lease;
  /** The source's revision when the snapshot was taken, and the revision it compacted. */
  private static long revision;
  private static long compacted;

  @BeforeAll
  static void snapshotOfRealEtcd() throws Exception {
    dir = Files.createTempDirectory("etcdctl-restore");
    for (List<String> cmd : List.of(List.of("put", "k/a", "1"), List.of("put", "k/b", "2"), List.of("put", "k/a", "3"),
        List.of("del", "k/b"))) {
      assertThat(source(cmd.toArray(String[]::new)).code()).isZero();
    }
    compacted = headerRevision(source("get", "k/a", "-w", "json").out());
    assertThat(source("compaction", Long.toString(compacted)).code()).isZero();
    Matcher m = Pattern.compile("lease ([0-9a-f]+) granted").matcher(source("lease", "grant", "600").out());
    assertThat(m.find()).isTrue();
    lease = m.group(1);
    assertThat(source("put", "k/leased", "with-lease", "--lease=" + lease).code()).isZero();
    assertThat(source("put", "k/c", "4").code()).isZero();
    revision = headerRevision(source("get", "k/c", "-w", "json").out());
    snapshot = dir.resolve("source.db");
    Golden.Result saved = source("snapshot", "save", snapshot.toString());
    assertThat(saved.code()).as(saved.err()).isZero();
  }

  @AfterAll
  static void removeFiles() throws Exception {
    if (dir != null) {
      try (var w = Files.walk(dir)) {
        w.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private static Golden.Result source(String... args) throws Exception {
    return Golden.go(withEp(ETCD.endpoint(), args), "", Map.of());
  }

  private static List<String> withEp(String endpoints, String... args) {
    List<String> a = new ArrayList<>(List.of("--endpoints=" + endpoints));
    a.addAll(List.of(args));
    return a;
  }

  private static long headerRevision(String json) {
    Matcher m = Pattern.compile("\"revision\":(\\d+)").matcher(json);
    assertThat(m.find()).as(json).isTrue();
    return Long.parseLong(m.group(1));
  }

  /** Our etcdctl against a restored member, required to print what Go's prints there; our result. */
  private static Golden.Result read(String endpoints, String... args) throws Exception {
    List<String> a = withEp(endpoints, args);
    Golden.Result ours = Golden.ours(a, "", Map.of());
    Golden.Result go = Golden.go(a, "", Map.of());
    assertThat(ours.normalised()).as("%s", a).isEqualTo(go.normalised());
    return ours;
  }

  private static List<String> restoreArgs(Path dataDir, String name, String initialCluster, String peerUrl) {
    return List.of("snapshot", "restore", snapshot.toString(), "--name", name, "--data-dir", dataDir.toString(),
        "--initial-cluster", initialCluster, "--initial-cluster-token", TOKEN,
        "--initial-advertise-peer-urls", peerUrl);
  }

  private static void deleteTree(Path p) throws Exception {
    try (var w = Files.walk(p)) {
      w.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  @Test
  void aRestoredMemberServesTheSnapshotsKeysRevisionCompactionAndLeases() throws Exception {
    try (RealCluster ours = RealCluster.empty(OUR_ETCD, "--initial-cluster-token", TOKEN)) {
      int peerPort = RealCluster.freePort();
      String peerUrl = "http://127.0.0.1:" + peerPort;
      Path dataDir = ours.dataDir("r1");
      List<String> args = restoreArgs(dataDir, "r1", "r1=" + peerUrl, peerUrl);
      // Go's restore into the same path first: both print the same lines (IDs derived alike)
      Golden.Result go = Golden.go(args, "", Map.of());
      assertThat(go.code()).as(go.err()).isZero();
      deleteTree(dataDir);
      Golden.Result restored = Golden.ours(args, "", Map.of());
      assertThat(restored.normalised()).isEqualTo(go.normalised());
      assertThat(restored.err()).contains("\"msg\":\"restored snapshot\"");
      Matcher id = Pattern.compile("\"added-peer-id\":\"([0-9a-f]+)\"").matcher(go.err());
      assertThat(id.find()).isTrue();

      RealCluster.Member m = ours.launch("r1", RealCluster.freePort(), peerPort, "r1=" + peerUrl, "new");
      ours.awaitHealthy(m);
      String ep = m.endpoint();
      // the same keys and values as the source, at the snapshot's revision
      assertThat(read(ep, "get", "k/", "--prefix").out())
          .isEqualTo(source("get", "k/", "--prefix").out()).contains("k/leased\nwith-lease\n");
      assertThat(headerRevision(Golden.ours(withEp(ep, "get", "k/a", "-w", "json"), "", Map.of()).out()))
          .isEqualTo(revision);
      // the compaction holds: the compacted revision reads, older ones are gone, as on the source
      assertThat(read(ep, "get", "k/a", "--rev=" + compacted).out()).isEqualTo("k/a\n3\n");
      Golden.Result old = read(ep, "get", "k/a", "--rev=" + (compacted - 1));
      assertThat(old.err()).endsWith("Error: etcdserver: mvcc: required revision has been compacted\n");
      assertThat(old.code()).isNotZero();
      // the lease and its key
      assertThat(Golden.ours(withEp(ep, "lease", "timetolive", lease, "--keys"), "", Map.of()).out())
          .startsWith("lease " + lease + " granted with TTL(600s), remaining(").endsWith("attached keys([k/leased])\n");
      // the new cluster: one member, the restored one, under the ID etcd's restore gives it
      assertThat(read(ep, "member", "list").out())
          .isEqualTo(id.group(1) + ", started, r1, " + peerUrl + ", http://" + ep + ", false\n");
      // writes go on from the restored revision
      assertThat(headerRevision(Golden.ours(withEp(ep, "put", "k/d", "5", "-w", "json"), "", Map.of()).out()))
          .isEqualTo(revision + 1);
      assertThat(read(ep, "get", "k/d").out()).isEqualTo("k/d\n5\n");
    }
  }

  @Test
  void aDbWithoutItsHashRestoresWithSkipHashCheckIntoASeparateWalDir() throws Exception {
    // a database file copied without the SHA-256 that snapshot save appends, as from a member's data dir
    byte[] saved = Files.readAllBytes(snapshot);
    Path bare = dir.resolve("bare.db");
    Files.write(bare, java.util.Arrays.copyOf(saved, saved.length - 32));
    Path walDir = dir.resolve("separate-wal");
    try (RealCluster ours = RealCluster.empty(OUR_ETCD, "--initial-cluster-token", TOKEN, "--wal-dir",
        walDir.toString())) {
      int peerPort = RealCluster.freePort();
      String peerUrl = "http://127.0.0.1:" + peerPort;
      Path dataDir = ours.dataDir("w1");
      List<String> args = new ArrayList<>(List.of("snapshot", "restore", bare.toString(), "--name", "w1",
          "--data-dir", dataDir.toString(), "--wal-dir", walDir.toString(), "--initial-cluster", "w1=" + peerUrl,
          "--initial-cluster-token", TOKEN, "--initial-advertise-peer-urls", peerUrl));
      Golden.Result refused = Golden.ours(args, "", Map.of());
      assertThat(refused.code()).isNotZero();
      assertThat(refused.err()).contains("Error: snapshot missing hash but --skip-hash-check=false\n");
      deleteTree(dataDir);
      args.add("--skip-hash-check");
      Golden.Result restored = Golden.ours(args, "", Map.of());
      assertThat(restored.code()).as(restored.err()).isZero();
      try (var wals = Files.list(walDir)) {
        assertThat(wals.map(f -> f.getFileName().toString())).anyMatch(n -> n.endsWith(".wal"));
      }
      assertThat(dataDir.resolve("member/wal")).doesNotExist();

      RealCluster.Member m = ours.launch("w1", RealCluster.freePort(), peerPort, "w1=" + peerUrl, "new");
      ours.awaitHealthy(m);
      assertThat(read(m.endpoint(), "get", "k/", "--prefix").out()).isEqualTo(source("get", "k/", "--prefix").out());
      // the member ran from the restored WAL where --wal-dir put it, not from a new one in the data dir
      assertThat(dataDir.resolve("member/wal")).doesNotExist();
    }
  }

  @Test
  void threeMembersRestoredFromOneSnapshotFormACluster() throws Exception {
    try (RealCluster ours = RealCluster.empty(OUR_ETCD, "--initial-cluster-token", TOKEN)) {
      int[] peerPorts = {RealCluster.freePort(), RealCluster.freePort(), RealCluster.freePort()};
      StringBuilder initial = new StringBuilder();
      for (int i = 0; i < 3; i++) {
        initial.append(i > 0 ? "," : "").append("m").append(i).append("=http://127.0.0.1:").append(peerPorts[i]);
      }
      for (int i = 0; i < 3; i++) {
        Golden.Result r = Golden.ours(restoreArgs(ours.dataDir("m" + i), "m" + i, initial.toString(),
            "http://127.0.0.1:" + peerPorts[i]), "", Map.of());
        assertThat(r.code()).as(r.err()).isZero();
      }
      List<RealCluster.Member> members = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        members.add(ours.launch("m" + i, RealCluster.freePort(), peerPorts[i], initial.toString(), "new"));
      }
      for (RealCluster.Member m : members) {
        ours.awaitHealthy(m);
      }
      String all = ours.endpoints();
      String list = read(all, "member", "list").out();
      assertThat(list.split("\n")).hasSize(3);
      for (int i = 0; i < 3; i++) {
        assertThat(list).contains(", started, m" + i + ", http://127.0.0.1:" + peerPorts[i] + ", http://"
            + members.get(i).endpoint() + ", false");
      }
      // a write through one member is read, linearizably, through each, after the restored keys
      assertThat(Golden.ours(withEp(members.get(0).endpoint(), "put", "k/new", "x"), "", Map.of()).code()).isZero();
      for (RealCluster.Member m : members) {
        Golden.Result r = read(m.endpoint(), "get", "k/", "--prefix", "--keys-only");
        assertThat(r.out()).as(m.name()).isEqualTo("k/a\n\nk/c\n\nk/leased\n\nk/new\n\n");
        assertThat(headerRevision(Golden.ours(withEp(m.endpoint(), "get", "k/new", "-w", "json"), "", Map.of()).out()))
            .isEqualTo(revision + 1);
      }
    }
  }
}
