package io.etcdjava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Golden tests of watch: Go's etcdctl and ours run the same scenario against one real etcd (start the watch,
 * write with a second client or feed stdin, wait until the output is there, then stop or close stdin) and
 * must print the same. Historical watches (--rev) make the output exact; live ones wait for the watcher to
 * be registered on the server before writing.
 */
@Timeout(600)
class WatchGoldenTest {
  @RegisterExtension
  static final RealEtcd ETCD = new RealEtcd();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final List<String> FORMATS = List.of("simple", "json", "fields", "protobuf", "table");
  /** The revision of the first seeded event under wk/. */
  private static String rev;

  static List<String> ep(String... args) {
    List<String> a = new ArrayList<>();
    a.add("--endpoints=" + ETCD.endpoint());
    a.addAll(List.of(args));
    return a;
  }

  static void go(String... args) throws Exception {
    assertThat(Golden.go(ep(args), "", Map.of()).code()).as("%s", List.of(args)).isZero();
  }

  @BeforeAll
  static void seed() throws Exception {
    go("put", "old", "0");
    String out = Golden.go(ep("put", "old", "1", "-w", "json"), "", Map.of()).out();
    long r = Long.parseLong(out.replaceAll("(?s).*\"revision\":(\\d+).*", "$1").trim());
    go("compaction", Long.toString(r));
    go("put", "wk/a", "1");
    rev = Long.toString(r + 2);
    go("put", "wk/a", "2");
    go("put", "wk/b", "x y\t\"q\"");
    go("del", "wk/a");
    go("put", "wk/\u00e9t\u00e9", "caf\u00e9");
    go("put", "wk/zz", "end");
  }

  /** What a scenario does to the running etcdctl before it is stopped. */
  interface Drive {
    void run(Streaming s, Predicate<String> done) throws Exception;
  }

  /**
   * Runs Go's etcdctl until {@code goDone} holds for its stdout, then ours until its normalised stdout is
   * Go's; {@code drive} acts on each (writes, stdin) and {@code end} stops it; all three streams must agree.
   */
  static void sameStream(List<String> args, Map<String, String> env, Predicate<String> goDone, Drive drive,
      boolean closeStdinToEnd) throws Exception {
    Golden.Result go;
    int before = 0;
    awaitWatchers(before);
    try (Streaming s = Streaming.go(args, env)) {
      drive.run(s, goDone);
      s.awaitOut(goDone, WAIT);
      go = end(s, closeStdinToEnd);
    }
    awaitWatchers(before);
    String want = Golden.normalise(go.out());
    Golden.Result ours;
    try (Streaming s = Streaming.ours(args, env)) {
      Predicate<String> same = o -> Golden.normalise(o).equals(want);
      drive.run(s, same);
      s.awaitOut(same, WAIT);
      ours = end(s, closeStdinToEnd);
    }
    awaitWatchers(before);
    assertThat(ours.normalised().err()).as("stderr of %s", args).isEqualTo(go.normalised().err());
    assertThat(ours.normalised().out()).as("stdout of %s", args).isEqualTo(want);
    assertThat(ours.code()).as("exit code of %s", args).isEqualTo(go.code());
  }

  private static Golden.Result end(Streaming s, boolean closeStdin) throws Exception {
    if (closeStdin) {
      s.closeStdin();
      return s.awaitExit(WAIT);
    }
    return s.stop();
  }

