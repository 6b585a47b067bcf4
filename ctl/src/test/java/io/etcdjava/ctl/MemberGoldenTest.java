package io.etcdjava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Golden tests of member add|remove|update|promote and move-leader against a real etcd cluster that grows
 * from one member: learners are added, started, promoted, until three voters can pass leadership around.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MemberGoldenTest {
  private static final List<String> FORMATS = List.of("simple", "json", "fields", "protobuf", "table");
  private static RealCluster cluster;
  private static int learners;
  /** Client endpoints of the voting members: learners refuse most requests. */
  private static final List<String> voters = new ArrayList<>();
  private static long lastAddSecond;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = RealCluster.start(1);
    voters.add(cluster.members().get(0).endpoint());
  }

  /**
   * etcd derives a new member's ID from its peer URLs and the second the server received the add, and
   * never re-admits a removed ID: adding the same URLs again must reach the server in a later second than
   * the previous add finished (a loaded server may take the request in the second after it was sent).
   */
  private static Golden.Result addInTheNextSecond(Callable<Golden.Result> add) throws Exception {
    while (java.time.Instant.now().getEpochSecond() <= lastAddSecond) {
      Thread.sleep(20);
    }
    try {
      return add.call();
    } finally {
      lastAddSecond = java.time.Instant.now().getEpochSecond();
    }
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static List<String> withEps(String... args) {
    List<String> a = new ArrayList<>();
    a.add("--endpoints=" + String.join(",", voters));
    a.addAll(List.of(args));
    return a;
  }

  private static Golden.Result go(String... args) throws Exception {
    return Golden.go(withEps(args), "", Map.of());
  }

  private static Golden.Result ours(String... args) {
    return Golden.ours(withEps(args), "", Map.of());
  }

  private static void same(String... args) throws Exception {
    Golden.Result go = go(args);
    assertThat(ours(args).normalised()).as("%s", List.of(args)).isEqualTo(go.normalised());
  }

  /**
   * protobuf output carries IDs and terms: compare the decoded messages with numbers erased. Members are
   * listed by ID, which etcd derives from the clock, so member lists are compared in a canonical order.
   */
  private static Golden.Result comparable(Golden.Result r, String format) throws Exception {
    if (format.equals("protobuf") && r.code() == 0) {
      return MemberOrder.sorted(new Golden.Result(GoldenTest.withoutRevisions(r.out()), r.err(), r.code()));
    }
    return MemberOrder.sorted(r.normalised());
  }

  /** Go's run, then ours (each does its own setup and cleanup), compared as {@link #comparable}. */
  private static void sameMembers(String format, Callable<Golden.Result> go, Callable<Golden.Result> ours)
      throws Exception {
    Golden.Result want = comparable(go.call(), format);
    assertThat(comparable(ours.call(), format)).as(format).isEqualTo(want);
  }

  private static String freePeerUrl() throws Exception {
    return "http://127.0.0.1:" + RealCluster.freePort();
  }

  /** Adds a learner with Go's etcdctl; returns its hex ID. */
  private static String addLearner(String peerUrl) throws Exception {
    String name = "l" + (learners++);
    Golden.Result r = addInTheNextSecond(() -> go("member", "add", name, "--peer-urls=" + peerUrl, "--learner"));
    assertThat(r.code()).as(r.err()).isZero();
    return addedId(r);
  }

  /** The hex ID in "Member %16x added to cluster ..." (padded with spaces when it is shorter). */
  private static String addedId(Golden.Result r) {
    Matcher m = Pattern.compile("^Member +([0-9a-f]+) added").matcher(r.out());
    assertThat(m.find()).as(r.out()).isTrue();
    return m.group(1);
  }

  private static void removeUnstarted() throws Exception {
    for (String line : go("member", "list").out().split("\n")) {
      if (line.contains(", unstarted, ")) {
        assertThat(go("member", "remove", line.split(",")[0]).code()).isZero();
      }
    }
  }

  @Test
  @Order(1)
  void badArguments() throws Exception {
    same("member", "add");
    same("member", "add", "a", "b");
    same("member", "add", "a", "http://127.0.0.1:1", "HTTPS://x:2");
    same("member", "add", "a");
    same("member", "add", "a", "--peer-urls=");
    same("member", "remove");
    same("member", "remove", "xyz");
    same("member", "remove", "a", "b");
    same("member", "update", "12");
    same("member", "update", "-12", "--peer-urls=http://127.0.0.1:1");
    same("member", "update");
    same("member", "promote");
    same("member", "promote", "10000000000000000");
    same("member", "add", "--learner=maybe", "x");
    same("member", "add", "--help");
    same("member", "promote", "--help");
    same("member");
  }

  @Test
  @Order(2)
  void unknownMemberAndRejectedChanges() throws Exception {
    same("member", "remove", "1234");
    same("member", "update", "1234", "--peer-urls=http://127.0.0.1:1");
    same("member", "promote", "1234");
    same("member", "promote", "abcdef");
    same("member", "add", "v", "--peer-urls=not a url");
    same("member", "add", "v", "--peer-urls=" + cluster.members().get(0).peerUrl(), "--learner");
    // an unstarted learner cannot be promoted
    String id = addLearner(freePeerUrl());
    same("member", "promote", id);
    // only one learner at a time
    same("member", "add", "v2", "--peer-urls=" + freePeerUrl(), "--learner");
    removeUnstarted();
  }

  @Test
  @Order(3)
  void unreachableEndpoint() throws Exception {
    String closed = "--endpoints=127.0.0.1:" + RealEtcd.closedPort();
    for (List<String> args : List.of(List.of("member", "add", "x", "--peer-urls=http://127.0.0.1:1"),
        List.of("member", "remove", "1234"), List.of("member", "update", "12", "--peer-urls=http://127.0.0.1:1"),
        List.of("member", "promote", "12"))) {
      List<String> a = new ArrayList<>(List.of(closed, "--command-timeout=1s"));
      a.addAll(args);
      assertThat(Golden.ours(a, "", Map.of()).normalised()).as("%s", a).isEqualTo(Golden.go(a, "", Map.of()).normalised());
    }
  }

  @Test
  @Order(4)
  void addALearnerInEveryFormat() throws Exception {
    for (String f : FORMATS) {
      String url = freePeerUrl();
      List<String> args = List.of("member", "add", "new-" + f, "--peer-urls=" + url + "," + url.replace("127.0.0.1",
          "localhost"), "--learner", "-w", f);
      sameMembers(f, () -> {
        Golden.Result r = addInTheNextSecond(() -> go(args.toArray(String[]::new)));
        removeUnstarted();
        return r;
      }, () -> {
        Golden.Result r = addInTheNextSecond(() -> ours(args.toArray(String[]::new)));
        removeUnstarted();
        return r;
      });
    }
  }

  @Test
  @Order(5)
  void updateAndRemoveInEveryFormat() throws Exception {
    for (String f : FORMATS) {
      String url = freePeerUrl();
      String moved = freePeerUrl();
      sameMembers(f, () -> {
        Golden.Result r = go("member", "update", addLearner(url), "--peer-urls=" + moved, "-w", f);
        removeUnstarted();
        return r;
      }, () -> {
        Golden.Result r = ours("member", "update", addLearner(url), "--peer-urls=" + moved, "-w", f);
        removeUnstarted();
        return r;
      });
      sameMembers(f, () -> go("member", "remove", addLearner(url), "-w", f),
          () -> ours("member", "remove", addLearner(url), "-w", f));
    }
  }

  private static RealCluster.Member learner;

  private static boolean sleep(long ms) throws InterruptedException {
    Thread.sleep(ms);
    return true;
  }

  /** Adds a learner, starts it from what member add printed, and waits until it has caught up. */
  private static String startedLearner() throws Exception {
    int peerPort = RealCluster.freePort();
    String name = "p" + (learners++);
    // etcd refuses changes until every voter has been connected for 5 s ("unhealthy cluster")
    long healthy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Golden.Result r;
    do {
      r = go("member", "add", name, "--peer-urls=http://127.0.0.1:" + peerPort, "--learner");
    } while (r.code() != 0 && r.err().contains("unhealthy cluster") && System.nanoTime() < healthy
        && !Thread.interrupted() && sleep(200));
    assertThat(r.code()).as(r.err()).isZero();
    String id = addedId(r);
    Matcher m = Pattern.compile("ETCD_INITIAL_CLUSTER=\"([^\"]+)\"").matcher(r.out());
    assertThat(m.find()).isTrue();
    learner = cluster.join(name, peerPort, m.group(1));
    cluster.awaitServing(learner);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (appliedIndex(learner.endpoint()) < raftIndex(cluster.members().get(0).endpoint())) {
      assertThat(System.nanoTime()).as("learner catches up").isLessThan(deadline);
      learner.process().waitFor(100, TimeUnit.MILLISECONDS);
    }
    return id;
  }

  private static long statusNumber(String endpoint, String field) throws Exception {
    String json = Golden.go(List.of("--endpoints=" + endpoint, "endpoint", "status", "-w", "json"), "", Map.of()).out();
    Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static long appliedIndex(String endpoint) throws Exception {
    return statusNumber(endpoint, "raftAppliedIndex");
  }

  private static long raftIndex(String endpoint) throws Exception {
    return statusNumber(endpoint, "raftIndex");
  }

  @Test
  @Order(6)
  void promoteAStartedLearner() throws Exception {
    Golden.Result go = go("member", "promote", startedLearner());
    voters.add(learner.endpoint());
    Golden.Result ours = ours("member", "promote", startedLearner());
    voters.add(learner.endpoint());
    assertThat(ours.normalised()).isEqualTo(go.normalised());
    assertThat(go("member", "list").out()).doesNotContain(", true");
  }

  @Test
  @Order(7)
  void promoteInJsonCrashesLikeEtcdctl() throws Exception {
    String id = startedLearner();
    Golden.Result go = go("member", "promote", id, "-w", "json");
    assertThat(go.code()).isEqualTo(2);
    retire(id);
    id = startedLearner();
    Golden.Result ours = ours("member", "promote", id, "-w", "json");
    retire(id);
    assertThat(ours.normalised()).isEqualTo(go.normalised());
    assertThat(go("member", "list").out().split("\n")).hasSize(3);
  }

  /** Removes the last started member from the cluster and stops it. */
  private static void retire(String id) throws Exception {
    assertThat(go("member", "remove", id).code()).isZero();
    cluster.stop(learner);
  }

  /** The hex ID of a member that is not the leader, and of the leader. */
  private static String[] followerAndLeader() throws Exception {
    String json = go("endpoint", "status", "-w", "json").out();
    Matcher m = Pattern.compile("\"member_id\":(\\d+).*?\"leader\":(\\d+)").matcher(json);
    String follower = null;
    String leader = null;
    while (m.find()) {
      leader = Long.toHexString(Long.parseUnsignedLong(m.group(2)));
      if (!m.group(1).equals(m.group(2))) {
        follower = Long.toHexString(Long.parseUnsignedLong(m.group(1)));
      }
    }
    return new String[] {follower, leader};
  }

  @Test
  @Order(8)
  void moveLeader() throws Exception {
    assertThat(voters).hasSize(3);
    for (String f : FORMATS) {
      Golden.Result go = go("move-leader", followerAndLeader()[0], "-w", f);
      Golden.Result ours = ours("move-leader", followerAndLeader()[0], "-w", f);
      assertThat(comparable(ours, f)).as(f).isEqualTo(comparable(go, f));
    }
    Golden.Result go = go("move-leader", followerAndLeader()[1]);
    Golden.Result ours = ours("move-leader", followerAndLeader()[1]);
    assertThat(ours.normalised()).isEqualTo(go.normalised());
    same("move-leader", "1234");
    same("move-leader");
    same("move-leader", "zz", "-w", "json");
    same("move-leader", "1", "2");
  }

  @Test
  @Order(9)
  void moveLeaderWithoutTheLeaderAmongTheEndpoints() throws Exception {
    String[] fl = followerAndLeader();
    String followerEp = null;
    for (String ep : voters) {
      String json = Golden.go(List.of("--endpoints=" + ep, "endpoint", "status", "-w", "json"), "", Map.of()).out();
      if (!json.contains("\"member_id\":" + Long.parseUnsignedLong(fl[1], 16) + ",")) {
        followerEp = ep;
      }
    }
    List<String> args = List.of("--endpoints=" + followerEp, "move-leader", fl[0]);
    assertThat(Golden.ours(args, "", Map.of()).normalised()).isEqualTo(Golden.go(args, "", Map.of()).normalised());
    List<String> unreachable = List.of("--endpoints=127.0.0.1:" + RealEtcd.closedPort() + "," + followerEp,
        "--command-timeout=1s", "move-leader", fl[0]);
    assertThat(Golden.ours(unreachable, "", Map.of()).normalised())
        .isEqualTo(Golden.go(unreachable, "", Map.of()).normalised());
  }
}
