package io.etcdjava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Golden tests of alarm list|disarm and defrag against real etcd, with and without a NOSPACE alarm. */
@Timeout(240)
class MaintenanceGoldenTest {
  private static final List<String> FORMATS = List.of("simple", "json", "fields", "protobuf", "table");
  private static RealCluster healthy;
  private static RealCluster tiny;

  @BeforeAll
  static void start() throws Exception {
    healthy = RealCluster.start(1);
    tiny = RealCluster.start(1, "--quota-backend-bytes=200000");
  }

  @AfterAll
  static void stop() throws Exception {
    if (healthy != null) {
      healthy.close();
    }
    if (tiny != null) {
      tiny.close();
    }
  }

  private static List<String> args(RealCluster c, String... args) {
    List<String> a = new ArrayList<>();
    a.add("--endpoints=" + c.endpoints());
    a.addAll(List.of(args));
    return a;
  }

  private static void same(RealCluster c, String... args) throws Exception {
    Golden.Result go = Golden.go(args(c, args), "", Map.of());
    assertThat(Golden.ours(args(c, args), "", Map.of()).normalised()).as("%s", List.of(args))
        .isEqualTo(go.normalised());
  }

  /** Writes until etcd refuses for lack of space, which raises the NOSPACE alarm. */
  private static void exhaustQuota() throws Exception {
    String big = "v".repeat(100_000);
    for (int i = 0; i < 50; i++) {
      Golden.Result r = Golden.go(args(tiny, "put", "big" + i, big), "", Map.of());
      if (r.code() != 0) {
        assertThat(r.err()).contains("database space exceeded");
        return;
      }
    }
    throw new AssertionError("quota never exceeded");
  }

  @Test
  void alarmsOfAHealthyMember() throws Exception {
    for (String f : FORMATS) {
      same(healthy, "alarm", "list", "-w", f);
      same(healthy, "alarm", "disarm", "-w", f);
    }
    same(healthy, "alarm", "list", "extra");
    same(healthy, "alarm", "disarm", "extra");
    same(healthy, "alarm");
    same(healthy, "alarm", "--help");
  }

  @Test
  void noSpaceAlarmListedAndDisarmed() throws Exception {
    exhaustQuota();
    for (String f : FORMATS) {
      same(tiny, "alarm", "list", "-w", f);
    }
    for (String f : FORMATS) {
      exhaustQuota();
      Golden.Result go = Golden.go(args(tiny, "alarm", "disarm", "-w", f), "", Map.of());
      exhaustQuota();
      Golden.Result ours = Golden.ours(args(tiny, "alarm", "disarm", "-w", f), "", Map.of());
      assertThat(ours.normalised()).as(f).isEqualTo(go.normalised());
    }
    assertThat(Golden.go(args(tiny, "alarm", "list"), "", Map.of()).out()).isEmpty();
  }

  @Test
  void defrag() throws Exception {
    for (String f : FORMATS) {
      same(healthy, "defrag", "-w", f);
    }
    same(healthy, "defrag", "--cluster");
    same(healthy, "defrag", "ignored-arg");
    same(healthy, "defrag", "--help");
    String closed = "127.0.0.1:" + RealEtcd.closedPort();
    List<String> down = List.of("--endpoints=" + closed + "," + healthy.endpoints(), "--command-timeout=1s", "defrag");
    assertThat(Golden.ours(down, "", Map.of()).normalised()).isEqualTo(Golden.go(down, "", Map.of()).normalised());
  }

  @Test
  void unreachableEndpoint() throws Exception {
    String closed = "--endpoints=127.0.0.1:" + RealEtcd.closedPort();
    for (List<String> a : List.of(List.of("alarm", "list"), List.of("alarm", "disarm"))) {
      List<String> args = new ArrayList<>(List.of(closed, "--command-timeout=1s"));
      args.addAll(a);
      assertThat(Golden.ours(args, "", Map.of()).normalised()).as("%s", args)
          .isEqualTo(Golden.go(args, "", Map.of()).normalised());
    }
  }
}
