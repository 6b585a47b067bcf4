package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.WatchCreateRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * watch -i: request lines from stdin ("watch [options] key [range_end] [-- cmd]" or "progress"); every
 * watcher shares one stream, and one printer thread shows what arrives. End of input ends etcdctl with
 * "Error reading watch request line: EOF" (exit 3), as etcdctl does.
 */
final class WatchInteractive {
  private WatchInteractive() {}

  static void run(Invocation inv, String envKey, String envRange) {
    Io io = inv.io;
    EtcdClient c = inv.client();
    WatchOutput out = new WatchOutput(io, inv.string("write-out"), inv.bool("hex"));
    Map<Integer, List<String>> execs = new ConcurrentHashMap<>();
    WatchStream ws = new WatchStream(c);
    Thread printer = new Thread(() -> print(ws, out, execs), "etcdctl-watch-printer");
    printer.setDaemon(true);
    printer.start();
    try {
      while (true) {
        String line = readLine(io);
        List<String> args = TxnCommand.argify(io, line);
        if (args.isEmpty()) {
          io.err("Invalid command: " + line + " (watch and progress supported)\n");
          continue;
        }
        switch (args.get(0)) {
          case "watch" -> {
            if (args.size() < 2 && envKey.isEmpty()) {
              io.err("Invalid command " + line + " (command type or key is not provided)\n");
              continue;
            }
            WatchCommand.Parsed p;
            try {
              p = parseLine(args, envKey, envRange);
            } catch (IllegalArgumentException e) {
              throw io.exitWithError(CtlExit.BAD_ARGS, e.getMessage());
            }
            WatchCreateRequest req;
            try {
              req = WatchCommand.request(p.watchArgs(), p.opts());
            } catch (IllegalArgumentException e) {
              io.err("Invalid command " + line + " (" + e.getMessage() + ")\n");
              continue;
            }
            synchronized (ws) {
              execs.put(ws.watch(req), p.exec());
            }
          }
          case "progress" -> ws.requestProgress();
          default -> io.err("Invalid command " + line + " (only support watch)\n");
        }
      }
    } finally {
      ws.close();
    }
  }

  private static void print(WatchStream ws, WatchOutput out, Map<Integer, List<String>> execs) {
    try {
      while (true) {
        WatchStream.Delivery d = ws.queue().take();
        if (!d.closed()) {
          List<String> exec;
          synchronized (ws) {
            exec = execs.getOrDefault(d.watcher(), List.of());
          }
          out.print(d.resp(), d.closeErr(), exec);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (CtlExit e) {
      // a failing exec-command ends the whole program, as os.Exit does in etcdctl (in-process runs in
      // tests, whose stdin is not the process's, only stop printing)
      out.flush();
      if (out.isProcessStdin()) {
        Runtime.getRuntime().halt(e.code);
      }
    }
  }

  /** bufio's ReadString('\n'): a line without its newline; input ending before a newline is an error. */
  private static String readLine(Io io) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try {
      int ch;
      while ((ch = io.in.read()) >= 0) {
        if (ch == '\n') {
          return b.toString(StandardCharsets.UTF_8);
        }
        b.write(ch);
      }
    } catch (IOException e) {
      throw io.exitWithError(CtlExit.INVALID_INPUT, "Error reading watch request line: " + e.getMessage());
    }
    throw io.exitWithError(CtlExit.INVALID_INPUT, "Error reading watch request line: EOF");
  }

  /** parseWatchArgs for a request line: its own flags, "--" taken from the line itself. */
  static WatchCommand.Parsed parseLine(List<String> lineArgs, String envKey, String envRange) {
    List<String> watchArgs = new ArrayList<>(lineArgs.subList(1, lineArgs.size()));
    int execIdx = watchArgs.indexOf("--");
    if (execIdx >= 0 && execIdx == watchArgs.size() - 1) {
      throw new IllegalArgumentException("bad number of arguments (found separator --, but no commands)");
    }
    FlagSet first = WatchCommand.lineFlags();
    first.parse(watchArgs);
    List<String> pArgs = first.args();
    if (execIdx < 0 && envKey.isEmpty() && pArgs.isEmpty()) {
      throw new IllegalArgumentException("bad number of arguments");
    }
    if (execIdx < 0 && !pArgs.isEmpty() && !envKey.isEmpty()) {
      throw new IllegalArgumentException("bad number of arguments (found conflicting environment key)");
    }
    FlagSet f = WatchCommand.lineFlags();
    f.parse(watchArgs);
    return WatchCommand.finish(new ArrayList<>(f.args()), watchArgs, envKey, envRange, WatchCommand.Options.of(f));
  }
}
