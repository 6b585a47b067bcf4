package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.WatchResponse;
import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.api.mvccpb.KeyValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What etcdctl prints for each watch response (printWatchCh and the printers' Watch methods), and the
 * exec mode that runs a command per event with the ETCD_WATCH_* variables.
 */
final class WatchOutput {
  private final Io io;
  private final String format;
  private final boolean hex;

  WatchOutput(Io io, String format, boolean hex) {
    this.io = io;
    this.format = format;
    this.hex = hex;
  }

  void flush() {
    io.out.flush();
    io.err.flush();
  }

  boolean isProcessStdin() {
    return io.in == System.in;
  }

  /** One response; {@code closeErr} is the stream's error when the response stands for its end. */
  void print(WatchResponse r, String closeErr, List<String> exec) {
    if (r.getCanceled()) {
      io.err("watch was canceled (" + cancelError(r, closeErr) + ")\n");
    }
    if (WatchStream.progress(r)) {
      io.out("progress notify: " + r.getHeader().getRevision() + "\n");
    }
    display(r);
    io.out.flush();
    if (!exec.isEmpty()) {
      for (Event ev : r.getEventsList()) {
        run(r, ev, exec);
      }
    }
  }

  /** clientv3's WatchResponse.Err(). */
  private static String cancelError(WatchResponse r, String closeErr) {
    if (closeErr != null) {
      return closeErr;
    }
    if (r.getCompactRevision() != 0) {
      return "etcdserver: mvcc: required revision has been compacted";
    }
    if (!r.getCancelReason().isEmpty()) {
      return r.getCancelReason().startsWith("etcdserver: ") ? r.getCancelReason()
          : "rpc error: code = FailedPrecondition desc = " + r.getCancelReason();
    }
    return "etcdserver: mvcc: required revision is a future revision";
  }

  private void display(WatchResponse r) {
    switch (format) {
      case "simple" -> {
        for (Event ev : r.getEventsList()) {
          io.out(ev.getType().name() + "\n");
          if (ev.hasPrevKv()) {
            simpleKv(ev.getPrevKv());
          }
          simpleKv(ev.getKv());
        }
      }
      case "json" -> io.out(json(r) + "\n");
      case "fields" -> {
        AuthOutput.of(io, format).fieldsHeader(r.getHeader());
        for (Event ev : r.getEventsList()) {
          io.out("\"Type\" : " + ev.getType().name() + "\n");
          if (ev.hasPrevKv()) {
            fieldsKv("Prev", ev.getPrevKv());
          }
          fieldsKv("", ev.getKv());
        }
      }
      case "protobuf" -> io.outBytes(WatchResponse.newBuilder().setHeader(r.getHeader()).addAllEvents(r.getEventsList())
          .setCompactRevision(r.getCompactRevision()).setCanceled(r.getCanceled()).setCreated(r.getCreated()).build()
          .toByteArray());
      default -> throw io.exitWithError(CtlExit.BAD_FEATURE, format + " not supported as output format");
    }
  }

  private void simpleKv(KeyValue kv) {
    io.outBytes(bytes(kv.getKey().toByteArray()));
    io.out("\n");
    io.outBytes(bytes(kv.getValue().toByteArray()));
    io.out("\n");
  }

  private byte[] bytes(byte[] b) {
    if (!hex) {
      return b;
    }
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("\\x%02x", x & 0xff));
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private void fieldsKv(String pfx, KeyValue kv) {
    io.out("\"" + pfx + "Key\" : " + GoText.quote(kv.getKey().toByteArray()) + "\n");
    io.out("\"" + pfx + "CreateRevision\" : " + kv.getCreateRevision() + "\n");
    io.out("\"" + pfx + "ModRevision\" : " + kv.getModRevision() + "\n");
    io.out("\"" + pfx + "Version\" : " + kv.getVersion() + "\n");
    io.out("\"" + pfx + "Value\" : " + GoText.quote(kv.getValue().toByteArray()) + "\n");
    io.out("\"" + pfx + "Lease\" : " + kv.getLease() + "\n");
  }

  /** encoding/json of clientv3.WatchResponse: exported Go field names, the header as a value. */
  static String json(WatchResponse r) {
    // clientv3 hands over a canceled watcher's last response with an empty, not a nil, event list
    String events = r.getEventsCount() == 0 ? (r.getCanceled() ? "[]" : "null") : Json.array(r.getEventsList().stream().map(ev -> {
      Json j = new Json().open().num("type", ev.getTypeValue(), true).raw("kv", Json.kv(ev.getKv()));
      if (ev.hasPrevKv()) {
        j.raw("prev_kv", Json.kv(ev.getPrevKv()));
      }
      return j.close().toString();
    }).toList());
    return new Json().open().raw("Header", new Json().open().headerFields(r.getHeader()).close().toString())
        .raw("Events", events).num("CompactRevision", r.getCompactRevision(), false)
        .bool("Canceled", r.getCanceled(), false).bool("Created", r.getCreated(), false).close().toString();
  }

  /** Runs the exec-command for one event; a failing command ends etcdctl with exit code 1. */
  private void run(WatchResponse r, Event ev, List<String> exec) {
    ProcessBuilder pb = new ProcessBuilder(exec);
    pb.environment().clear();
    pb.environment().putAll(io.env);
    pb.environment().put("ETCD_WATCH_REVISION", Long.toString(r.getHeader().getRevision()));
    pb.environment().put("ETCD_WATCH_EVENT_TYPE", GoText.quote(ev.getType().name()));
    pb.environment().put("ETCD_WATCH_KEY", GoText.quote(ev.getKv().getKey().toByteArray()));
    pb.environment().put("ETCD_WATCH_VALUE", GoText.quote(ev.getKv().getValue().toByteArray()));
    String failure;
    try {
      Process p = pb.redirectInput(ProcessBuilder.Redirect.INHERIT).start();
      Thread errPump = pump(p.getErrorStream(), io.err, "etcdctl-watch-exec-stderr");
      p.getInputStream().transferTo(io.out);
      errPump.join();
      io.out.flush();
      int code = p.waitFor();
      if (code == 0) {
        return;
      }
      failure = "exit status " + code;
    } catch (IOException e) {
      failure = "exec: " + GoText.quote(exec.get(0)) + ": executable file not found in $PATH";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = "signal: interrupt";
    }
    List<String> quoted = new ArrayList<>();
    exec.forEach(a -> quoted.add(GoText.quote(a)));
    io.err("command [" + String.join(" ", quoted) + "] error (" + failure + ")\n");
    throw new CtlExit(CtlExit.ERROR);
  }

  private static Thread pump(InputStream in, OutputStream out, String name) {
    Thread t = new Thread(() -> {
      try {
        in.transferTo(out);
        out.flush();
      } catch (IOException ignored) {
        // the command ended
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
