package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.Compare;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** txn, interactive (-i, with prompts) or from stdin (txn_command.go). */
final class TxnCommand {
  private static final Pattern ARG =
      Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|[^'\"\\s]\\S*[^'\"\\s]?");

  private TxnCommand() {}

  static Command create() {
    Command c = new Command("txn [options]", "Txn processes all the requests in one transaction", "",
        TxnCommand::run);
    c.boolFlag(false, "interactive", "i", false, "Input transaction in interactive mode");
    return c;
  }

  private static void run(Invocation inv, List<String> args) {
    Io io = inv.io;
    if (!args.isEmpty()) {
      throw io.exitWithError(CtlExit.BAD_ARGS, "txn command does not accept argument");
    }
    boolean interactive = inv.bool("interactive");
    EtcdClient client = inv.client();
    LineReader r = new LineReader(io.in);
    TxnRequest.Builder txn = TxnRequest.newBuilder();
    prompt(io, interactive, "compares:");
    for (String line; !(line = r.next(io)).isEmpty(); ) {
      txn.addCompare(parseCompare(io, line));
    }
    prompt(io, interactive, "success requests (get, put, del):");
    for (String line; !(line = r.next(io)).isEmpty(); ) {
      txn.addSuccess(parseRequest(io, line));
    }
    prompt(io, interactive, "failure requests (get, put, del):");
    for (String line; !(line = r.next(io)).isEmpty(); ) {
      txn.addFailure(parseRequest(io, line));
    }
    TxnResponse resp;
    try {
      resp = client.unary(client.kv(), 0, s -> s.txn(txn.build()));
    } catch (RpcError e) {
      throw io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
    inv.printer().txn(resp);
  }

  private static void prompt(Io io, boolean interactive, String s) {
    if (interactive) {
      io.out(s + "\n");
    }
  }

  /** bufio.Reader.ReadString('\n') + TrimSpace; a line without its newline is Go's EOF error. */
  private static final class LineReader {
    private final InputStream in;

    LineReader(InputStream in) {
      this.in = in;
    }

    String next(Io io) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      try {
        int c;
        while ((c = in.read()) >= 0) {
          if (c == '\n') {
            return new String(b.toByteArray(), java.nio.charset.StandardCharsets.UTF_8).strip();
          }
          b.write(c);
        }
      } catch (IOException e) {
        throw io.exitWithError(CtlExit.INVALID_INPUT, e.getMessage());
      }
      throw io.exitWithError(CtlExit.INVALID_INPUT, "EOF");
    }
  }

