package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.WatchCreateRequest;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;

/**
 * watch (watch_command.go): one key, a range or a prefix, from a revision, optionally running a command
 * per event; with -i, "watch ..." and "progress" lines from stdin start watchers on one stream.
 */
final class WatchCommand {
  private static final String BAD_ARGS_NUM = "bad number of arguments";
  private static final String CONFLICT_ENV = "bad number of arguments (found conflicting environment key)";
  private static final String SEPARATOR = "bad number of arguments (found separator --, but no commands)";

  private WatchCommand() {}

  static Command create() {
    Command c = new Command("watch [options] [key or prefix] [range_end] [--] [exec-command arg1 arg2 ...]",
        "Watches events stream on keys or prefixes", "", WatchCommand::run);
    addFlags(c);
    return c;
  }

  private static void addFlags(Command c) {
    c.localFlags.add(new Flag("interactive", "i", Flag.Type.BOOL, false, "Interactive mode"));
    c.boolFlag(false, "prefix", "", false, "Watch on a prefix if prefix is set");
    c.int64Flag(false, "rev", 0, "Revision to start watching");
    c.boolFlag(false, "prev-kv", "", false, "get the previous key-value pair before the event happens");
    // etcdctl 3.5's flag; hidden so that help stays byte-identical to the 3.4 reference
    c.boolFlag(false, "progress-notify", "", false, "get periodic watch progress notification from server").hidden = true;
  }

  /** The watch options of one request line or command line. */
  record Options(boolean prefix, long rev, boolean prevKv, boolean progressNotify) {
    static Options of(FlagSet f) {
      return new Options((Boolean) f.lookup("prefix").value(), (Long) f.lookup("rev").value(),
          (Boolean) f.lookup("prev-kv").value(), (Boolean) f.lookup("progress-notify").value());
    }
  }

  /** Key/range arguments and the exec-command, after etcdctl's parseWatchArgs. */
  record Parsed(List<String> watchArgs, List<String> exec, Options opts) {}

  private static void run(Invocation inv, List<String> args) {
    String envKey = inv.io.env.getOrDefault("ETCDCTL_WATCH_KEY", "");
    String envRange = inv.io.env.getOrDefault("ETCDCTL_WATCH_RANGE_END", "");
    if (envKey.isEmpty() && !envRange.isEmpty()) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS,
          "ETCDCTL_WATCH_KEY is empty but got ETCDCTL_WATCH_RANGE_END=" + GoText.quote(envRange));
    }
    if (inv.bool("interactive")) {
      WatchInteractive.run(inv, envKey, envRange);
      return;
    }
    Parsed p;
    try {
      p = parseCommandLine(inv.osArgs, args, envKey, envRange, Options.of(inv.flags));
    } catch (IllegalArgumentException e) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, e.getMessage());
    }
    EtcdClient c = inv.client();
    WatchCreateRequest req;
    try {
      req = request(p.watchArgs(), p.opts());
    } catch (IllegalArgumentException e) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, e.getMessage());
    }
    WatchOutput out = new WatchOutput(inv.io, inv.string("write-out"), inv.bool("hex"));
    try (WatchStream ws = new WatchStream(c)) {
      ws.watch(req);
      BlockingQueue<WatchStream.Delivery> q = ws.queue();
      while (true) {
        WatchStream.Delivery d = q.take();
        if (d.closed()) {
          break;
        }
        out.print(d.resp(), d.closeErr(), p.exec());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw inv.io.exitWithError(CtlExit.INTERRUPTED, "watch is canceled by the server");
  }

  /** getWatchChan's checks and options: key, optional range end, --prefix, --rev, --prev-kv. */
  static WatchCreateRequest request(List<String> args, Options o) {
    if (args.isEmpty()) {
      throw new IllegalArgumentException(BAD_ARGS_NUM);
    }
    WatchCreateRequest.Builder b = WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8(args.get(0)))
        .setStartRevision(o.rev()).setPrevKv(o.prevKv()).setProgressNotify(o.progressNotify());
    if (args.size() == 2) {
      if (o.prefix()) {
        throw new IllegalArgumentException("`range_end` and `--prefix` are mutually exclusive");
      }
      b.setRangeEnd(ByteString.copyFromUtf8(args.get(1)));
    }
    if (o.prefix()) {
      byte[] k = args.get(0).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      b.setRangeEnd(ByteString.copyFrom(k.length == 0 ? new byte[] {0} : AuthOutput.prefixEnd(k)));
    }
    return b.build();
  }

  /**
   * The command-line form: the raw process arguments decide where "--" splits the watch arguments from
   * the exec-command (the flag parser has dropped it), and ETCDCTL_WATCH_KEY/RANGE_END stand for them.
   */
  static Parsed parseCommandLine(List<String> osArgs, List<String> commandArgs, String envKey, String envRange,
      Options opts) {
    List<String> raw = new ArrayList<>(osArgs);
    int w = raw.indexOf("watch");
    if (w >= 0) {
      raw = new ArrayList<>(raw.subList(w + 1, raw.size()));
    }
    List<String> watchArgs = new ArrayList<>(commandArgs);
    int execIdx = raw.indexOf("--");
    boolean execExist = execIdx >= 0;
    if (execExist && execIdx == raw.size() - 1) {
      throw new IllegalArgumentException(SEPARATOR);
    }
    if (!execExist && raw.isEmpty() && envKey.isEmpty()) {
      throw new IllegalArgumentException(BAD_ARGS_NUM);
    }
    if (execExist && !envKey.isEmpty()) {
      // with the key in the environment, anything before "--" conflicts with it
      int ridx = raw.size() - 1;
      for (int widx = watchArgs.size() - 1; widx >= 0; widx--) {
        if (ridx >= 0 && watchArgs.get(widx).equals(raw.get(ridx))) {
          ridx--;
          continue;
        }
        if (ridx == execIdx) {
          throw new IllegalArgumentException(CONFLICT_ENV);
        }
      }
    }
    if (!execExist && !watchArgs.isEmpty() && !envKey.isEmpty()) {
      throw new IllegalArgumentException(CONFLICT_ENV);
    }
    return finish(watchArgs, raw, envKey, envRange, opts);
  }

  /** Splits off the exec-command after "--" in {@code withSep} and puts the environment's key first. */
  static Parsed finish(List<String> watchArgs, List<String> withSep, String envKey, String envRange, Options opts) {
    List<String> exec = List.of();
    int sep = withSep.indexOf("--");
    if (sep >= 0) {
      exec = List.copyOf(withSep.subList(sep + 1, withSep.size()));
    }
    List<String> wa = new ArrayList<>();
    if (!envKey.isEmpty()) {
      wa.add(envKey);
      if (!envRange.isEmpty()) {
        wa.add(envRange);
      }
    }
    wa.addAll(watchArgs);
    if (sep < 0) {
      return new Parsed(wa, exec, opts);
    }
    // the flag parser left the exec-command in the arguments: cut from its first word on
    int end = wa.size() - 1;
    for (; end >= 0; end--) {
      if (wa.get(end).equals(withSep.get(sep + 1))) {
        break;
      }
    }
    return new Parsed(new ArrayList<>(wa.subList(0, Math.max(end, 0))), exec, opts);
  }

  /** A fresh flag set of the watch command, as parseWatchArgs builds for each interactive line. */
  static FlagSet lineFlags() {
    Command c = new Command("watch", "", "", null);
    addFlags(c);
    return c.localFlags;
  }
}
