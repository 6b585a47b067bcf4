package io.etcdjava.ctl;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** Runs Go's etcdctl and ours with the same input and normalises what legitimately differs between runs. */
final class Golden {
  static final String GO_ETCDCTL = "/usr/bin/etcdctl";

  record Result(String out, String err, int code) {
    Result normalised() {
      return new Result(normalise(out), normalise(err), code);
    }
  }

  private Golden() {}

  static Result go(List<String> args, String stdin, Map<String, String> env) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(GO_ETCDCTL);
    cmd.addAll(args);
    return process(cmd, stdin, env);
  }

  static Result process(List<String> cmd, String stdin, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    Thread t = new Thread(() -> {
      try {
        p.getErrorStream().transferTo(err);
      } catch (Exception ignored) {
        // process ended
      }
    });
    t.start();
    p.getInputStream().transferTo(out);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + cmd);
    }
    t.join(5000);
    return new Result(out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.ISO_8859_1),
        p.exitValue());
  }

  static Result ours(List<String> args, String stdin, Map<String, String> env) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int code = Etcdctl.run(args.toArray(String[]::new), new PrintStream(out, true), new PrintStream(err, true),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), new HashMap<>(env));
    return new Result(out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.ISO_8859_1), code);
  }

  private static final Pattern[] PATTERNS = {
      Pattern.compile("\"ts\":\"[^\"]+\""),
      Pattern.compile("\"ts\":\\d+\\.\\d+"),
      Pattern.compile("\"took\":\\d[0-9.e+-]*"),
      Pattern.compile("(\r[^\r\n]*)+\n"),
      Pattern.compile("(Throughput is |Throughput too low: )\\d+ writes/s"),
      Pattern.compile("(Slowest request took (?:too long: )?|Stddev (?:is|too high:) )[0-9.]+s"),
      Pattern.compile("memory used : -?[0-9.]+ MB"),
      Pattern.compile("(Compact(?:ing|ed) with revision )\\d+"),
      Pattern.compile("\\[signal SIGSEGV[^\\]\n]*\\]"),
      Pattern.compile("Member +[0-9a-f]{1,16} (added|removed|updated|promoted)"),
      Pattern.compile("Leadership transferred from [0-9a-f]+ to [0-9a-f]+"),
      Pattern.compile("client-[0-9a-f-]{36}"),
      Pattern.compile("(?m)^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} "),
      Pattern.compile("(?<![0-9a-f])[0-9a-f]{14,16}(?![0-9a-f])"),
      Pattern.compile("(\"(?:revision|create_revision|mod_revision|ID|id|ttl)\":)-?\\d+"),
      Pattern.compile("(\"(?:Prev)?(?:Revision|CreateRevision|ModRevision|ID|TTL|RaftIndex|RaftAppliedIndex|DBSize)\" : )-?\\d+"),
      Pattern.compile("(\"(?:raftIndex|raftAppliedIndex|dbSize|dbSizeInUse|raft_term|member_id)\":)\\d+"),
      Pattern.compile("remaining\\(\\d+s\\)"),
      Pattern.compile("\\d+(\\.\\d+)?(ns|µs|Âµs|ms|s)\\b"),
      Pattern.compile("0xc[0-9a-f]+"),
      Pattern.compile("compacted revision \\d+"),
      Pattern.compile("(?s)(panic: [^\n]*\n(?:\\[signal[^\n]*\n)?\ngoroutine \\d+ \\[running\\]:\n).*"),
  };
  private static final String[] REPLACEMENTS = {
      "\"ts\":\"TS\"", "\"ts\":TS", "\"took\":SECONDS", "PROGRESS BAR\n", "$1N writes/s", "$1Ns", "memory used : N MB", "$1N",
      "[signal SIGSEGV]", "Member HEXID $1", "Leadership transferred from HEXID to HEXID",
      "client-UUID", "TIME ", "HEXID", "$1N", "$1N", "$1N", "remaining(Ns)", "DUR", "0xADDR", "compacted revision N", "$1",
  };

  /**
   * check perf's verdicts follow the machine's load (a request slower than 500 ms fails the run): keep the
   * lines, erase which way each went.
   */
  static Result verdictsErased(Result r) {
    // Go's progress bar can redraw after "Finish" without a newline, so its last segment runs
    // into the throughput verdict; split them again before the bar is erased
    String raw = r.out().replaceAll("(?<!\n)((?:PASS|FAIL): Throughput)", "\n$1");
    String out = normalise(raw).replace("FAIL: Throughput too low: ", "PASS: Throughput is ")
        .replace("Slowest request took too long: ", "PASS: Slowest request took ")
        .replace("Stddev too high: ", "PASS: Stddev is ").replaceAll("(?m)^FAIL$", "PASS");
    return new Result(out, normalise(r.err()), r.code() == 1 ? 0 : r.code());
  }

  /** The one place where run-to-run differences (times, IDs, revisions, terms, sizes) are erased. */
  static String normalise(String s) {
    String r = s;
    for (int i = 0; i < PATTERNS.length; i++) {
      r = PATTERNS[i].matcher(r).replaceAll(REPLACEMENTS[i]);
    }
    if (r.contains(" TOOK ") || r.contains(" RAFT INDEX ")) {
      // cell widths follow the erased values
      r = r.replaceAll("-{2,}", "--").replaceAll(" {2,}", " ");
    }
    return r;
  }
}