  /** Waits for the server to count {@code n} more watchers than {@code base}. */
  static void awaitWatchersAbove(int base, int n) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (watchers() < base + n) {
      assertThat(System.nanoTime()).as("watchers registered in time").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  static void awaitWatchers(int n) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (watchers() != n) {
      assertThat(System.nanoTime()).as("watchers back to %d in time", n).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** etcd's gauge of registered watchers, from /metrics. */
  static int watchers() throws Exception {
    String m;
    try (var in = URI.create("http://" + ETCD.endpoint() + "/metrics").toURL().openStream()) {
      m = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    for (String line : m.split("\n")) {
      if (line.startsWith("etcd_debugging_mvcc_watcher_total ")) {
        return (int) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
      }
    }
    throw new IllegalStateException("no watcher gauge");
  }

  static final Drive NOTHING = (s, done) -> { };

  /** Output of any format is complete once the last seeded event (wk/zz = end) is in it. */
  static boolean hasLastEvent(String o) {
    return o.contains("wk/zz\nend\n") || o.contains("d2sveno=") || o.contains("\"Value\" : \"end\"\n\"Lease\" : 0\n")
        || o.contains("wk/zz") && o.contains("end") && !o.contains("\"Key\"");
  }

  @Test
  void historyInEveryFormat() throws Exception {
    for (String f : FORMATS) {
      if (f.equals("table")) {
        // table is not a watch format: both end at the first response
        sameStream(ep("watch", "wk/", "--prefix", "--rev=" + rev, "-w", f), Map.of(), o -> true, NOTHING, true);
        continue;
      }
      sameStream(ep("watch", "wk/", "--prefix", "--prev-kv", "--rev=" + rev, "-w", f), Map.of(),
          WatchGoldenTest::hasLastEvent, NOTHING, false);
      sameStream(ep("watch", "wk/a", "wk/zzz", "--rev=" + rev, "-w", f), Map.of(),
          WatchGoldenTest::hasLastEvent, NOTHING, false);
    }
    sameStream(ep("watch", "--hex", "wk/", "--prefix", "--rev=" + rev), Map.of(),
        o -> o.contains("\\x65\\x6e\\x64\n"), NOTHING, false);
  }

  @Test
  void liveEventsFromASecondClient() throws Exception {
    for (String f : List.of("simple", "json", "fields")) {
      int base = 0;
      Drive puts = (s, done) -> {
        awaitWatchersAbove(base, 1);
        go("put", "live-" + f, "v1");
        go("put", "live-" + f, "v2");
        go("del", "live-" + f);
      };
      Predicate<String> threeEvents = o -> o.split("DELETE|\"type\":1|\"Type\" : DELETE", -1).length == 2
          && (o.endsWith("\n\n") || o.endsWith("}\n") || o.endsWith("\"Lease\" : 0\n"));
      sameStream(ep("watch", "live-" + f, "--prev-kv", "-w", f), Map.of(), threeEvents, puts, false);
    }
  }

  @Test
  void execRunsACommandPerEventWithTheWatchVariables() throws Exception {
    List<String> cmd = List.of("--", "sh", "-c",
        "echo \"[$ETCD_WATCH_REVISION] $ETCD_WATCH_EVENT_TYPE $ETCD_WATCH_KEY $ETCD_WATCH_VALUE\"");
    // (keys without non-ASCII bytes: a JVM in the POSIX locale cannot put them in a child's environment)
    List<String> args = new ArrayList<>(ep("watch", "wk/a", "wk/c", "--rev=" + rev));
    args.addAll(cmd);
    sameStream(args, Map.of(), o -> o.contains("\"DELETE\" \"wk/a\" \"\"\n"), NOTHING, false);
    List<String> env = new ArrayList<>(ep("watch", "--rev=" + rev));
    env.addAll(cmd);
    sameStream(env, Map.of("ETCDCTL_WATCH_KEY", "wk/a", "ETCDCTL_WATCH_RANGE_END", "wk/c"),
        o -> o.contains("\"DELETE\" \"wk/a\" \"\"\n"), NOTHING, false);
    sameStream(ep("watch", "--rev=" + rev), Map.of("ETCDCTL_WATCH_KEY", "wk/zz"), o -> o.endsWith("wk/zz\nend\n"),
        NOTHING, false);
  }

  @Test
  void interactiveWatchAndProgressLines() throws Exception {
    Drive lines = (s, done) -> {
      s.write("watch wk/zz --rev=" + rev + "\n");
      s.awaitOut(o -> o.contains("end\n"), WAIT);
      s.write("watch wk/b --rev " + rev + " -- echo exec'd\n");
      s.awaitOut(o -> o.contains("exec'd\n"), WAIT);
      s.write("progress\n");
      s.awaitOut(o -> o.contains("progress notify"), WAIT);
      s.write("bogus\n\nwatch\nwatch a b --prefix\n");
    };
    sameStream(ep("watch", "-i"), Map.of(), o -> o.split("progress notify", -1).length == 3, lines, true);
  }

  @Test
  void errorsAndEndings() throws Exception {
    for (List<String> args : List.of(List.of("watch"), List.of("watch", "a", "b", "--prefix"), List.of("watch", "a", "--"),
        List.of("watch", "--rev=x", "a"), List.of("watch", "--bogus"), List.of("watch", "old", "--rev=1"),
        List.of("watch", "old", "--rev=1", "-w", "json"), List.of("watch", "--help"))) {
      Golden.Result go = Golden.go(ep(args.toArray(String[]::new)), "", Map.of()).normalised();
      Golden.Result ours = Golden.ours(ep(args.toArray(String[]::new)), "", Map.of()).normalised();
      assertThat(ours).as("%s", args).isEqualTo(go);
    }
    for (Map<String, String> env : List.of(Map.of("ETCDCTL_WATCH_RANGE_END", "z"), Map.of("ETCDCTL_WATCH_KEY", "a"))) {
      for (List<String> args : List.of(List.of("watch", "a"), List.of("watch", "x", "--", "echo", "1"))) {
        Golden.Result go = Golden.go(ep(args.toArray(String[]::new)), "", env).normalised();
        Golden.Result ours = Golden.ours(ep(args.toArray(String[]::new)), "", env).normalised();
        assertThat(ours).as("%s %s", env, args).isEqualTo(go);
      }
    }
    for (String stdin : List.of("", "watch old --rev=1\n", "watch --bogus a\n", "watch a --\n", "progress")) {
      Golden.Result go = Golden.go(ep("watch", "-i"), stdin, Map.of()).normalised();
      Golden.Result ours = Golden.ours(ep("watch", "-i"), stdin, Map.of()).normalised();
      if (!stdin.startsWith("watch old")) {
        assertThat(ours).as("watch -i <<< %s", stdin).isEqualTo(go);
      } else {
        // the canceled watch races with the end of input in both: only the exit is certain
        assertThat(ours.code()).isEqualTo(go.code());
      }
    }
  }
}
