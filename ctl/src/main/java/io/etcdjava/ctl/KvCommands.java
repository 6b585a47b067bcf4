package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** get, put and del (get_command.go, put_command.go, del_command.go); their request builders serve txn too. */
final class KvCommands {
  private KvCommands() {}

  static Command get() {
    Command c = new Command("get [options] <key> [range_end]", "Gets the key or a range of keys", "",
        KvCommands::runGet);
    c.stringFlag(false, "consistency", "", "l", "Linearizable(l) or Serializable(s)");
    c.stringFlag(false, "order", "", "", "Order of results; ASCEND or DESCEND (ASCEND by default)");
    c.stringFlag(false, "sort-by", "", "", "Sort target; CREATE, KEY, MODIFY, VALUE, or VERSION");
    c.int64Flag(false, "limit", 0, "Maximum number of results");
    c.boolFlag(false, "prefix", "", false, "Get keys with matching prefix");
    c.boolFlag(false, "from-key", "", false,
        "Get keys that are greater than or equal to the given key using byte compare");
    c.int64Flag(false, "rev", 0, "Specify the kv revision");
    c.boolFlag(false, "keys-only", "", false, "Get only the keys");
    c.boolFlag(false, "print-value-only", "", false, "Only write values when using the \"simple\" output format");
    return c;
  }

  static Command put() {
    Command c = new Command("put [options] <key> <value> (<value> can also be given from stdin)",
        "Puts the given key into the store", """

Puts the given key into the store.

When <value> begins with '-', <value> is interpreted as a flag.
Insert '--' for workaround:

$ put <key> -- <value>
$ put -- <key> <value>

If <value> isn't given as a command line argument and '--ignore-value' is not specified,
this command tries to read the value from standard input.

If <lease> isn't given as a command line argument and '--ignore-lease' is not specified,
this command tries to read the value from standard input.

For example,
$ cat file | put <key>
will store the content of the file to <key>.
""", KvCommands::runPut);
    c.stringFlag(false, "lease", "", "0", "lease ID (in hexadecimal) to attach to the key");
    c.boolFlag(false, "prev-kv", "", false, "return the previous key-value pair before modification");
    c.boolFlag(false, "ignore-value", "", false, "updates the key using its current value");
    c.boolFlag(false, "ignore-lease", "", false, "updates the key using its current lease");
    return c;
  }

  static Command del() {
    Command c = new Command("del [options] <key> [range_end]",
        "Removes the specified key or range of keys [key, range_end)", "", KvCommands::runDel);
    c.boolFlag(false, "prefix", "", false, "delete keys with matching prefix");
    c.boolFlag(false, "prev-kv", "", false, "return deleted key-value pairs");
    c.boolFlag(false, "from-key", "", false,
        "delete keys that are greater than or equal to the given key using byte compare");
    return c;
  }

  // ---- run ----

