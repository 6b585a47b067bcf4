package io.etcdjava.ctl;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * etcdctl: the command-line client, a drop-in for Go etcdctl 3.4 (v3 API). {@link #run} is the whole
 * program with its surroundings passed in, so tests run it in-process; {@link #main} is the launcher's.
 */
public final class Etcdctl {
  /** The etcdctl release whose behaviour and output this one reproduces. */
  static final String VERSION = "3.4.23";
  static final String API_VERSION = "3.4";

  private Etcdctl() {}

  public static void main(String[] args) {
    warmUpInBackground();
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
    PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true);
    int code = run(args, out, err, System.in, new LinkedHashMap<>(System.getenv()));
    out.flush();
    err.flush();
    Runtime.getRuntime().halt(code);
  }

  /**
   * Starts java.util.logging on a second thread while this one parses the command line: protobuf's and
   * grpc's classes hold static JUL loggers, and JUL's start-up (LogManager, its configuration, the
   * logger finder lookup) is ~20 ms of a one-shot command that need not be on the critical path.
   */
  private static void warmUpInBackground() {
    Thread t = new Thread(Etcdctl::startLogging, "etcdctl-warm-up");
    t.setDaemon(true);
    t.start();
  }

  private static void startLogging() {
    java.util.logging.Logger.getLogger(Etcdctl.class.getName());
  }

  /** Runs etcdctl with these arguments, streams and environment; returns the process exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
    Map<String, String> e = new LinkedHashMap<>(env);
    String apiv = e.remove("ETCDCTL_API");
    Io io = new Io(out, err, in, e);
    try {
      if (apiv != null && !apiv.isEmpty() && !apiv.equals("3")) {
        // etcdctl 3.4 would start its v2 client for "2"; etcd-java serves only the v3 API
        io.err("unsupported API version " + apiv + "\n");
        return CtlExit.ERROR;
      }
      return execute(Arrays.asList(args), io);
    } catch (CtlExit x) {
      return x.code;
    } finally {
      out.flush();
      err.flush();
    }
  }

  private static int execute(List<String> args, Io io) {
    Command root = rootFor(args);
    Command.Found found = root.find(args);
    Command cmd = found.cmd();
    if (cmd == root && !cmd.children().isEmpty()) {
      List<String> rest = nonFlagArgs(found.args(), root);
      if (!rest.isEmpty()) {
        String msg = root.unknownCommandError(rest.get(0));
        io.err("Error: " + msg + "\n");
        io.err("Run '" + root.path() + " --help' for usage.\n");
        throw io.exitWithError(CtlExit.ERROR, msg);
      }
    }
    FlagSet flags = cmd.allFlags();
    flags.addAll(cmd.helpFlagSet());
    try {
      flags.parse(found.args());
    } catch (IllegalArgumentException x) {
      io.err("Error: " + x.getMessage() + "\n");
      io.out(cmd.usage());
      io.err("\n");
      throw io.exitWithError(CtlExit.ERROR, x.getMessage());
    }
    if ((Boolean) flags.lookup("help").value() || !cmd.runnable()) {
      io.out(cmd.usage());
      return CtlExit.SUCCESS;
    }
    Invocation inv = new Invocation(io, cmd, flags);
    inv.osArgs = osArgs(args);
    try {
      cmd.action.run(inv, flags.args());
    } finally {
      inv.closeAll();
    }
    return CtlExit.SUCCESS;
  }

  /** os.Args as Go sees it: the program name first. */
  private static List<String> osArgs(List<String> args) {
    List<String> a = new java.util.ArrayList<>();
    a.add("etcdctl");
    a.addAll(args);
    return a;
  }

  /** The positional arguments cobra's legacyArgs looks at (flags and their values stripped). */
  private static List<String> nonFlagArgs(List<String> args, Command root) {
    FlagSet fs = root.allFlags();
    fs.addAll(root.helpFlagSet());
    try {
      fs.parse(args);
      return fs.args();
    } catch (RuntimeException x) {
      return args.stream().filter(a -> !a.startsWith("-")).toList();
    }
  }

  /** etcdctl's top-level commands. */
  static final List<String> TOP_LEVEL = List.of("get", "put", "del", "txn", "compaction", "endpoint", "version",
      "lease", "member", "alarm", "auth", "check", "completion", "defrag", "elect", "help", "lock", "make-mirror",
      "migrate", "move-leader", "role", "snapshot", "user", "watch");

  /** The whole command tree. */
  static Command rootCommand() {
    Command root = bareRoot();
    for (String name : TOP_LEVEL) {
      root.add(topLevel(name));
    }
    return root;
  }

  /**
   * The tree these arguments need: when they name a top-level command exactly, the root holds only that
   * one. Building all two dozen commands loads their classes and links their lambdas, a third of a
   * short run's time. help and completion walk the whole tree, and a prefix or an unknown word needs
   * every sibling for matching and suggestions.
   */
  static Command rootFor(List<String> args) {
    Command root = bareRoot();
    String first = root.firstCommandWord(args);
    if (first == null || first.equals("help") || first.equals("completion") || !TOP_LEVEL.contains(first)) {
      return rootCommand();
    }
    return root.add(topLevel(first));
  }

  private static Command bareRoot() {
    Command root = new Command("etcdctl", "A simple command line client for etcd3.", "", null);
    globalFlags(root);
    return root;
  }

  /** A switch, not a table of factories: only the chosen command's classes load. */
  private static Command topLevel(String name) {
    return switch (name) {
      case "get" -> KvCommands.get();
      case "put" -> KvCommands.put();
      case "del" -> KvCommands.del();
      case "txn" -> TxnCommand.create();
      case "compaction" -> ClusterCommands.compaction();
      case "endpoint" -> ClusterCommands.endpoint();
      case "version" -> ClusterCommands.version();
      case "lease" -> LeaseCommands.create();
      case "member" -> ClusterCommands.member(MemberCommands.add(), MemberCommands.remove(),
          MemberCommands.update(), MemberCommands.promote());
      case "alarm" -> MaintenanceCommands.alarm();
      case "auth" -> AuthCommands.create();
      case "check" -> CheckCommands.create();
      case "completion" -> Completion.create();
      case "defrag" -> MaintenanceCommands.defrag();
      case "elect" -> ElectCommand.create();
      case "help" -> help();
      case "lock" -> LockCommands.lock();
      case "make-mirror" -> MakeMirror.create();
      case "migrate" -> stub("migrate", "Migrates keys in a v2 store to a mvcc store");
      case "move-leader" -> MaintenanceCommands.moveLeader();
      case "role" -> RoleCommands.create();
      case "snapshot" -> SnapshotCommands.create();
      case "user" -> UserCommands.create();
      case "watch" -> WatchCommand.create();
      default -> throw new IllegalArgumentException("no top-level command " + name);
    };
  }

  private static void globalFlags(Command root) {
    root.persistentFlags.add(new Flag("endpoints", "", Flag.Type.STRING_SLICE,
        new java.util.ArrayList<>(List.of("127.0.0.1:2379")), "gRPC endpoints"));
    root.boolFlag(true, "debug", "", false, "enable client-side debug logging");
    root.stringFlag(true, "write-out", "w", "simple", "set the output format (fields, json, protobuf, simple, table)");
    root.boolFlag(true, "hex", "", false, "print byte strings as hex encoded strings");
    root.persistentFlags.add(duration("dial-timeout", "2s", "dial timeout for client connections"));
    root.persistentFlags.add(duration("command-timeout", "5s",
        "timeout for short running command (excluding dial timeout)"));
    root.persistentFlags.add(duration("keepalive-time", "2s", "keepalive time for client connections"));
    root.persistentFlags.add(duration("keepalive-timeout", "6s", "keepalive timeout for client connections"));
    root.boolFlag(true, "insecure-transport", "", true, "disable transport security for client connections");
    root.boolFlag(true, "insecure-discovery", "", true, "accept insecure SRV records describing cluster endpoints");
    root.boolFlag(true, "insecure-skip-tls-verify", "", false,
        "skip server certificate verification (CAUTION: this option should be enabled only for testing purposes)");
    root.stringFlag(true, "cert", "", "", "identify secure client using this TLS certificate file");
    root.stringFlag(true, "key", "", "", "identify secure client using this TLS key file");
    root.stringFlag(true, "cacert", "", "", "verify certificates of TLS-enabled secure servers using this CA bundle");
    root.stringFlag(true, "user", "", "", "username[:password] for authentication (prompt if password is not supplied)");
    root.stringFlag(true, "password", "", "",
        "password for authentication (if this option is used, --user option shouldn't include password)");
    root.stringFlag(true, "discovery-srv", "d", "", "domain name to query for SRV records describing cluster endpoints");
    root.stringFlag(true, "discovery-srv-name", "", "", "service name to query when using DNS discovery");
  }

  private static Flag duration(String name, String def, String usage) {
    return new Flag(name, "", Flag.Type.DURATION, GoText.parseDuration(def), usage);
  }

  /** A command of etcdctl that this slice lists in help but does not run yet. */
  private static Command stub(String use, String shortDesc) {
    return new Command(use, shortDesc, "", (inv, args) -> {
      throw inv.io.exitWithError(CtlExit.BAD_FEATURE,
          "\"" + inv.cmd.path() + "\" is not implemented in etcd-java's etcdctl yet");
    });
  }

  private static Command help() {
    return new Command("help [command]", "Help about any command",
        "Help provides help for any command in the application.\n"
            + "Simply type etcdctl help [path to command] for full details.", (inv, args) -> {
          Command root = inv.cmd.root();
          Command.Found f = root.find(args);
          if (f.cmd() == root && !args.isEmpty()) {
            inv.io.out("Unknown help topic " + GoText.list(args) + "\n");
          }
          inv.io.out(f.cmd().usage());
        });
  }
}
