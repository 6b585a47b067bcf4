package io.etcdjava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * check perf|datascale against real etcd: same lines, verdicts and exit codes as Go's etcdctl, with the
 * measured numbers and the progress counter erased by {@link Golden#normalise}. check perf runs for a
 * minute by design (etcdctl's small load), once per implementation.
 */
@Timeout(400)
class CheckGoldenTest {
  private static RealCluster etcd;

  @BeforeAll
  static void start() throws Exception {
    etcd = RealCluster.start(1);
  }

  @AfterAll
  static void stop() throws Exception {
    if (etcd != null) {
      etcd.close();
    }
  }

  private static List<String> withEp(String... args) {
    List<String> a = new ArrayList<>(List.of("--endpoints=" + etcd.endpoints()));
    a.addAll(List.of(args));
    return a;
  }

  private static void same(List<String> args) throws Exception {
    Golden.Result go = Golden.go(args, "", Map.of());
    assertThat(Golden.ours(args, "", Map.of()).normalised()).as("%s", args).isEqualTo(go.normalised());
  }

  @Test
  void datascale() throws Exception {
    same(withEp("check", "datascale"));
    same(withEp("check", "datascale", "--auto-compact"));
    assertThat(Golden.go(withEp("get", "/etcdctl-check-datascale/", "--prefix", "--keys-only"), "", Map.of()).out())
        .isEmpty();
  }

  @Test
  void perf() throws Exception {
    Golden.Result go = Golden.go(withEp("check", "perf"), "", Map.of());
    Golden.Result ours = Golden.ours(withEp("check", "perf"), "", Map.of());
    assertThat(Golden.verdictsErased(ours)).isEqualTo(Golden.verdictsErased(go));
    assertThat(ours.out()).containsPattern("(?m)^(PASS|FAIL)\n$");
  }

  @Test
  void badLoadAndOccupiedPrefix() throws Exception {
    same(withEp("check", "perf", "--load=huge"));
    same(withEp("check", "datascale", "--load=tiny"));
    assertThat(Golden.go(withEp("put", "/occupied/a", "1"), "", Map.of()).code()).isZero();
    same(withEp("check", "perf", "--prefix=/occupied/"));
    same(withEp("check", "datascale", "--prefix=/occupied/"));
    same(withEp("check", "perf", "--help"));
    same(withEp("check"));
  }
}
