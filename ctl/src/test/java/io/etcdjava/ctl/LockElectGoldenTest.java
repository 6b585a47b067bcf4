package io.etcdjava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Golden tests of lock and elect against real etcd's v3lock/v3election services: both etcdctls hold the
 * lock or leadership, print the key (lease IDs normalised), and release it on SIGTERM with exit code 0.
 */
@Timeout(600)
class LockElectGoldenTest {
  @RegisterExtension
  static final RealEtcd ETCD = new RealEtcd();
  private static final Duration WAIT = Duration.ofSeconds(60);

  static List<String> ep(String... args) {
    List<String> a = new ArrayList<>();
    a.add("--endpoints=" + ETCD.endpoint());
    a.addAll(List.of(args));
    return a;
  }

  /**
   * Keys hold the session's lease ID, which the two runs get differently: in json the key is base64 and
   * the lease decimal, so both are erased there too (the simple and fields runs check the key's shape).
   */
  static String normalise(String s) {
    // a lease ID is printed in hex without leading zeros, so it has fewer than 16 digits when the
    // member ID's low byte is small (Golden's HEXID only takes 16)
    return Golden.normalise(s).replaceAll("((?:lk|el)-[a-z]+)/[0-9a-f]{1,16}(?![0-9a-f])", "$1/HEXID")
        .replaceAll("\"key\":\"[^\"]*\"", "\"key\":\"K\"")
        .replaceAll("(\"lease\":|\"Lease\" : )\\d+", "$1N");
  }

  /** Go's run until {@code goDone}, then ours until it printed the same; both stopped by SIGTERM. */
  static void sameHeld(List<String> args, Predicate<String> goDone) throws Exception {
    Golden.Result go;
    try (Streaming s = Streaming.go(args, Map.of())) {
      s.awaitOut(goDone, WAIT);
      go = s.stop();
    }
    String want = normalise(go.out());
    Golden.Result ours;
    try (Streaming s = Streaming.ours(args, Map.of())) {
      s.awaitOut(o -> normalise(o).equals(want), WAIT);
      ours = s.stop();
    }
    assertThat(normalise(ours.out())).as("stdout of %s", args).isEqualTo(want);
    assertThat(normalise(ours.err())).as("stderr of %s", args).isEqualTo(normalise(go.err()));
    assertThat(ours.code()).as("exit code of %s", args).isEqualTo(go.code());
  }

  @Test
  void lockHeldUntilSigterm() throws Exception {
    for (String f : List.of("simple", "json", "fields")) {
      sameHeld(ep("lock", "lk-" + f, "--ttl=30", "-w", f), o -> o.endsWith("\n"));
      // released: nothing is left under the lock's prefix
      assertThat(Golden.go(ep("get", "lk-" + f, "--prefix", "--keys-only"), "", Map.of()).out()).isEmpty();
    }
  }

  @Test
  void lockRunsTheCommandWithTheLockVariables() throws Exception {
    for (List<String> cmd : List.of(List.of("sh", "-c", "echo ${ETCD_LOCK_KEY%/*} ${ETCD_LOCK_REV:+has-rev}"),
        List.of("false"), List.of("no-such-command-here"))) {
      List<String> args = new ArrayList<>(ep("lock", "lk-exec"));
      args.addAll(cmd);
      Golden.Result go = Golden.go(args, "", Map.of()).normalised();
      Golden.Result ours = Golden.ours(args, "", Map.of()).normalised();
      assertThat(ours).as("%s", cmd).isEqualTo(go);
    }
  }

  @Test
  void campaignPrintsTheLeaderKeyAndResignsOnSigterm() throws Exception {
    for (String f : List.of("simple", "json")) {
      sameHeld(ep("elect", "el-" + f, "proposal-" + f, "-w", f), o -> o.endsWith("\n"));
      assertThat(Golden.go(ep("get", "el-" + f, "--prefix", "--keys-only"), "", Map.of()).out()).isEmpty();
    }
  }

  @Test
  void observerPrintsTheLeader() throws Exception {
    try (Streaming leader = Streaming.go(ep("elect", "el-obs", "the-leader"), Map.of())) {
      leader.awaitOut(o -> o.contains("the-leader\n"), WAIT);
      sameHeld(ep("elect", "-l", "el-obs"), o -> o.contains("the-leader\n"));
      sameHeld(ep("elect", "-l", "el-obs", "-w", "json"), o -> o.endsWith("}\n"));
    }
  }

  @Test
  void badArguments() throws Exception {
    for (List<String> args : List.of(List.of("lock"), List.of("elect"), List.of("elect", "e"),
        List.of("elect", "-l", "e", "p"), List.of("elect", "a", "b", "c"), List.of("lock", "--ttl=x", "l"),
        List.of("lock", "--help"), List.of("elect", "--help"))) {
      Golden.Result go = Golden.go(ep(args.toArray(String[]::new)), "", Map.of()).normalised();
      Golden.Result ours = Golden.ours(ep(args.toArray(String[]::new)), "", Map.of()).normalised();
      assertThat(ours).as("%s", args).isEqualTo(go);
    }
  }
}
