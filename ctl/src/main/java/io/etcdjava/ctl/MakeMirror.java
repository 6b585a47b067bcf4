package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.WatchCreateRequest;
import io.etcdjava.api.etcdserverpb.WatchRequest;
import io.etcdjava.api.etcdserverpb.WatchResponse;
import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.api.mvccpb.KeyValue;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * make-mirror (make_mirror_command.go with clientv3/mirror): copies the source's keys under --prefix as of
 * one revision to the destination, then replays every later change, one destination txn per source
 * revision. Like etcdctl 3.4 it prints the number of keys synced so far every 30 seconds and runs until
 * killed or until something fails.
 */
final class MakeMirror {
  private static final int BATCH_LIMIT = 1000;
  private static final long REPORT_EVERY_MILLIS = 30_000;

  private MakeMirror() {}

  static Command create() {
    Command c = new Command("make-mirror [options] <destination>", "Makes a mirror at the destination etcd cluster",
        "", MakeMirror::run);
    c.stringFlag(false, "prefix", "", "", "Key-value prefix to mirror");
    c.stringFlag(false, "dest-prefix", "", "",
        "destination prefix to mirror a prefix to a different prefix in the destination cluster");
    c.boolFlag(false, "no-dest-prefix", "", false, "mirror key-values to the root of the destination cluster");
    c.stringFlag(false, "dest-cert", "", "", "Identify secure client using this TLS certificate file for the "
        + "destination cluster");
    c.stringFlag(false, "dest-key", "", "", "Identify secure client using this TLS key file");
    c.stringFlag(false, "dest-cacert", "", "", "Verify certificates of TLS enabled secure servers using this CA bundle");
    c.boolFlag(false, "dest-insecure-transport", "", true, "Disable transport security for client connections");
    return c;
  }

