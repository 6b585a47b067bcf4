package io.etcdjava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The completion scripts come from our command tree; bash sources ours and completes with it. */
@Timeout(120)
class CompletionTest {
  @TempDir
  static Path dir;

  private static String script(String shell) {
    Golden.Result r = Golden.ours(List.of("completion", shell), "", Map.of());
    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    return r.out();
  }

  /** Sources the bash script, completes the given words with the cursor on the last one, prints COMPREPLY. */
  private static String complete(String... words) throws Exception {
    Path f = dir.resolve("etcdctl.bash");
    Files.writeString(f, script("bash"));
    StringBuilder arr = new StringBuilder();
    for (String w : words) {
      arr.append(" '").append(w).append('\'');
    }
    String sh = "source " + f + "; COMP_WORDS=(" + arr + "); COMP_CWORD=" + (words.length - 1) + "; "
        + "$(complete -p etcdctl | sed -E 's/.* -F ([^ ]+) .*/\\1/'); echo \"${COMPREPLY[*]}\"";
    Golden.Result r = Golden.process(List.of("bash", "-c", sh), "", Map.of());
    assertThat(r.err()).isEmpty();
    return r.out().strip();
  }

  @Test
  void bashRegistersACompletionForEtcdctl() throws Exception {
    Path f = dir.resolve("reg.bash");
    Files.writeString(f, script("bash"));
    Golden.Result r = Golden.process(List.of("bash", "-c", "source " + f + " && complete -p etcdctl"), "", Map.of());
    assertThat(r.out()).startsWith("complete ").contains(" -F ").endsWith(" etcdctl\n");
  }

  @Test
  void bashCompletesCommandsSubCommandsAndFlags() throws Exception {
    assertThat(complete("etcdctl", "ge")).isEqualTo("get");
    assertThat(complete("etcdctl", "l")).isEqualTo("lease lock");
    assertThat(complete("etcdctl", "lease", "")).isEqualTo("grant keep-alive list revoke timetolive");
    assertThat(complete("etcdctl", "--endpoints=127.0.0.1:2379", "user", "gr")).isEqualTo("grant-role");
    assertThat(complete("etcdctl", "get", "--pre")).isEqualTo("--prefix");
    assertThat(complete("etcdctl", "role", "grant-permission", "--fr")).isEqualTo("--from-key");
    assertThat(complete("etcdctl", "watch", "--pr")).isEqualTo("--prefix --prev-kv");
    assertThat(complete("etcdctl", "--wri")).isEqualTo("--write-out");
  }

  @Test
  void everyShellsScriptNamesEveryCommand() {
    Command root = Etcdctl.rootCommand();
    for (String shell : List.of("bash", "zsh", "fish", "powershell")) {
      String s = script(shell);
      for (Command c : root.children()) {
        assertThat(s).as("%s script has %s", shell, c.name()).contains(c.name());
      }
      assertThat(s).as(shell).contains("grant-permission").contains("--endpoints").doesNotContain("progress-notify");
    }
  }

  @Test
  void completionHelpAndBadShell() throws Exception {
    Golden.Result r = Golden.ours(List.of("completion", "tcsh"), "", Map.of());
    assertThat(r.out()).startsWith("NAME:\n\tcompletion - Generate the autocompletion script for the specified shell");
    Golden.Result go = Golden.go(List.of("completion", "--help"), "", Map.of());
    assertThat(Golden.ours(List.of("completion", "--help"), "", Map.of())).isEqualTo(go);
  }
}
