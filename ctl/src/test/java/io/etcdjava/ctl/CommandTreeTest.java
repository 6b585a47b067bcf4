package io.etcdjava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The one-command tree a run builds finds and documents every command exactly as the full tree does. */
@Timeout(60)
class CommandTreeTest {
  private static List<List<String>> everyCommandPath(Command c, List<String> prefix) {
    List<List<String>> out = new ArrayList<>();
    for (Command child : c.children()) {
      List<String> p = new ArrayList<>(prefix);
      p.add(child.name());
      out.add(p);
      out.addAll(everyCommandPath(child, p));
    }
    return out;
  }

  @Test
  void everyTopLevelNameIsInTheTree() {
    List<String> names = Etcdctl.rootCommand().children().stream().map(Command::name).toList();
    assertThat(names).containsExactlyInAnyOrderElementsOf(Etcdctl.TOP_LEVEL);
  }

  @Test
  void aNamedCommandGetsTheSameCommandUsageAndPathAsInTheFullTree() {
    Command full = Etcdctl.rootCommand();
    List<List<String>> paths = everyCommandPath(full, List.of());
    assertThat(paths).hasSizeGreaterThan(50);
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(List.of("--endpoints", "127.0.0.1:1", "-w", "json"));
      args.addAll(path);
      args.add("some-key");
      Command.Found expected = full.find(args);
      Command.Found actual = Etcdctl.rootFor(args).find(args);
      assertThat(actual.cmd().path()).as("%s", path).isEqualTo(expected.cmd().path());
      assertThat(actual.args()).as("%s", path).isEqualTo(expected.args());
      assertThat(actual.cmd().usage()).as("%s", path).isEqualTo(expected.cmd().usage());
    }
  }

  @Test
  void onlyTheNamedCommandIsBuiltAndEverythingElseGetsTheFullTree() {
    assertThat(Etcdctl.rootFor(List.of("--hex", "get", "foo")).children()).extracting(Command::name)
        .containsExactly("get");
    int all = Etcdctl.TOP_LEVEL.size();
    assertThat(Etcdctl.rootFor(List.of("ge", "foo")).children()).hasSize(all);
    assertThat(Etcdctl.rootFor(List.of("help", "get")).children()).hasSize(all);
    assertThat(Etcdctl.rootFor(List.of("completion", "bash")).children()).hasSize(all);
    assertThat(Etcdctl.rootFor(List.of("--debug")).children()).hasSize(all);
    assertThat(Etcdctl.rootFor(List.of("no-such-command")).children()).hasSize(all);
  }
}