  private static void runGet(Invocation inv, List<String> args) {
    RangeRequest req = getOp(inv, args);
    EtcdClient c = inv.client();
    RangeResponse resp;
    try {
      resp = c.unary(KVGrpc.getRangeMethod(), req, inv.commandTimeout());
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
    Printer p = inv.printer();
    if (inv.bool("print-value-only")) {
      if (!(p instanceof SimplePrinter sp)) {
        throw inv.io.exitWithError(CtlExit.BAD_ARGS, "print-value-only is only for `--write-out=simple`");
      }
      sp.valueOnly = true;
    }
    p.get(resp);
  }

  private static void runPut(Invocation inv, List<String> args) {
    PutRequest req = putOp(inv, args);
    EtcdClient c = inv.client();
    try {
      inv.printer().put(c.unary(KVGrpc.getPutMethod(), req, inv.commandTimeout()));
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
  }

  private static void runDel(Invocation inv, List<String> args) {
    DeleteRangeRequest req = delOp(inv, args);
    EtcdClient c = inv.client();
    try {
      inv.printer().del(c.unary(KVGrpc.getDeleteRangeMethod(), req, inv.commandTimeout()));
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
  }

  // ---- request builders (getGetOp, getPutOp, getDelOp) ----

  static ByteString bytes(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  /** clientv3.GetPrefixRangeEnd. */
  static ByteString prefixEnd(ByteString key) {
    byte[] end = key.toByteArray();
    for (int i = end.length - 1; i >= 0; i--) {
      if ((end[i] & 0xff) < 0xff) {
        end[i]++;
        return ByteString.copyFrom(end, 0, i + 1);
      }
    }
    return ByteString.copyFrom(new byte[] {0});
  }

  static RangeRequest getOp(Invocation inv, List<String> args) {
    Io io = inv.io;
    if (args.isEmpty()) {
      throw io.exitWithError(CtlExit.BAD_ARGS,
          "get command needs one argument as key and an optional argument as range_end");
    }
    boolean prefix = inv.bool("prefix");
    boolean fromKey = inv.bool("from-key");
    if (prefix && fromKey) {
      throw io.exitWithError(CtlExit.BAD_ARGS,
          "`--prefix` and `--from-key` cannot be set at the same time, choose one");
    }
    RangeRequest.Builder b = RangeRequest.newBuilder();
    String consistency = inv.string("consistency");
    switch (consistency) {
      case "s" -> b.setSerializable(true);
      case "l" -> { }
      default -> throw io.exitWithError(CtlExit.BAD_FEATURE, "unknown consistency flag " + GoText.quote(consistency));
    }
    String key = args.get(0);
    if (args.size() > 1) {
      if (prefix || fromKey) {
        throw io.exitWithError(CtlExit.BAD_ARGS,
            "too many arguments, only accept one argument when `--prefix` or `--from-key` is set");
      }
      b.setRangeEnd(bytes(args.get(1)));
    }
    b.setLimit(inv.int64("limit"));
    if (inv.int64("rev") > 0) {
      b.setRevision(inv.int64("rev"));
    }
    RangeRequest.SortOrder order = RangeRequest.SortOrder.NONE;
    String so = inv.string("order").toUpperCase(Locale.ROOT);
    switch (so) {
      case "ASCEND" -> order = RangeRequest.SortOrder.ASCEND;
      case "DESCEND" -> order = RangeRequest.SortOrder.DESCEND;
      case "" -> { }
      default -> throw io.exitWithError(CtlExit.BAD_FEATURE, "bad sort order " + inv.string("order"));
    }
    RangeRequest.SortTarget target = RangeRequest.SortTarget.KEY;
    String st = inv.string("sort-by").toUpperCase(Locale.ROOT);
    switch (st) {
      case "CREATE" -> target = RangeRequest.SortTarget.CREATE;
      case "KEY" -> target = RangeRequest.SortTarget.KEY;
      case "MODIFY" -> target = RangeRequest.SortTarget.MOD;
      case "VALUE" -> target = RangeRequest.SortTarget.VALUE;
      case "VERSION" -> target = RangeRequest.SortTarget.VERSION;
      case "" -> { }
      default -> throw io.exitWithError(CtlExit.BAD_FEATURE, "bad sort target " + inv.string("sort-by"));
    }
    // clientv3.WithSort: ascending by key is the server's default order, sent as no sort at all
    if (target == RangeRequest.SortTarget.KEY && order == RangeRequest.SortOrder.ASCEND) {
      order = RangeRequest.SortOrder.NONE;
    }
    b.setSortOrder(order).setSortTarget(target);
    ByteString k = bytes(key);
    if (prefix) {
      if (key.isEmpty()) {
        k = ByteString.copyFrom(new byte[] {0});
        b.setRangeEnd(ByteString.copyFrom(new byte[] {0}));
      } else {
        b.setRangeEnd(prefixEnd(k));
      }
    }
    if (fromKey) {
      if (key.isEmpty()) {
        k = ByteString.copyFrom(new byte[] {0});
      }
      b.setRangeEnd(ByteString.copyFrom(new byte[] {0}));
    }
    if (inv.bool("keys-only")) {
      b.setKeysOnly(true);
    }
    return b.setKey(k).build();
  }

  static PutRequest putOp(Invocation inv, List<String> args) {
    Io io = inv.io;
    String needs = "put command needs 1 argument and input from stdin or 2 arguments";
    if (args.isEmpty()) {
      throw io.exitWithError(CtlExit.BAD_ARGS, needs);
    }
    String key = args.get(0);
    boolean ignoreVal = inv.bool("ignore-value");
    if (ignoreVal && args.size() > 1) {
      throw io.exitWithError(CtlExit.BAD_ARGS, "put command needs only 1 argument when 'ignore-value' is set");
    }
    ByteString value = ByteString.EMPTY;
    if (!ignoreVal) {
      if (args.size() > 1) {
        value = bytes(args.get(1));
      } else {
        byte[] in = io.readAllStdin();
        if (in.length == 0) {
          throw io.exitWithError(CtlExit.BAD_ARGS, needs);
        }
        value = ByteString.copyFrom(in);
      }
    }
    long id;
    try {
      id = GoText.parseInt64(inv.string("lease"), 16, "strconv.ParseInt");
    } catch (NumberFormatException e) {
      throw io.exitWithError(CtlExit.BAD_ARGS, "bad lease ID (" + e.getMessage() + "), expecting ID in Hex");
    }
    PutRequest.Builder b = PutRequest.newBuilder().setKey(bytes(key)).setValue(value).setLease(id);
    b.setPrevKv(inv.bool("prev-kv")).setIgnoreValue(ignoreVal).setIgnoreLease(inv.bool("ignore-lease"));
    return b.build();
  }

  static DeleteRangeRequest delOp(Invocation inv, List<String> args) {
    Io io = inv.io;
    if (args.isEmpty() || args.size() > 2) {
      throw io.exitWithError(CtlExit.BAD_ARGS,
          "del command needs one argument as key and an optional argument as range_end");
    }
    boolean prefix = inv.bool("prefix");
    boolean fromKey = inv.bool("from-key");
    if (prefix && fromKey) {
      throw io.exitWithError(CtlExit.BAD_ARGS,
          "`--prefix` and `--from-key` cannot be set at the same time, choose one");
    }
    DeleteRangeRequest.Builder b = DeleteRangeRequest.newBuilder();
    String key = args.get(0);
    if (args.size() > 1) {
      if (prefix || fromKey) {
        throw io.exitWithError(CtlExit.BAD_ARGS,
            "too many arguments, only accept one argument when `--prefix` or `--from-key` is set");
      }
      b.setRangeEnd(bytes(args.get(1)));
    }
    ByteString k = bytes(key);
    if (prefix) {
      if (key.isEmpty()) {
        k = ByteString.copyFrom(new byte[] {0});
        b.setRangeEnd(ByteString.copyFrom(new byte[] {0}));
      } else {
        b.setRangeEnd(prefixEnd(k));
      }
    }
    b.setPrevKv(inv.bool("prev-kv"));
    if (fromKey) {
      if (key.isEmpty()) {
        k = ByteString.copyFrom(new byte[] {0});
      }
      b.setRangeEnd(ByteString.copyFrom(new byte[] {0}));
    }
    return b.setKey(k).build();
  }
}
