package io.etcdjava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Golden tests: for each command and output format, Debian's etcdctl and ours run against the same real
 * etcd with the same arguments, stdin and environment, and must print the same stdout and stderr and exit
 * with the same code (after {@link Golden#normalise}).
 */
@Timeout(120)
class GoldenTest {
  @RegisterExtension
  static final RealEtcd ETCD = new RealEtcd();
  private static final List<String> FORMATS = List.of("simple", "json", "fields", "protobuf", "table");

  static String ep() {
    return "--endpoints=" + ETCD.endpoint();
  }

  @BeforeAll
  static void seed() throws Exception {
    for (String[] kv : new String[][] {{"foo", "bar"}, {"foo1", "b a z"}, {"foo2", "\"quoted\"\t<&>"},
        {"fop", "x"}, {"zeta", "last"}, {"\u00e9t\u00e9", "caf\u00e9"}}) {
      assertThat(Golden.go(List.of(ep(), "put", kv[0], kv[1]), "", Map.of()).code()).isZero();
    }
  }

  /** Runs both; requires identical normalised results. */
  static void same(String stdin, Map<String, String> env, List<String> args) throws Exception {
    Golden.Result go = Golden.go(args, stdin, env).normalised();
    Golden.Result ours = Golden.ours(args, stdin, env).normalised();
    assertThat(ours.err()).as("stderr of %s", args).isEqualTo(go.err());
    assertThat(ours.out()).as("stdout of %s", args).isEqualTo(go.out());
    assertThat(ours.code()).as("exit code of %s", args).isEqualTo(go.code());
  }

  static void same(String... args) throws Exception {
    same("", Map.of(), withEp(args));
  }

  static List<String> withEp(String... args) {
    List<String> a = new ArrayList<>();
    a.add(ep());
    a.addAll(List.of(args));
    return a;
  }

  static Stream<DynamicTest> eachFormat(String name, String... args) {
    return FORMATS.stream().map(f -> DynamicTest.dynamicTest(name + " -w " + f, () -> {
      List<String> a = new ArrayList<>(List.of(args));
      a.add("-w");
      a.add(f);
      same(a.toArray(String[]::new));
    }));
  }

  @TestFactory
  Stream<DynamicTest> getInEveryFormat() {
    return Stream.of(
        eachFormat("get", "get", "foo"),
        eachFormat("get --prefix", "get", "foo", "--prefix"),
        eachFormat("get missing", "get", "nothing-here"),
        eachFormat("get --keys-only --limit", "get", "f", "--prefix", "--keys-only", "--limit=2"),
        eachFormat("get --hex", "get", "--hex", "foo2"),
        eachFormat("get range", "get", "foo", "fop"),
        eachFormat("get non-ascii", "get", "\u00e9t\u00e9"),
        eachFormat("get --from-key --sort-by", "get", "--from-key", "a", "--sort-by=VALUE", "--order=DESCEND"),
        eachFormat("get --print-value-only", "get", "foo", "--print-value-only"),
        eachFormat("get --consistency=s --rev", "get", "foo", "--consistency=s", "--rev=2"))
        .flatMap(s -> s);
  }

  @Test
  void getFlagErrors() throws Exception {
    same("get");
    same("get", "a", "--prefix", "--from-key");
    same("get", "a", "b", "--prefix");
    same("get", "a", "--consistency=x");
    same("get", "a", "--order=up");
    same("get", "a", "--sort-by=size");
    same("get", "a", "--limit=abc");
    same("get", "a", "--limit");
    same("get", "a", "--prefix=maybe");
    same("get", "a", "--bogus");
    same("get", "a", "-x");
    same("get", "a", "--count-only");
    same("-w", "xml", "get", "foo");
    same("--write-out=yaml", "get", "foo");
    same("--dial-timeout=xyz", "get", "foo");
    same("get", "--rev=1", "foo");
  }

  /** Both sides start from the same state: {@code setup} runs (through Go's etcdctl) before each. */
  static void sameFrom(List<List<String>> setup, String... args) throws Exception {
    for (List<String> s : setup) {
      Golden.go(s, "", Map.of());
    }
    Golden.Result go = Golden.go(withEp(args), "", Map.of());
    for (List<String> s : setup) {
      Golden.go(s, "", Map.of());
    }
    Golden.Result ours = Golden.ours(withEp(args), "", Map.of());
    if (List.of(args).contains("protobuf")) {
      // wire bytes carry the revisions the two runs produced: compare the decoded messages without them
      assertThat(ours.code()).isEqualTo(go.code());
      assertThat(withoutRevisions(ours.out())).as("%s", List.of(args)).isEqualTo(withoutRevisions(go.out()));
      return;
    }
    assertThat(ours.normalised()).as("%s", List.of(args)).isEqualTo(go.normalised());
  }

  /** Decodes a response's wire bytes (any of etcd's responses) and clears every revision field. */
  static String withoutRevisions(String latin1) throws Exception {
    byte[] b = latin1.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    // numeric fields become N; field numbers, nesting, keys and values stay
    return com.google.protobuf.UnknownFieldSet.parseFrom(b).toString().replaceAll("(?m)^(\\s*\\d+: )\\d+$", "$1N");
  }

  @Test
  void put() throws Exception {
    for (String f : FORMATS) {
      List<List<String>> fresh = List.of(withEp("del", "p-" + f), withEp("put", "p-" + f, "v1"));
      sameFrom(fresh, "put", "p-" + f, "v2", "--prev-kv", "-w", f);
      sameFrom(fresh, "put", "p-" + f, "v2", "-w", f);
    }
    same("put", "p-simple", "--ignore-value", "--prev-kv");
    same("put", "p-simple", "x", "--ignore-value");
    same("put", "p-simple", "x", "--lease=zz");
    same("put", "p-simple", "x", "--lease=1234");
    same("put");
    same("in-stdin", Map.of(), withEp("put", "p-stdin"));
    same("", Map.of(), withEp("put", "p-empty-stdin"));
    same("put", "--", "p-dash", "-v");
  }

  @Test
  void del() throws Exception {
    for (String f : FORMATS) {
      sameFrom(List.of(withEp("put", "d-" + f + "-a", "1"), withEp("put", "d-" + f + "-b", "2")),
          "del", "d-" + f + "-", "--prefix", "--prev-kv", "-w", f);
      sameFrom(List.of(withEp("put", "d-" + f + "-a", "1")), "del", "d-" + f + "-a", "-w", f);
    }
    same("del");
    same("del", "a", "b", "c");
    same("del", "a", "--prefix", "--from-key");
    same("del", "nothing", "-w", "json");
    sameFrom(List.of(withEp("put", "\u00e9t\u00e9", "caf\u00e9")), "del", "zzzz", "--from-key", "--prev-kv");
  }

  @TestFactory
  Stream<DynamicTest> txn() {
    String script = "value(\"foo\") = \"bar\"\nmod(\"foo1\") > \"0\"\n\nput t1 v1\nget foo --prefix\ndel t1 --prev-kv\n"
        + "\nput t2 v2\n\n";
    String failing = "ver(\"foo\") = \"100\"\n\nput t3 v3\n\nget foo\nget \"foo1\" --keys-only\n\n";
    List<DynamicTest> ts = new ArrayList<>();
    for (String f : FORMATS) {
      if (!f.equals("protobuf")) {
        // the protobuf bytes carry the revision the writes produce, which differs between the two runs
        ts.add(DynamicTest.dynamicTest("txn -w " + f, () -> same(script, Map.of(), withEp("txn", "-w", f))));
      }
      ts.add(DynamicTest.dynamicTest("txn -i -w " + f, () -> same(failing, Map.of(), withEp("txn", "-i", "-w", f))));
    }
    for (String bad : List.of("", "\n", "foo\n", "value(\"foo\") ~ \"bar\"\n\n\n\n", "value(foo) = \"x\"\n",
        "c(\"foo\") = \"x\"\n", "unknown(\"foo\") = \"1\"\n", "\nput onlyone\n", "\nwatch a b\n\n\n",
        "\nget a --bogus\n\n\n", "\nput a b c --ignore-value\n\n\n", "\n\n\n")) {
      ts.add(DynamicTest.dynamicTest("txn input " + bad.replace("\n", "\\n"),
          () -> same(bad, Map.of(), withEp("txn"))));
    }
    ts.add(DynamicTest.dynamicTest("txn with args", () -> same("txn", "extra")));
    return ts.stream();
  }

  @Test
  void compaction() throws Exception {
    same("compaction");
    same("compaction", "abc");
    same("compaction", "100000");
    sameFrom(List.of(withEp("compaction", "1")), "compaction", "1");
    for (String f : List.of("simple", "json")) {
      Golden.go(withEp("put", "c", "1"), "", Map.of());
      Golden.Result go = Golden.go(withEp("compaction", currentRevision(), "--physical", "-w", f), "", Map.of());
      Golden.go(withEp("put", "c", "1"), "", Map.of());
      Golden.Result ours = Golden.ours(withEp("compaction", currentRevision(), "--physical", "-w", f), "", Map.of());
      assertThat(ours.normalised()).isEqualTo(go.normalised());
    }
  }

  static String currentRevision() throws Exception {
    String out = Golden.go(withEp("get", "foo", "-w", "fields"), "", Map.of()).out();
    return out.replaceAll("(?s).*\"Revision\" : (\\d+).*", "$1");
  }

  @Test
  void leases() throws Exception {
    Golden.Result g = Golden.go(withEp("lease", "grant", "300"), "", Map.of());
    String id = g.out().split(" ")[1];
    assertThat(Golden.go(withEp("put", "lk", "v", "--lease=" + id), "", Map.of()).code()).isZero();
    for (String f : FORMATS) {
      same("lease", "grant", "100", "-w", f);
      same("lease", "timetolive", id, "-w", f);
      same("lease", "timetolive", id, "--keys", "-w", f);
      same("lease", "keep-alive", "--once", id, "-w", f);
      same("lease", "timetolive", "1", "-w", f);
      same("lease", "revoke", "1", "-w", f);
      same("lease", "keep-alive", "--once", "1", "-w", f);
    }
    same("lease", "grant");
    same("lease", "grant", "ten");
    same("lease", "revoke", "xyz");
    same("lease", "timetolive");
    same("lease", "keep-alive");
    for (String f : List.of("simple", "json", "fields")) {
      String lid = Golden.go(withEp("lease", "grant", "60"), "", Map.of()).out().split(" ")[1];
      String lid2 = Golden.go(withEp("lease", "grant", "60"), "", Map.of()).out().split(" ")[1];
      Golden.Result goRevoke = Golden.go(withEp("lease", "revoke", lid, "-w", f), "", Map.of()).normalised();
      Golden.Result ourRevoke = Golden.ours(withEp("lease", "revoke", lid2, "-w", f), "", Map.of()).normalised();
      assertThat(ourRevoke).isEqualTo(goRevoke);
    }
  }

  @Test
  void leaseList() throws Exception {
    for (String f : FORMATS) {
      same("lease", "list", "-w", f);
    }
  }

  @TestFactory
  Stream<DynamicTest> clusterInEveryFormat() {
    return Stream.of(
        eachFormat("member list", "member", "list"),
        eachFormat("endpoint status", "endpoint", "status"),
        eachFormat("endpoint status --cluster", "endpoint", "status", "--cluster"),
        eachFormat("endpoint hashkv", "endpoint", "hashkv"),
        eachFormat("endpoint hashkv --cluster", "endpoint", "hashkv", "--cluster"),
        eachFormat("endpoint health", "endpoint", "health"),
        eachFormat("endpoint health --cluster", "endpoint", "health", "--cluster"))
        .flatMap(s -> s);
  }

  @Test
  void versionAndHelp() throws Exception {
    same("version");
    same("version", "-w", "json");
    same("--help");
    same("get", "--help");
    same("put", "-h");
    same("lease");
    same("lease", "grant", "--help");
    same("endpoint", "health", "--help");
    same("endpoint", "status", "--help");
    same("member", "list", "--help");
    same("txn", "--help");
    same("help", "get");
    same("gett", "foo");
    same("foo");
    same("lease", "foo");
    same("g", "foo");
  }

  @Test
  void environment() throws Exception {
    same("", Map.of("ETCDCTL_ENDPOINTS", ETCD.endpoint()), List.of("get", "foo"));
    same("", Map.of("ETCDCTL_ENDPOINTS", ETCD.endpoint(), "ETCDCTL_WRITE_OUT", "json"), List.of("get", "foo"));
    same("", Map.of("ETCDCTL_ENDPOINTS", ETCD.endpoint(), "ETCDCTL_HEX", "true"), List.of("get", "foo"));
    same("", Map.of("ETCDCTL_ENDPOINTS", ETCD.endpoint()), List.of(ep(), "get", "foo"));
    same("", Map.of("ETCDCTL_ENDPOINTS", ETCD.endpoint(), "ETCDCTL_FOO", "bar"), List.of("get", "foo"));
    same("", Map.of("ETCDCTL_ENDPOINTS", ETCD.endpoint(), "ETCDCTL_API", "3"), List.of("get", "foo"));
    same("", Map.of("ETCDCTL_API", "4"), List.of("get", "foo"));
    same("", Map.of("ETCDCTL_ENDPOINTS", ETCD.endpoint(), "ETCDCTL_DIAL_TIMEOUT", "3s"), List.of("get", "foo"));
  }

  @Test
  void apiVersion2IsRejected() {
    Golden.Result ours = Golden.ours(List.of("get", "foo"), "", Map.of("ETCDCTL_API", "2"));
    assertThat(ours).isEqualTo(new Golden.Result("", "unsupported API version 2\n", 1));
  }

  @Test
  void unreachableEndpoint() throws Exception {
    String closed = "--endpoints=127.0.0.1:" + RealEtcd.closedPort();
    same("", Map.of(), List.of(closed, "--command-timeout=1s", "get", "foo"));
    same("", Map.of(), List.of(closed, "--command-timeout=1s", "put", "foo", "bar"));
    same("", Map.of(), List.of(closed, "--command-timeout=1s", "member", "list", "-w", "json"));
  }

  @Test
  void failsOverToTheNextEndpoint() throws Exception {
    String eps = "--endpoints=127.0.0.1:" + RealEtcd.closedPort() + "," + ETCD.endpoint();
    same("", Map.of(), List.of(eps, "get", "foo", "-w", "json"));
  }
}
