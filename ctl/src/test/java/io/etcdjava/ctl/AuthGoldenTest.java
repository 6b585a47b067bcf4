package io.etcdjava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Golden tests of auth, user and role commands and of the global --user/--password flags: Go's etcdctl and
 * ours against the same fresh real etcd, each run from the same state, identical stdout, stderr and exit code.
 */
@Timeout(300)
class AuthGoldenTest {
  @RegisterExtension
  static final RealEtcd ETCD = new RealEtcd();
  private static final List<String> FORMATS = List.of("simple", "json", "fields", "protobuf", "table");

  static List<String> ep(String... args) {
    List<String> a = new ArrayList<>();
    a.add("--endpoints=" + ETCD.endpoint());
    a.addAll(List.of(args));
    return a;
  }

  static void go(String... args) throws Exception {
    Golden.go(ep(args), "", Map.of());
  }

  /** Runs {@code setup} through Go's etcdctl before each side, then compares the two runs. */
  static void sameFrom(List<List<String>> setup, String stdin, List<String> args) throws Exception {
    for (List<String> s : setup) {
      Golden.go(ep(s.toArray(String[]::new)), "", Map.of());
    }
    Golden.Result go = Golden.go(ep(args.toArray(String[]::new)), stdin, Map.of()).normalised();
    for (List<String> s : setup) {
      Golden.go(ep(s.toArray(String[]::new)), "", Map.of());
    }
    Golden.Result ours = Golden.ours(ep(args.toArray(String[]::new)), stdin, Map.of()).normalised();
    assertThat(ours.err()).as("stderr of %s", args).isEqualTo(go.err());
    assertThat(ours.out()).as("stdout of %s", args).isEqualTo(go.out());
    assertThat(ours.code()).as("exit code of %s", args).isEqualTo(go.code());
  }

  static void same(String... args) throws Exception {
    sameFrom(List.of(), "", List.of(args));
  }

  @BeforeAll
  static void seed() throws Exception {
    go("role", "add", "r1");
    go("role", "grant-permission", "r1", "readwrite", "foo", "--prefix");
    go("role", "grant-permission", "r1", "read", "a", "z");
    go("role", "grant-permission", "r1", "write", "k", "--from-key");
    go("role", "grant-permission", "r1", "read", "", "--from-key");
    go("role", "grant-permission", "r1", "read", "single");
    go("role", "add", "r2");
    go("user", "add", "u1:pw1");
    go("user", "grant-role", "u1", "r1");
    go("user", "grant-role", "u1", "r2");
    go("user", "add", "u2:pw2");
  }

  @Test
  void readsInEveryFormat() throws Exception {
    for (String f : FORMATS) {
      same("role", "get", "r1", "-w", f);
      same("role", "get", "r2", "-w", f);
      same("role", "list", "-w", f);
      same("user", "list", "-w", f);
      same("user", "get", "u1", "-w", f);
      same("user", "get", "u2", "-w", f);
      same("user", "get", "u1", "--detail", "-w", f);
    }
  }

  @Test
  void roleChangesInEveryFormat() throws Exception {
    List<String> fresh = List.of("role", "delete", "rx");
    List<String> add = List.of("role", "add", "rx");
    for (String f : FORMATS) {
      sameFrom(List.of(fresh), "", List.of("role", "add", "rx", "-w", f));
      sameFrom(List.of(add), "", List.of("role", "delete", "rx", "-w", f));
      sameFrom(List.of(fresh, add), "", List.of("role", "grant-permission", "rx", "read", "k1", "-w", f));
      sameFrom(List.of(fresh, add), "", List.of("role", "grant-permission", "rx", "write", "k1", "k9", "-w", f));
      sameFrom(List.of(fresh, add), "", List.of("role", "grant-permission", "rx", "readwrite", "p/", "--prefix", "-w", f));
      sameFrom(List.of(fresh, add), "", List.of("role", "grant-permission", "rx", "READ", "m", "--from-key", "-w", f));
      List<String> grantKey = List.of("role", "grant-permission", "rx", "read", "k1");
      List<String> grantRange = List.of("role", "grant-permission", "rx", "read", "k1", "k9");
      List<String> grantPrefix = List.of("role", "grant-permission", "rx", "read", "p/", "--prefix");
      List<String> grantFrom = List.of("role", "grant-permission", "rx", "read", "m", "--from-key");
      sameFrom(List.of(fresh, add, grantKey), "", List.of("role", "revoke-permission", "rx", "k1", "-w", f));
      sameFrom(List.of(fresh, add, grantRange), "", List.of("role", "revoke-permission", "rx", "k1", "k9", "-w", f));
      sameFrom(List.of(fresh, add, grantPrefix), "", List.of("role", "revoke-permission", "rx", "p/", "--prefix", "-w", f));
      sameFrom(List.of(fresh, add, grantFrom), "", List.of("role", "revoke-permission", "rx", "m", "--from-key", "-w", f));
    }
    go("role", "delete", "rx");
  }

  @Test
  void userChangesInEveryFormat() throws Exception {
    List<String> fresh = List.of("user", "delete", "ux");
    List<String> add = List.of("user", "add", "ux:old");
    for (String f : FORMATS) {
      sameFrom(List.of(fresh), "", List.of("user", "add", "ux:pw", "-w", f));
      sameFrom(List.of(fresh), "", List.of("user", "add", "ux", "--new-user-password=pw", "-w", f));
      sameFrom(List.of(fresh), "secret other\n", List.of("user", "add", "ux", "--interactive=false", "-w", f));
      sameFrom(List.of(fresh), "", List.of("user", "add", "ux", "--no-password", "-w", f));
      sameFrom(List.of(add), "", List.of("user", "delete", "ux", "-w", f));
      sameFrom(List.of(fresh, add), "new\n", List.of("user", "passwd", "ux", "--interactive=false", "-w", f));
      sameFrom(List.of(fresh, add), "", List.of("user", "grant-role", "ux", "r1", "-w", f));
      sameFrom(List.of(fresh, add, List.of("user", "grant-role", "ux", "r1")), "",
          List.of("user", "revoke-role", "ux", "r1", "-w", f));
    }
    go("user", "delete", "ux");
  }

