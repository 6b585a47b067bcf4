package io.etcdjava.ctl;

import io.etcdjava.ctl.bbolt.BoltFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * snapshot restore (clientv3/snapshot's Restore): the flag and argument checks of etcdctl 3.4, the snapshot's
 * bbolt file copied to member/snap/db and verified against its SHA-256 as etcd does, then a data dir our
 * {@code bin/etcd} starts from: the server module writes the keys, leases and compaction marks into its
 * backend with the new cluster's members, and a WAL and raft snapshot for them ({@link ServerRestore}).
 * The bbolt copy is removed once converted: our member does not read it.
 */
final class SnapshotRestore {
  private SnapshotRestore() {}

  static void flags(Command c) {
    c.stringFlag(false, "data-dir", "", "", "Path to the data directory");
    c.stringFlag(false, "wal-dir", "", "", "Path to the WAL directory (use --data-dir if none given)");
    c.stringFlag(false, "initial-cluster", "", "default=http://localhost:2380",
        "Initial cluster configuration for restore bootstrap");
    c.stringFlag(false, "initial-cluster-token", "", "etcd-cluster",
        "Initial cluster token for the etcd cluster during restore bootstrap");
    c.stringFlag(false, "initial-advertise-peer-urls", "", "http://localhost:2380",
        "List of this member's peer URLs to advertise to the rest of the cluster");
    c.stringFlag(false, "name", "", "default", "Human-readable name for this member");
    c.boolFlag(false, "skip-hash-check", "", false,
        "Ignore snapshot integrity hash value (required if copied from data directory)");
  }

  static void run(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "snapshot restore requires exactly one argument");
    }
    String name = inv.string("name");
    String dataDir = inv.string("data-dir").isEmpty() ? name + ".etcd" : inv.string("data-dir");
    String walDir = inv.string("wal-dir").isEmpty() ? Path.of(dataDir, "member", "wal").toString()
        : inv.string("wal-dir");
    List<String> peerUrls = Arrays.asList(inv.string("initial-advertise-peer-urls").split(",", -1));
    String bad = PeerUrls.invalid(peerUrls);
    if (bad != null) {
      throw inv.io.exitWithError(CtlExit.ERROR, bad);
    }
    Map<String, List<String>> initial = parseUrlsMap(inv.string("initial-cluster"));
    for (List<String> urls : initial.values()) {
      bad = PeerUrls.invalid(urls);
      if (bad != null) {
        throw inv.io.exitWithError(CtlExit.ERROR, bad);
      }
    }
    String err = verifyBootstrap(name, peerUrls, initial);
    if (err != null) {
      throw inv.io.exitWithError(CtlExit.ERROR, err);
    }
    if (Files.exists(Path.of(dataDir))) {
      throw inv.io.exitWithError(CtlExit.ERROR, "data-dir " + GoText.quote(dataDir) + " exists");
    }
    if (!inv.string("wal-dir").isEmpty() && Files.exists(Path.of(walDir))) {
      throw inv.io.exitWithError(CtlExit.ERROR, "wal-dir " + GoText.quote(walDir) + " exists");
    }
    String snapDir = Path.of(dataDir, "member", "snap").toString();
    ZapLog log = new ZapLog(inv.io);
    log.production("info", "snapshot/v3_snapshot.go:296", "restoring snapshot", ZapLog.field("path", args.get(0))
        + ZapLog.field("wal-dir", walDir) + ZapLog.field("data-dir", dataDir) + ZapLog.field("snap-dir", snapDir));
    Path db = Path.of(snapDir, "db");
    saveDb(inv, Path.of(args.get(0)), Path.of(snapDir), inv.bool("skip-hash-check"));
    String token = inv.string("initial-cluster-token");
    try {
      BoltFile bolt = BoltFile.open(db);
      ServerRestore server = ServerRestore.load();
      logCompaction(log, bolt);
      logAddedMembers(log, server, initial, token);
      server.write(name, initial, token, Path.of(dataDir), Path.of(walDir), (bucket, sink) -> {
        List<BoltFile.Entry> entries = bolt.bucket(bucket.getBytes(StandardCharsets.UTF_8));
        if (entries != null) {
          for (BoltFile.Entry e : entries) {
            sink.accept(e.key(), e.value());
          }
        }
      });
      Files.delete(db);
    } catch (IOException | RuntimeException e) {
      throw inv.io.exitWithError(CtlExit.ERROR, String.valueOf(e.getMessage()));
    }
    log.production("info", "snapshot/v3_snapshot.go:309", "restored snapshot", ZapLog.field("path", args.get(0))
        + ZapLog.field("wal-dir", walDir) + ZapLog.field("data-dir", dataDir) + ZapLog.field("snap-dir", snapDir));
  }

  /**
   * mvcc's store restore, which etcd's snapshot restore runs over the copied db: it logs the finished
   * compaction it found, and a scheduled one it resumes (only when newer than the finished one).
   */
  private static void logCompaction(ZapLog log, BoltFile bolt) {
    long finished = metaRevision(bolt, "finishedCompactRev");
    long scheduled = metaRevision(bolt, "scheduledCompactRev");
    if (finished >= 0) {
      log.production("info", "mvcc/kvstore.go:388", "restored last compact revision",
          ZapLog.field("meta-bucket-name", "meta") + ZapLog.field("meta-bucket-name-key", "finishedCompactRev")
              + ",\"restored-compact-revision\":" + finished);
    }
    if (scheduled > 0 && scheduled > finished) {
      log.production("info", "mvcc/kvstore.go:468", "resume scheduled compaction",
          ZapLog.field("meta-bucket-name", "meta") + ZapLog.field("meta-bucket-name-key", "scheduledCompactRev")
              + ",\"scheduled-compact-revision\":" + scheduled);
    }
  }

  /** The main revision stored under {@code key} in the meta bucket (8 bytes big-endian first), or -1. */
  private static long metaRevision(BoltFile bolt, String key) {
    List<BoltFile.Entry> meta = bolt.bucket("meta".getBytes(StandardCharsets.UTF_8));
    if (meta != null) {
      byte[] k = key.getBytes(StandardCharsets.UTF_8);
      for (BoltFile.Entry e : meta) {
        if (Arrays.equals(e.key(), k) && e.value() != null && e.value().length >= 8) {
          return java.nio.ByteBuffer.wrap(e.value()).getLong();
        }
      }
    }
    return -1;
  }

  /** membership.RaftCluster.AddMember's line for each new member, in ID order, as restore logs them. */
  private static void logAddedMembers(ZapLog log, ServerRestore server, Map<String, List<String>> initial,
      String token) throws IOException {
    TreeMap<Long, List<String>> byId = new TreeMap<>(Long::compareUnsigned);
    for (List<String> urls : initial.values()) {
      // types.NewURLs sorts a member's URLs
      byId.put(server.memberId(urls, token), urls.stream().sorted().toList());
    }
    String cluster = Long.toHexString(server.clusterId(byId.keySet()));
    byId.forEach((id, urls) -> log.production("info", "membership/cluster.go:392", "added member",
        ZapLog.field("cluster-id", cluster) + ZapLog.field("local-member-id", "0")
            + ZapLog.field("added-peer-id", Long.toHexString(id)) + ",\"added-peer-peer-urls\":["
            + String.join(",", urls.stream().map(Json::string).toList()) + "]"));
  }

  /** types.NewURLsMap's parse: "name=url,name=url", repeated names collect several URLs. */
  static Map<String, List<String>> parseUrlsMap(String s) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (String p : s.split(",", -1)) {
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      String k = eq >= 0 ? p.substring(0, eq) : p;
      String v = eq >= 0 ? p.substring(eq + 1) : "";
      m.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return m;
  }

  /** ServerConfig.VerifyBootstrap, with URLs compared as written (no DNS resolution). */
  private static String verifyBootstrap(String name, List<String> peerUrls, Map<String, List<String>> initial) {
    List<String> mine = initial.get(name);
    if (mine == null) {
      return "couldn't find local name " + GoText.quote(name) + " in the initial cluster configuration";
    }
    List<String> a = peerUrls.stream().map(String::strip).sorted().toList();
    List<String> b = mine.stream().map(String::strip).sorted().toList();
    if (!a.equals(b)) {
      List<String> missing = new ArrayList<>();
      for (String u : b) {
        if (!a.contains(u)) {
          missing.add(name + "=" + u);
        }
      }
      String lenErr = a.size() != b.size() ? "len(" + goQuoted(a) + ") != len(" + goQuoted(b) + ")"
          : firstDifference(a, b);
      if (!missing.isEmpty()) {
        return "--initial-cluster has " + String.join(",", missing) + " but missing from "
            + "--initial-advertise-peer-urls=" + String.join(",", a) + " (" + lenErr + ")";
      }
      List<String> extra = a.stream().filter(u -> !b.contains(u)).toList();
      List<String> pairs = a.stream().map(u -> name + "=" + u).sorted().toList();
      return "--initial-advertise-peer-urls has " + String.join(",", extra) + " but missing from --initial-cluster="
          + String.join(",", pairs);
    }
    List<String> all = new ArrayList<>();
    for (List<String> urls : initial.values()) {
      for (String u : urls) {
        if (all.contains(u.strip())) {
          List<String> pairs = new ArrayList<>();
          initial.forEach((n, us) -> us.forEach(x -> pairs.add(n + "=" + x.strip())));
          pairs.sort(null);
          return "initial cluster " + String.join(",", pairs) + " has duplicate url";
        }
        all.add(u.strip());
      }
    }
    return null;
  }

  /** netutil.URLStringsEqual's error for lists of one length (hosts compared as written, not resolved). */
  private static String firstDifference(List<String> a, List<String> b) {
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).equals(b.get(i))) {
        return "resolved urls: " + GoText.quote(a.get(i)) + " != " + GoText.quote(b.get(i));
      }
    }
    return "<nil>";
  }

  private static String goQuoted(List<String> l) {
    return "[" + String.join(" ", l.stream().map(GoText::quote).toList()) + "]";
  }

  /** Copies the snapshot to member/snap/db, cutting and checking the appended SHA-256. */
  private static void saveDb(Invocation inv, Path snapshot, Path snapDir, boolean skipHashCheck) {
    try {
      if (!Files.exists(snapshot)) {
        throw inv.io.exitWithError(CtlExit.ERROR, "open " + snapshot + ": no such file or directory");
      }
      // fileutil.CreateDirAll: every directory it makes is private (0700)
      Files.createDirectories(snapDir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
      Path db = snapDir.resolve("db");
      long size = Files.size(snapshot);
      byte[] sha = new byte[32];
      MessageDigest h = MessageDigest.getInstance("SHA-256");
      boolean hasHash = SnapshotCommands.hasChecksum(size);
      long dbLen = hasHash ? size - 32 : size;
      try (InputStream in = Files.newInputStream(snapshot);
          var out = Files.newOutputStream(db, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        byte[] buf = new byte[1 << 16];
        long left = dbLen;
        while (left > 0) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          if (n < 0) {
            break;
          }
          out.write(buf, 0, n);
          h.update(buf, 0, n);
          left -= n;
        }
        if (hasHash) {
          in.readNBytes(sha, 0, 32);
        }
      }
      if (!hasHash && !skipHashCheck) {
        throw inv.io.exitWithError(CtlExit.ERROR, "snapshot missing hash but --skip-hash-check=false");
      }
      byte[] got = h.digest();
      if (hasHash && !skipHashCheck && !Arrays.equals(sha, got)) {
        throw inv.io.exitWithError(CtlExit.ERROR, "expected sha256 " + goBytes(sha) + ", got " + goBytes(got));
      }
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      throw inv.io.exitWithError(CtlExit.ERROR, String.valueOf(e.getMessage()));
    }
  }

  /** fmt's %v of a []byte. */
  private static String goBytes(byte[] b) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < b.length; i++) {
      sb.append(i > 0 ? " " : "").append(b[i] & 0xff);
    }
    return sb.append(']').toString();
  }
}