  static List<String> argify(Io io, String s) {
    Matcher m = ARG.matcher(s);
    List<String> args = new ArrayList<>();
    while (m.find()) {
      args.add(m.group());
    }
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.isEmpty()) {
        continue;
      }
      if (a.charAt(0) == '\'') {
        // etcdctl slices with len(args), not len(args[i]); kept for identical results
        int end = Math.min(Math.max(args.size() - 1, 1), a.length());
        args.set(i, a.substring(1, end));
      } else if (a.charAt(0) == '"') {
        GoScan sc = new GoScan(a);
        String q = sc.quoted();
        if (q == null) {
          throw io.exitWithError(CtlExit.INVALID_INPUT, "unexpected EOF");
        }
        args.set(i, q);
      }
    }
    return args;
  }

  private static RequestOp parseRequest(Io io, String line) {
    List<String> args = argify(io, line);
    if (args.size() < 2) {
      throw io.exitWithError(CtlExit.INVALID_INPUT, "invalid txn compare request: " + line);
    }
    Command root = new Command("", "", "", null).add(KvCommands.put(), KvCommands.get(), KvCommands.del());
    Command.Found f = root.find(args);
    Command cmd = f.cmd();
    String invalid = "invalid txn request: " + line;
    if (cmd == root) {
      throw io.exitWithError(CtlExit.INVALID_INPUT, invalid);
    }
    FlagSet fs = cmd.allFlags();
    fs.addAll(cmd.helpFlagSet());
    try {
      fs.parse(f.args());
    } catch (IllegalArgumentException e) {
      // the nested cobra commands are not silenced: cobra's default usage goes to stderr
      io.err(cobraUsage(cmd) + "\n");
      throw io.exitWithError(CtlExit.INVALID_INPUT, invalid);
    }
    if (fs.lookup("help").changed) {
      throw io.exitWithError(CtlExit.INVALID_INPUT, invalid);
    }
    Invocation inv = new Invocation(io, cmd, fs);
    return switch (cmd.name()) {
      case "put" -> RequestOp.newBuilder().setRequestPut(KvCommands.putOp(inv, fs.args())).build();
      case "get" -> RequestOp.newBuilder().setRequestRange(KvCommands.getOp(inv, fs.args())).build();
      default -> RequestOp.newBuilder().setRequestDeleteRange(KvCommands.delOp(inv, fs.args())).build();
    };
  }

  /** cobra's default usage template for the nested put/get/del commands (parent path is empty). */
  private static String cobraUsage(Command cmd) {
    FlagSet fs = cmd.ownFlags();
    fs.addAll(cmd.helpFlagSet());
    List<String[]> lines = new ArrayList<>();
    int maxlen = 0;
    for (Flag f : fs.all()) {
      String l = f.shorthand.isEmpty() ? "      --" + f.name : "  -" + f.shorthand + ", --" + f.name;
      String varname = switch (f.type) {
        case BOOL -> "";
        case INT64 -> "int";
        case STRING_SLICE -> "strings";
        default -> f.typeName();
      };
      if (!varname.isEmpty()) {
        l += " " + varname;
      }
      String usage = f.usage;
      boolean zero = switch (f.type) {
        case BOOL -> f.defValue.equals("false");
        case STRING -> f.defValue.isEmpty();
        case INT64 -> f.defValue.equals("0");
        default -> false;
      };
      if (!zero) {
        usage += f.type == Flag.Type.STRING ? " (default " + GoText.quote(f.defValue) + ")" : " (default " + f.defValue + ")";
      }
      maxlen = Math.max(maxlen, l.length());
      lines.add(new String[] {l, usage});
    }
    StringBuilder sb = new StringBuilder("Usage:\n   ").append(cmd.use).append(cmd.use.contains("[flags]") ? "" : " [flags]")
        .append("\n\nFlags:\n");
    for (String[] l : lines) {
      sb.append(l[0]).append(" ".repeat(maxlen - l[0].length())).append("   ").append(l[1]).append('\n');
    }
    String usage = sb.toString().stripTrailing();
    return usage + "\n";
  }

  static Compare parseCompare(Io io, String line) {
    int lp = line.indexOf('(');
    if (lp < 0) {
      throw io.exitWithError(CtlExit.INVALID_INPUT, "malformed comparison: " + line);
    }
    String target = line.substring(0, lp);
    GoScan sc = new GoScan(line.substring(lp + 1));
    String key = sc.quoted();
    String op = null;
    String val = null;
    String scanErr = null;
    if (key == null) {
      scanErr = sc.error;
      key = "";
    } else if (!sc.literal(")")) {
      scanErr = "input does not match format";
    } else if ((op = sc.token()) == null) {
      scanErr = "unexpected EOF";
    } else if ((val = sc.quoted()) == null) {
      scanErr = sc.error;
    }
    int n = key.isEmpty() && scanErr != null ? 0 : op == null ? 1 : val == null ? 2 : 3;
    if (n != 3) {
      throw io.exitWithError(CtlExit.INVALID_INPUT, "malformed comparison: " + line + "; got " + target + "("
          + GoText.quote(key) + ") " + (op == null ? "" : op) + " " + GoText.quote(val == null ? "" : val));
    }
    Compare.Builder c = Compare.newBuilder().setKey(KvCommands.bytes(key));
    Compare.CompareResult result = switch (op) {
      case "=", "==" -> Compare.CompareResult.EQUAL;
      case "!=" -> Compare.CompareResult.NOT_EQUAL;
      case "<" -> Compare.CompareResult.LESS;
      case ">" -> Compare.CompareResult.GREATER;
      default -> {
        // clientv3.Compare panics here; the Go runtime prints the panic and exits with 2
        io.err("panic: Unknown result op\n\ngoroutine 1 [running]:\n");
        throw new CtlExit(2);
      }
    };
    c.setResult(result);
    try {
      switch (target) {
        case "ver", "version" -> c.setTarget(Compare.CompareTarget.VERSION).setVersion(Long.parseLong(val));
        case "c", "create" -> c.setTarget(Compare.CompareTarget.CREATE).setCreateRevision(Long.parseLong(val));
        case "m", "mod" -> c.setTarget(Compare.CompareTarget.MOD).setModRevision(Long.parseLong(val));
        case "val", "value" -> c.setTarget(Compare.CompareTarget.VALUE).setValue(KvCommands.bytes(val));
        case "lease" -> c.setTarget(Compare.CompareTarget.LEASE).setLease(Long.parseLong(val));
        default -> throw io.exitWithError(CtlExit.INVALID_INPUT,
            "malformed comparison: " + line + " (unknown target " + target + ")");
      }
    } catch (NumberFormatException e) {
      throw io.exitWithError(CtlExit.INVALID_INPUT, "invalid txn compare request: " + line);
    }
    return c.build();
  }

  /** Just enough of Go's fmt.Sscanf for "%q) %s %q". */
  static final class GoScan {
    private final String s;
    private int i;
    String error;

    GoScan(String s) {
      this.s = s;
    }

    private void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i)) && s.charAt(i) != '\n') {
        i++;
      }
    }

    String quoted() {
      skipSpace();
      if (i >= s.length()) {
        error = "unexpected EOF";
        return null;
      }
      char q = s.charAt(i);
      if (q == '`') {
        int e = s.indexOf('`', i + 1);
        if (e < 0) {
          error = "unexpected EOF";
          return null;
        }
        String r = s.substring(i + 1, e);
        i = e + 1;
        return r;
      }
      if (q != '"') {
        error = "expected quoted string";
        return null;
      }
      StringBuilder b = new StringBuilder();
      int j = i + 1;
      while (j < s.length()) {
        char c = s.charAt(j);
        if (c == '"') {
          i = j + 1;
          return b.toString();
        }
        if (c == '\\' && j + 1 < s.length()) {
          char e = s.charAt(++j);
          switch (e) {
            case 'n' -> b.append('\n');
            case 't' -> b.append('\t');
            case 'r' -> b.append('\r');
            case '\\' -> b.append('\\');
            case '"' -> b.append('"');
            case 'a' -> b.append((char) 7);
            case 'b' -> b.append('\b');
            case 'f' -> b.append('\f');
            case 'v' -> b.append((char) 11);
            case 'x' -> {
              b.append((char) Integer.parseInt(s.substring(j + 1, j + 3), 16));
              j += 2;
            }
            case 'u' -> {
              b.append((char) Integer.parseInt(s.substring(j + 1, j + 5), 16));
              j += 4;
            }
            default -> b.append(e);
          }
          j++;
          continue;
        }
        b.append(c);
        j++;
      }
      error = "unexpected EOF";
      return null;
    }

    boolean literal(String lit) {
      if (s.startsWith(lit, i)) {
        i += lit.length();
        return true;
      }
      return false;
    }

    String token() {
      skipSpace();
      int st = i;
      while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      return i > st ? s.substring(st, i) : null;
    }
  }
}