  @Test
  void passwordPromptsReadStdinWhenItIsNotATerminal() throws Exception {
    List<String> fresh = List.of("user", "delete", "ux");
    sameFrom(List.of(fresh), "pw\npw\n", List.of("user", "add", "ux"));
    sameFrom(List.of(fresh), "pw\nother\n", List.of("user", "add", "ux"));
    sameFrom(List.of(fresh), "\n", List.of("user", "add", "ux"));
    sameFrom(List.of(fresh), "", List.of("user", "add", "ux"));
    sameFrom(List.of(fresh, List.of("user", "add", "ux:a")), "b\nb\n", List.of("user", "passwd", "ux"));
    go("user", "delete", "ux");
  }

  @Test
  void badArgumentsAndUnknownNames() throws Exception {
    same("role", "add");
    same("role", "add", "a", "b");
    same("role", "delete");
    same("role", "get");
    same("role", "list", "x");
    same("role", "get", "nosuchrole");
    same("role", "delete", "nosuchrole");
    same("role", "add", "r1");
    same("role", "grant-permission", "r1", "read");
    same("role", "grant-permission", "r1", "bogus", "k");
    same("role", "grant-permission", "nosuchrole", "read", "k");
    same("role", "grant-permission", "r1", "read", "k", "--prefix", "--from-key");
    same("role", "grant-permission", "r1", "read", "", "--prefix", "--from-key");
    same("role", "grant-permission", "r1", "read", "k", "e", "--prefix");
    same("role", "grant-permission", "r1", "read", "k", "e", "--from-key");
    same("role", "revoke-permission", "r1");
    same("role", "revoke-permission", "r1", "not-granted");
    same("role", "revoke-permission", "nosuchrole", "k");
    same("user", "add");
    same("user", "add", ":pw");
    same("user", "add", "u1:again");
    same("user", "delete");
    same("user", "delete", "nosuchuser");
    same("user", "get");
    same("user", "get", "nosuchuser");
    same("user", "list", "x");
    same("user", "passwd");
    same("user", "grant-role", "u1");
    same("user", "grant-role", "u1", "nosuchrole");
    same("user", "grant-role", "nosuchuser", "r1");
    same("user", "revoke-role", "u1");
    same("user", "revoke-role", "u2", "r1");
    same("auth", "enable", "x");
    same("auth", "disable", "x");
    same("auth", "disable");
    same("user", "add", "--bogus");
    same("auth");
    same("role");
    same("user", "--help");
    same("role", "grant-permission", "--help");
    same("auth", "enable", "--help");
    same("--user", "u1:pw1", "get", "foo");
  }

  @Test
  void authStatusNeedsAnEtcd35Server() throws Exception {
    // etcd 3.4 has no AuthStatus RPC: etcdctl 3.5 reports the gRPC error
    Golden.Result r = Golden.ours(ep("auth", "status"), "", Map.of());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).endsWith("Error: rpc error: code = Unimplemented desc = unknown method AuthStatus for service "
        + "etcdserverpb.Auth\n");
    assertThat(Golden.ours(ep("auth", "status", "extra"), "", Map.of()))
        .isEqualTo(new Golden.Result("", "Error: auth status command does not accept any arguments\n", 128));
  }

  /** Auth on: credentials, wrong passwords, prompts, permission denied; auth is off again afterwards. */
  @Test
  void withAuthEnabled() throws Exception {
    go("user", "add", "root:rootpw");
    List<String> off = List.of("--user=root:rootpw", "auth", "disable");
    try {
      // root without the root role: auth enable creates the role and grants it first
      sameFrom(List.of(off, List.of("role", "delete", "root")), "", List.of("auth", "enable"));
      sameFrom(List.of(off, List.of("role", "add", "root"), List.of("user", "grant-role", "root", "root")), "",
          List.of("auth", "enable"));
      String root = "--user=root:rootpw";
      same("get", "foo");
      same("auth", "enable");
      same(root, "put", "foo1", "v");
      same(root, "get", "foo1");
      same("--user=root:wrong", "get", "foo");
      same("--user=nobody:x", "get", "foo");
      same("--user=root", "--password=rootpw", "get", "foo1");
      same("--user=root", "--password=wrong", "get", "foo1");
      same("--user=u1:pw1", "get", "foo1");
      same("--user=u1:pw1", "get", "b");
      same("--user=u1:pw1", "put", "b", "x");
      same("--user=u2:pw2", "get", "foo1");
      same("--user=u1:pw1", "user", "list");
      same("user", "list");
      same(root, "user", "list");
      same(root, "role", "get", "r1", "-w", "json");
      sameFrom(List.of(), "rootpw\n", List.of("--user=root", "get", "foo1"));
      sameFrom(List.of(), "wrong\n", List.of("--user=root", "get", "foo1"));
      sameFrom(List.of(List.of(root, "auth", "enable")), "", List.of(root, "auth", "disable"));
    } finally {
      go(off.toArray(String[]::new));
    }
    assertThat(Golden.go(ep("user", "list"), "", Map.of()).code()).isZero();
  }
}
