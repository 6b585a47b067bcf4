package io.etcdjava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Golden tests of snapshot save|status|restore against a real etcd and the files it hands out. */
@Timeout(180)
class SnapshotGoldenTest {
  private static final List<String> FORMATS = List.of("simple", "json", "fields", "protobuf", "table");
  private static RealCluster etcd;
  private static Path dir;

  @BeforeAll
  static void start() throws Exception {
    etcd = RealCluster.start(1);
    dir = Files.createTempDirectory("etcdctl-snapshots");
    for (int i = 0; i < 300; i++) {
      assertThat(Golden.go(withEp("put", "key-" + i, "value-".repeat(i % 50)), "", Map.of()).code()).isZero();
    }
    Golden.go(withEp("del", "key-1"), "", Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    if (etcd != null) {
      etcd.close();
    }
    if (dir != null) {
      try (var w = Files.walk(dir)) {
        w.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private static List<String> withEp(String... args) {
    List<String> a = new ArrayList<>();
    a.add("--endpoints=" + etcd.endpoints());
    a.addAll(List.of(args));
    return a;
  }

  private static void same(List<String> args) throws Exception {
    Golden.Result go = Golden.go(args, "", Map.of());
    assertThat(Golden.ours(args, "", Map.of()).normalised()).as("%s", args).isEqualTo(go.normalised());
  }

  /** Paths differ between the two runs; the output names them, so map ours onto Go's. */
  @Test
  void saveThenStatusInEveryFormat() throws Exception {
    Path goFile = dir.resolve("go.db");
    Path ourFile = dir.resolve("ours.db");
    Golden.Result go = Golden.go(withEp("snapshot", "save", goFile.toString()), "", Map.of());
    Golden.Result ours = Golden.ours(withEp("snapshot", "save", ourFile.toString()), "", Map.of());
    assertThat(go.code()).as(go.err()).isZero();
    assertThat(new Golden.Result(ours.out().replace("ours.db", "go.db"), ours.err().replace("ours.db", "go.db"),
        ours.code()).normalised()).isEqualTo(go.normalised());
    assertThat(Files.readAllBytes(ourFile)).isEqualTo(Files.readAllBytes(goFile));
    assertThat(Files.exists(dir.resolve("ours.db.part"))).isFalse();
    for (String f : FORMATS) {
      same(List.of("snapshot", "status", goFile.toString(), "-w", f));
    }
    // the file bbolt wrote, with no appended hash, reads the same
    Path copy = dir.resolve("copy.db");
    byte[] all = Files.readAllBytes(goFile);
    Files.write(copy, java.util.Arrays.copyOf(all, all.length - 32));
    same(List.of("snapshot", "status", copy.toString(), "-w", "json"));
  }

  @Test
  void saveErrors() throws Exception {
    same(withEp("snapshot", "save"));
    same(withEp("snapshot", "save", "a", "b"));
    same(withEp("snapshot", "save", "/nonexistent-dir/x.db"));
    same(List.of("--endpoints=" + etcd.endpoints() + "," + etcd.endpoints(), "snapshot", "save",
        dir.resolve("two.db").toString()));
    Path closedFile = dir.resolve("closed.db");
    same(List.of("--endpoints=127.0.0.1:" + RealEtcd.closedPort(), "--command-timeout=1s", "snapshot", "save",
        closedFile.toString()));
    assertThat(Files.exists(dir.resolve("closed.db.part"))).isFalse();
    same(withEp("snapshot", "save", "--help"));
    same(withEp("snapshot"));
  }

  @Test
  void statusErrors() throws Exception {
    same(List.of("snapshot", "status"));
    same(List.of("snapshot", "status", dir.resolve("missing.db").toString()));
    Path garbage = dir.resolve("garbage.db");
    Files.writeString(garbage, "not a database\n");
    same(List.of("snapshot", "status", garbage.toString()));
    Path zeros = dir.resolve("zeros.db");
    Files.write(zeros, new byte[16384]);
    same(List.of("snapshot", "status", zeros.toString()));
    Path empty = dir.resolve("empty.db");
    Files.write(empty, new byte[0]);
    same(List.of("snapshot", "status", empty.toString()));
  }

  @Test
  void restoreChecksArgumentsAndFlagsLikeEtcdctl() throws Exception {
    Path snap = dir.resolve("for-restore.db");
    assertThat(Golden.go(withEp("snapshot", "save", snap.toString()), "", Map.of()).code()).isZero();
    String target = dir.resolve("restored").toString();
    same(List.of("snapshot", "restore"));
    same(List.of("snapshot", "restore", "a", "b"));
    same(List.of("snapshot", "restore", snap.toString(), "--data-dir", dir.toString()));
    same(List.of("snapshot", "restore", snap.toString(), "--data-dir", target, "--name", "x"));
    same(List.of("snapshot", "restore", snap.toString(), "--data-dir", target, "--initial-advertise-peer-urls",
        "localhost:2380"));
    same(List.of("snapshot", "restore", snap.toString(), "--data-dir", target, "--initial-cluster",
        "default=http://localhost:2380,b=http://localhost:2380"));
    same(List.of("snapshot", "restore", snap.toString(), "--data-dir", target, "--initial-cluster",
        "default=http://localhost:2381"));
    same(List.of("snapshot", "restore", snap.toString(), "--data-dir", target, "--wal-dir", dir.toString()));
    same(List.of("snapshot", "restore", "--help"));
    assertThat(Files.exists(Path.of(target))).isFalse();
  }

  /** Go first, then ours, each into a {@code target} that does not exist yet (Go may leave one behind). */
  private static void sameInto(Path target, List<String> args) throws Exception {
    Golden.Result go = Golden.go(args, "", Map.of());
    deleteTree(target);
    Golden.Result ours = Golden.ours(args, "", Map.of());
    deleteTree(target);
    assertThat(ours.normalised()).as("%s", args).isEqualTo(go.normalised());
    assertThat(ours.code()).as("%s", args).isEqualTo(1);
  }

  private static void deleteTree(Path p) throws Exception {
    if (Files.exists(p)) {
      try (var w = Files.walk(p)) {
        w.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  @Test
  void restoreRejectsMissingAndDamagedSnapshotsLikeEtcdctl() throws Exception {
    Path snap = dir.resolve("to-damage.db");
    assertThat(Golden.go(withEp("snapshot", "save", snap.toString()), "", Map.of()).code()).isZero();
    Path target = dir.resolve("restore-target");
    sameInto(target, List.of("snapshot", "restore", dir.resolve("missing.db").toString(), "--data-dir",
        target.toString()));
    // a byte changed inside the database: its SHA-256 no longer matches the one save appended
    byte[] b = Files.readAllBytes(snap);
    b[b.length / 2] ^= 0x5a;
    Path corrupt = dir.resolve("corrupt.db");
    Files.write(corrupt, b);
    sameInto(target, List.of("snapshot", "restore", corrupt.toString(), "--data-dir", target.toString()));
    // a database file copied without the appended hash needs --skip-hash-check
    Path bare = dir.resolve("bare.db");
    Files.write(bare, java.util.Arrays.copyOf(Files.readAllBytes(snap), b.length - 32));
    sameInto(target, List.of("snapshot", "restore", bare.toString(), "--data-dir", target.toString()));
    // the data dir and the WAL dir must be new
    Files.createDirectories(target);
    same(List.of("snapshot", "restore", snap.toString(), "--data-dir", target.toString()));
    same(List.of("snapshot", "restore", snap.toString(), "--data-dir", dir.resolve("new-target").toString(),
        "--wal-dir", target.toString()));
    assertThat(Files.exists(dir.resolve("new-target"))).isFalse();
  }
}
