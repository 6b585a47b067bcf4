package io.etcdjava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A few golden runs through the real launcher script (bin/etcdctl), after the jar and archive are built. */
@Timeout(120)
class LauncherIT {
  @RegisterExtension
  static final RealEtcd ETCD = new RealEtcd();
  private static final String LAUNCHER = System.getProperty("etcdjava.ctl.launcher", "../bin/etcdctl");

  private static void same(String launcher, List<String> args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(launcher));
    cmd.addAll(args);
    Golden.Result ours = Golden.process(cmd, "", Map.of()).normalised();
    Golden.Result go = Golden.go(args, "", Map.of()).normalised();
    assertThat(ours).as("%s", args).isEqualTo(go);
  }

  @Test
  void launcherMatchesGoEtcdctl() throws Exception {
    String ep = "--endpoints=" + ETCD.endpoint();
    same(LAUNCHER, List.of(ep, "put", "launcher", "value"));
    same(LAUNCHER, List.of(ep, "get", "launcher", "-w", "json"));
    same(LAUNCHER, List.of(ep, "member", "list", "-w", "table"));
    same(LAUNCHER, List.of("version"));
    same(LAUNCHER, List.of(ep, "get", "--bogus"));
  }

  @Test
  void javaOptionsReachTheJvmWithoutAnUnrecognizedVariableWarning() throws Exception {
    List<String> args = List.of("--endpoints=" + ETCD.endpoint(), "get", "launcher");
    Golden.Result ours = Golden.process(java.util.stream.Stream.concat(java.util.stream.Stream.of(LAUNCHER),
        args.stream()).toList(), "", Map.of("ETCDCTL_JAVA_OPTS", "-Xmx64m -Dlauncher.probe=1")).normalised();
    Golden.Result go = Golden.go(args, "", Map.of()).normalised();
    assertThat(ours).isEqualTo(go);
    // a bad JVM option makes the JVM refuse to start: the variable really reaches it
    Golden.Result bad = Golden.process(java.util.stream.Stream.concat(java.util.stream.Stream.of(LAUNCHER),
        args.stream()).toList(), "", Map.of("ETCDCTL_JAVA_OPTS", "-XX:+NoSuchJvmOption"));
    assertThat(bad.code()).isNotZero();
    assertThat(bad.err()).contains("NoSuchJvmOption");
  }

  @Test
  void launcherWorksThroughASymlinkFromAnotherDirectory(@TempDir Path dir) throws Exception {
    Path link = dir.resolve("etcdctl");
    Files.createSymbolicLink(link, Path.of(LAUNCHER).toAbsolutePath());
    same(link.toString(), List.of("--endpoints=" + ETCD.endpoint(), "get", "launcher"));
  }
}
