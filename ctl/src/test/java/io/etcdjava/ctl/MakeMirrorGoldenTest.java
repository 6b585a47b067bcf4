package io.etcdjava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * make-mirror between two real etcds: Go's etcdctl and ours each mirror the same source into an emptied
 * destination, follow live changes, and are stopped; the destinations and outputs must match.
 */
@Timeout(240)
class MakeMirrorGoldenTest {
  private static RealCluster source;
  private static RealCluster dest;

  @BeforeAll
  static void start() throws Exception {
    source = RealCluster.start(1);
    dest = RealCluster.start(1);
    for (int i = 0; i < 40; i++) {
      assertThat(go(source, "put", "src/k-" + i, "v" + i).code()).isZero();
    }
    assertThat(go(source, "put", "other/x", "not mirrored").code()).isZero();
  }

  @AfterAll
  static void stop() throws Exception {
    for (RealCluster c : new RealCluster[] {source, dest}) {
      if (c != null) {
        c.close();
      }
    }
  }

  private static Golden.Result go(RealCluster c, String... args) throws Exception {
    List<String> a = new ArrayList<>(List.of("--endpoints=" + c.endpoints()));
    a.addAll(List.of(args));
    return Golden.go(a, "", Map.of());
  }

  private static String destKeys() throws Exception {
    return go(dest, "get", "", "--from-key").out();
  }

  private static void await(String what, java.util.concurrent.Callable<Boolean> cond) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!cond.call()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  /** Runs one make-mirror process through a copy and a few live changes; returns dest keys and the output. */
  private static List<String> mirrorWith(List<String> launcher, String liveKey) throws Exception {
    assertThat(go(dest, "del", "", "--from-key").code()).isZero();
    List<String> cmd = new ArrayList<>(launcher);
    cmd.addAll(List.of("--endpoints=" + source.endpoints(), "make-mirror", "--prefix=src/", "--dest-prefix=dst/",
        dest.endpoints()));
    Path out = Files.createTempFile("mirror", ".out");
    Path err = Files.createTempFile("mirror", ".err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      await("base copied", () -> go(dest, "get", "dst/", "--prefix", "--keys-only", "-w", "fields").out()
          .contains("\"Count\" : 40"));
      assertThat(go(source, "put", "src/" + liveKey, "live").code()).isZero();
      assertThat(go(source, "del", "src/k-3").code()).isZero();
      assertThat(go(source, "put", "other/y", "ignored").code()).isZero();
      await("changes followed", () -> {
        String keys = destKeys();
        return keys.contains("dst/" + liveKey) && !keys.contains("dst/k-3\n");
      });
      assertThat(p.isAlive()).isTrue();
    } finally {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
      p.destroyForcibly();
    }
    assertThat(go(source, "put", "src/k-3", "v3").code()).isZero();
    assertThat(go(source, "del", "src/" + liveKey).code()).isZero();
    return List.of(destKeys().replace(liveKey, "LIVE"), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void mirrorsAPrefixAndFollowsChanges() throws Exception {
    List<String> go = mirrorWith(List.of(Golden.GO_ETCDCTL), "live-go");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> ours = mirrorWith(List.of(java, "-cp", System.getProperty("java.class.path"),
        Etcdctl.class.getName()), "live-ours");
    assertThat(ours).isEqualTo(go);
    assertThat(go.get(0)).contains("dst/k-0\nv0\n").doesNotContain("other").doesNotContain("src/");
  }

  @Test
  void badArguments() throws Exception {
    for (List<String> a : List.of(List.of("make-mirror"), List.of("make-mirror", "a", "b"),
        List.of("make-mirror", "--dest-prefix=x", "--no-dest-prefix", dest.endpoints()),
        List.of("make-mirror", "--help"))) {
      List<String> args = new ArrayList<>(List.of("--endpoints=" + source.endpoints()));
      args.addAll(a);
      Golden.Result g = Golden.go(args, "", Map.of());
      assertThat(Golden.ours(args, "", Map.of()).normalised()).as("%s", args).isEqualTo(g.normalised());
    }
    assertThat(File.separator).isEqualTo("/");
  }
}
