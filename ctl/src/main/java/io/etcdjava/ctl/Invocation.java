package io.etcdjava.ctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One run of a found command: its parsed flags, the environment, and the client and printer built from
 * the global flags the way etcdctl's clientConfigFromCmd does (ETCDCTL_* env first, then validation).
 */
final class Invocation {
  final Io io;
  final Command cmd;
  final FlagSet flags;
  /** The whole command line with a program name first, as Go's os.Args (watch reads "--" from it). */
  List<String> osArgs = List.of();
  private Printer printer;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  Invocation(Io io, Command cmd, FlagSet flags) {
    this.io = io;
    this.cmd = cmd;
    this.flags = flags;
  }

  boolean bool(String name) {
    return (Boolean) flags.lookup(name).value();
  }

  String string(String name) {
    return (String) flags.lookup(name).value();
  }

  long int64(String name) {
    return (Long) flags.lookup(name).value();
  }

  long duration(String name) {
    return (Long) flags.lookup(name).value();
  }

  @SuppressWarnings("unchecked")
  List<String> strings(String name) {
    return (List<String>) flags.lookup(name).value();
  }

  boolean changed(String name) {
    return flags.lookup(name).changed;
  }

  Printer printer() {
    if (printer == null) {
      initDisplay();
    }
    return printer;
  }

  /** initDisplayFromCmd. */
  void initDisplay() {
    printer = Printer.of(string("write-out"), bool("hex"), io);
    if (printer == null) {
      throw io.exitWithError(CtlExit.BAD_FEATURE, "unsupported output format");
    }
  }

  /** flags.SetPflagsFromEnv("ETCDCTL", cmd.InheritedFlags()). */
  void applyEnv() {
    FlagSet fs = cmd.inheritedFlags();
    Map<String, Boolean> used = new java.util.HashMap<>();
    Map<String, Boolean> alreadySet = new java.util.HashMap<>();
    for (Flag f : fs.all()) {
      String key = envKey(f.name);
      if (f.changed) {
        alreadySet.put(key, true);
        continue;
      }
      String v = io.env.get(key);
      if (v != null && !v.isEmpty()) {
        used.put(key, true);
        try {
          fs.set(f, v);
        } catch (IllegalArgumentException ignored) {
          // etcdctl ignores the error SetPflagsFromEnv returns
        }
      }
    }
    for (Map.Entry<String, String> e : io.env.entrySet()) {
      String k = e.getKey();
      if (used.containsKey(k)) {
        continue;
      }
      if (alreadySet.containsKey(k)) {
        io.capnslog('C', "pkg/flags", "conflicting environment variable " + GoText.quote(k)
            + " is shadowed by corresponding command-line flag (either unset environment variable or disable flag)");
        throw new CtlExit(CtlExit.ERROR);
      }
      // watch reads these two itself; etcdctl 3.4.23 does not call them unrecognized. The JVM
      // options of our launcher (bin/etcdctl) are ours, not a flag.
      if (k.startsWith("ETCDCTL_") && !k.equals("ETCDCTL_WATCH_KEY") && !k.equals("ETCDCTL_WATCH_RANGE_END")
          && !k.equals("ETCDCTL_JAVA_OPTS")) {
        io.capnslog('W', "pkg/flags", "unrecognized environment variable " + k + "=" + e.getValue());
      }
    }
  }

  static String envKey(String flag) {
    return "ETCDCTL_" + flag.replace('-', '_').toUpperCase(java.util.Locale.ROOT);
  }

  /** clientConfigFromCmd: env, --debug dump, endpoints, TLS and auth settings, display. */
  ClientConfig clientConfig() {
    applyEnv();
    if (bool("debug")) {
      for (Flag f : cmd.inheritedFlags().all()) {
        io.err(envKey(f.name) + "=" + f.render() + "\n");
      }
    }
    List<String> eps = new ArrayList<>();
    for (String e : strings("endpoints")) {
      eps.add(e.trim());
    }
    for (String name : List.of("cert", "key", "cacert")) {
      if (string(name).isEmpty() && changed(name)) {
        throw io.exitWithError(CtlExit.BAD_ARGS, "empty string is passed to --" + name + " option");
      }
    }
    String user = string("user");
    String password = string("password");
    String u = null;
    String p = null;
    if (!user.isEmpty()) {
      if (password.isEmpty()) {
        int c = user.indexOf(':');
        if (c < 0) {
          u = user;
          p = Passwords.ask(io, "Password: ");
        } else {
          u = user.substring(0, c);
          p = user.substring(c + 1);
        }
      } else {
        u = user;
        p = password;
      }
    }
    initDisplay();
    return new ClientConfig(eps, duration("dial-timeout"), duration("command-timeout"), duration("keepalive-time"),
        duration("keepalive-timeout"), bool("insecure-transport"), bool("insecure-skip-tls-verify"),
        emptyToNull(string("cacert")), emptyToNull(string("cert")), emptyToNull(string("key")), u, p);
  }

  private static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }

  /** mustClientFromCmd. */
  EtcdClient client() {
    return client(clientConfig());
  }

  EtcdClient client(ClientConfig cfg) {
    EtcdClient c;
    try {
      c = new EtcdClient(cfg, io.err);
    } catch (RpcError e) {
      throw io.exitWithError(CtlExit.BAD_CONNECTION, e.getMessage());
    } catch (IllegalArgumentException e) {
      throw io.exitWithError(CtlExit.BAD_ARGS, e.getMessage());
    }
    toClose.add(c);
    return c;
  }

  long commandTimeout() {
    return duration("command-timeout");
  }

  void closeAll() {
    for (AutoCloseable c : toClose) {
      try {
        c.close();
      } catch (Exception ignored) {
        // best effort at exit
      }
    }
  }
}
