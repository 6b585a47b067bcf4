package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.v3lockpb.LockRequest;
import io.etcdjava.api.v3lockpb.LockResponse;
import io.etcdjava.api.v3lockpb.UnlockRequest;
import com.google.protobuf.ByteString;
import io.grpc.Context;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * lock (lock_command.go) through etcd's v3lock service: a session lease, Lock until acquired, then either
 * run the exec-command with ETCD_LOCK_KEY/ETCD_LOCK_REV and unlock, or print the lock key and hold it
 * until SIGINT/SIGTERM (unlock, exit 0) or the session's end ("session expired").
 */
final class LockCommands {
  private LockCommands() {}

  static Command lock() {
    Command c = new Command("lock <lockname> [exec-command arg1 arg2 ...]", "Acquires a named lock", "",
        LockCommands::run);
    c.localFlags.add(new Flag("ttl", "", Flag.Type.INT64, 10L, "timeout for session"));
    return c;
  }

  private static void run(Invocation inv, List<String> args) {
    if (args.isEmpty()) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "lock takes a lock name argument and an optional command to execute");
    }
    EtcdClient c = inv.client();
    CountDownLatch signal = Signals.interrupted();
    Session s = Session.open(inv, c, inv.int64("ttl"));
    LockResponse locked = cancellable(inv, signal, () -> c.unary(c.lock(), 0, st -> st.lock(
        LockRequest.newBuilder().setName(ByteString.copyFromUtf8(args.get(0))).setLease(s.lease).build())));
    ByteString key = locked.getKey();
    if (args.size() > 1) {
      String failure = exec(inv, args.subList(1, args.size()), key, locked.getHeader().getRevision());
      unlock(inv, c, key);
      if (failure != null) {
        throw inv.io.exitWithError(CtlExit.ERROR, failure);
      }
      return;
    }
    RangeResponse r;
    try {
      r = c.unary(c.kv(), 0, st -> st.range(RangeRequest.newBuilder().setKey(key).build()));
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
    if (r.getKvsCount() == 0) {
      throw inv.io.exitWithError(CtlExit.ERROR, "lock lost on init");
    }
    inv.printer().get(r);
    inv.io.out.flush();
    if (holdUntilSignal(signal, s)) {
      unlock(inv, c, key);
      return;
    }
    throw inv.io.exitWithError(CtlExit.ERROR, "session expired");
  }

  /** Waits for SIGINT/SIGTERM (true) or the end of the session (false). */
  static boolean holdUntilSignal(CountDownLatch signal, Session s) {
    try {
      while (!signal.await(100, TimeUnit.MILLISECONDS)) {
        if (s.isDone()) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /** Runs a blocking call that a signal cancels with "context canceled", as etcdctl's ctx does. */
  static <R> R cancellable(Invocation inv, CountDownLatch signal, Supplier<R> call) {
    Context.CancellableContext ctx = Context.current().withCancellation();
    Thread canceller = new Thread(() -> {
      try {
        signal.await();
        ctx.cancel(null);
      } catch (InterruptedException ignored) {
        // the call ended first
      }
    }, "etcdctl-signal-cancel");
    canceller.setDaemon(true);
    canceller.start();
    try {
      return ctx.call(call::get);
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, signal.getCount() == 0 ? "context canceled" : e.getMessage());
    } catch (Exception e) {
      throw inv.io.exitWithError(CtlExit.ERROR, String.valueOf(e.getMessage()));
    } finally {
      canceller.interrupt();
    }
  }

  private static void unlock(Invocation inv, EtcdClient c, ByteString key) {
    try {
      c.unary(c.lock(), 0, st -> st.unlock(UnlockRequest.newBuilder().setKey(key).build()));
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
  }

  /** Runs the command with the lock's variables first in its environment; returns Go's error text or null. */
  private static String exec(Invocation inv, List<String> cmd, ByteString key, long rev) {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().putAll(inv.io.env);
    pb.environment().put("ETCD_LOCK_KEY", key.toStringUtf8());
    pb.environment().put("ETCD_LOCK_REV", Long.toString(rev));
    inv.io.out.flush();
    try {
      Process p = pb.redirectInput(ProcessBuilder.Redirect.INHERIT).start();
      Thread err = new Thread(() -> {
        try {
          p.getErrorStream().transferTo(inv.io.err);
        } catch (IOException ignored) {
          // ended
        }
      }, "etcdctl-lock-exec-stderr");
      err.start();
      p.getInputStream().transferTo(inv.io.out);
      err.join();
      inv.io.out.flush();
      int code = p.waitFor();
      return code == 0 ? null : "exit status " + code;
    } catch (IOException e) {
      return "exec: " + GoText.quote(cmd.get(0)) + ": executable file not found in $PATH";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "signal: interrupt";
    }
  }
}