  private static void run(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "make-mirror takes one destination argument");
    }
    ClientConfig src = inv.clientConfig();
    ClientConfig dst = new ClientConfig(List.of(args.get(0)), src.dialTimeoutNanos(), 0, src.keepAliveTimeNanos(),
        src.keepAliveTimeoutNanos(), inv.bool("dest-insecure-transport"), false, emptyToNull(inv.string("dest-cacert")),
        emptyToNull(inv.string("dest-cert")), emptyToNull(inv.string("dest-key")), null, null);
    EtcdClient dc = inv.client(dst);
    EtcdClient c = inv.client(src);
    String prefix = inv.string("prefix");
    AtomicLong total = new AtomicLong();
    Thread reporter = new Thread(() -> {
      try {
        while (true) {
          Thread.sleep(REPORT_EVERY_MILLIS);
          synchronized (inv.io) {
            inv.io.out(total.get() + "\n");
            inv.io.out.flush();
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "etcdctl-make-mirror-report");
    reporter.setDaemon(true);
    reporter.start();
    try {
      String err = mirror(inv, c, dc, prefix, total);
      throw inv.io.exitWithError(CtlExit.ERROR, err);
    } finally {
      reporter.interrupt();
    }
  }

  /** Mirrors until the source's watch ends; returns the error text etcdctl exits with. */
  private static String mirror(Invocation inv, EtcdClient c, EtcdClient dc, String prefix, AtomicLong total) {
    long rev;
    try {
      rev = c.unary(c.kv(), 0, s -> s.range(RangeRequest.newBuilder().setKey(KvCommands.bytes("foo")).build()))
          .getHeader().getRevision();
    } catch (RpcError e) {
      return e.getMessage();
    }
    boolean noDestPrefix = inv.bool("no-dest-prefix");
    String destPrefix = inv.string("dest-prefix");
    if (noDestPrefix && !destPrefix.isEmpty()) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS,
          "`--dest-prefix` and `--no-dest-prefix` cannot be set at the same time, choose one");
    }
    if (!noDestPrefix && destPrefix.isEmpty()) {
      destPrefix = prefix;
    }
    String to = destPrefix;
    Progress progress = new Progress(inv.io, "make-mirror");
    try {
      // the base: every key at that revision, in pages
      ByteString key = prefix.isEmpty() ? ByteString.copyFrom(new byte[] {0}) : KvCommands.bytes(prefix);
      ByteString end = prefix.isEmpty() ? ByteString.copyFrom(new byte[] {0}) : prefixEnd(KvCommands.bytes(prefix));
      while (true) {
        RangeRequest req = RangeRequest.newBuilder().setKey(key).setRangeEnd(end).setRevision(rev)
            .setLimit(BATCH_LIMIT).build();
        RangeResponse r = c.unary(c.kv(), 0, s -> s.range(req));
        for (KeyValue kv : r.getKvsList()) {
          PutRequest put = PutRequest.newBuilder().setKey(rename(kv.getKey(), prefix, to)).setValue(kv.getValue())
              .build();
          dc.unary(dc.kv(), 0, s -> s.put(put));
          progress.update(total.incrementAndGet(), "keys");
        }
        if (!r.getMore()) {
          break;
        }
        byte[] last = r.getKvs(r.getKvsCount() - 1).getKey().toByteArray();
        key = ByteString.copyFrom(Arrays.copyOf(last, last.length + 1));
      }
      return followUpdates(c, dc, prefix, to, rev, total, progress);
    } catch (RpcError e) {
      return e.getMessage();
    } finally {
      progress.done();
    }
  }

  private static String followUpdates(EtcdClient c, EtcdClient dc, String prefix, String to, long rev,
      AtomicLong total, Progress progress) {
    BlockingQueue<Object> responses = new LinkedBlockingQueue<>();
    StreamObserver<WatchRequest> requests = c.mirrorWatchStub().withWaitForReady().watch(new StreamObserver<>() {
      @Override
      public void onNext(WatchResponse v) {
        responses.add(v);
      }

      @Override
      public void onError(Throwable t) {
        responses.add(t);
      }

      @Override
      public void onCompleted() {
        responses.add(Status.CANCELLED.asRuntimeException());
      }
    });
    ByteString key = KvCommands.bytes(prefix);
    requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(key)
        .setRangeEnd(prefixEnd(key)).setStartRevision(rev + 1)).build());
    try {
      while (true) {
        Object o = responses.take();
        if (o instanceof Throwable t) {
          Status st = Status.fromThrowable(t);
          String desc = st.getDescription() == null ? "" : st.getDescription();
          return desc.startsWith("etcdserver: ") ? desc
              : "rpc error: code = " + RpcError.goCodeName(st.getCode()) + " desc = " + desc;
        }
        WatchResponse wr = (WatchResponse) o;
        if (wr.getCompactRevision() != 0) {
          return "etcdserver: mvcc: required revision has been compacted";
        }
        if (wr.getCanceled()) {
          return "<nil>";
        }
        replay(dc, wr.getEventsList(), prefix, to, total);
        progress.update(total.get(), "keys");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "context canceled";
    } finally {
      requests.onCompleted();
    }
  }

  /** One destination txn per source revision, in order. */
  private static void replay(EtcdClient dc, List<Event> events, String prefix, String to, AtomicLong total) {
    List<RequestOp> ops = new ArrayList<>();
    long lastRev = 0;
    for (Event ev : events) {
      long next = ev.getKv().getModRevision();
      if (lastRev != 0 && next > lastRev) {
        commit(dc, ops);
        ops = new ArrayList<>();
      }
      lastRev = next;
      ByteString k = rename(ev.getKv().getKey(), prefix, to);
      if (ev.getType() == Event.EventType.PUT) {
        ops.add(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(k).setValue(ev.getKv()
            .getValue())).build());
      } else {
        ops.add(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(k)).build());
      }
      total.incrementAndGet();
    }
    if (!ops.isEmpty()) {
      commit(dc, ops);
    }
  }

  private static void commit(EtcdClient dc, List<RequestOp> ops) {
    TxnRequest txn = TxnRequest.newBuilder().addAllSuccess(ops).build();
    dc.unary(dc.kv(), 0, s -> s.txn(txn));
  }

  /** strings.Replace(key, prefix, to, 1): the first occurrence, or {@code to} in front for an empty prefix. */
  static ByteString rename(ByteString key, String prefix, String to) {
    byte[] k = key.toByteArray();
    byte[] from = prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] with = to.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int at = indexOf(k, from);
    if (at < 0) {
      return key;
    }
    byte[] out = new byte[k.length - from.length + with.length];
    System.arraycopy(k, 0, out, 0, at);
    System.arraycopy(with, 0, out, at, with.length);
    System.arraycopy(k, at + from.length, out, at + with.length, k.length - at - from.length);
    return ByteString.copyFrom(out);
  }

  private static int indexOf(byte[] s, byte[] sub) {
    outer:
    for (int i = 0; i + sub.length <= s.length; i++) {
      for (int j = 0; j < sub.length; j++) {
        if (s[i + j] != sub[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** clientv3.GetPrefixRangeEnd; "\0" (every key) for the empty prefix. */
  static ByteString prefixEnd(ByteString prefix) {
    byte[] end = prefix.toByteArray();
    for (int i = end.length - 1; i >= 0; i--) {
      if ((end[i] & 0xff) < 0xff) {
        end[i]++;
        return ByteString.copyFrom(Arrays.copyOf(end, i + 1));
      }
    }
    return ByteString.copyFrom(new byte[] {0});
  }

  private static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }
}
