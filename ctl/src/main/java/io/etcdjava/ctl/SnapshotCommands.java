package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.SnapshotRequest;
import io.etcdjava.api.etcdserverpb.SnapshotResponse;
import io.etcdjava.ctl.bbolt.SnapshotStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** snapshot save|status|restore (snapshot_command.go with clientv3/snapshot's manager). */
final class SnapshotCommands {
  private static final int SHA256_SIZE = 32;
  /** The stack the Go client logs when the snapshot stream cannot be created (a constant of the binary). */
  private static final String CREATE_STREAM_STACK = "go.etcd.io/etcd/clientv3.(*Client).streamClientInterceptor.func1"
      + "\n\tgo.etcd.io/etcd/clientv3/retry_interceptor.go:129\ngoogle.golang.org/grpc.(*ClientConn).NewStream\n\t"
      + "google.golang.org/grpc/stream.go:148\ngoogle.golang.org/grpc.NewClientStream\n\tgoogle.golang.org/grpc/"
      + "stream.go:155\ngo.etcd.io/etcd/etcdserver/etcdserverpb.(*maintenanceClient).Snapshot\n\tgo.etcd.io/etcd/"
      + "etcdserver/etcdserverpb/rpc.pb.go:4296\ngo.etcd.io/etcd/clientv3.(*retryMaintenanceClient).Snapshot\n\t"
      + "go.etcd.io/etcd/clientv3/retry.go:214\ngo.etcd.io/etcd/clientv3.(*maintenance).Snapshot\n\tgo.etcd.io/etcd/"
      + "clientv3/maintenance.go:195\ngo.etcd.io/etcd/clientv3/snapshot.(*v3Manager).Save\n\tgo.etcd.io/etcd/"
      + "clientv3/snapshot/v3_snapshot.go:123\ngo.etcd.io/etcd/etcdctl/ctlv3/command.snapshotSaveCommandFunc\n\t"
      + "go.etcd.io/etcd/etcdctl/ctlv3/command/snapshot_command.go:113\ngithub.com/spf13/cobra.(*Command).execute\n\t"
      + "github.com/spf13/cobra/command.go:920\ngithub.com/spf13/cobra.(*Command).ExecuteC\n\tgithub.com/spf13/cobra/"
      + "command.go:1044\ngithub.com/spf13/cobra.(*Command).Execute\n\tgithub.com/spf13/cobra/command.go:968\n"
      + "go.etcd.io/etcd/etcdctl/ctlv3.Start\n\tgo.etcd.io/etcd/etcdctl/ctlv3/ctl_nocov.go:26\nmain.main\n\t"
      + "go.etcd.io/etcd/etcdctl/main.go:35\nruntime.main\n\truntime/proc.go:250";

  private SnapshotCommands() {}

  static Command create() {
    Command restore = new Command("restore <filename> [options]",
        "Restores an etcd member snapshot to an etcd directory", "", SnapshotRestore::run);
    SnapshotRestore.flags(restore);
    return new Command("snapshot <subcommand>", "Manages etcd node snapshots", "", null).add(
        new Command("save <filename>", "Stores an etcd node backend snapshot to a given file", "",
            SnapshotCommands::save),
        restore,
        new Command("status <filename>", "Gets backend snapshot status of a given file",
            "When --write-out is set to simple, this command prints out comma-separated status lists for each "
                + "endpoint.\nThe items in the lists are hash, revision, total keys, total size.\n",
            SnapshotCommands::status));
  }

  /** bbolt files handed over by Maintenance.Snapshot end in a SHA-256 of the rest, past a 512-byte boundary. */
  static boolean hasChecksum(long n) {
    return n % 512 == SHA256_SIZE;
  }

  private static void save(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "snapshot save expects one argument");
    }
    ClientConfig cfg = inv.clientConfig();
    ZapLog log = new ZapLog(inv.io);
    String path = args.get(0);
    if (cfg.endpoints().size() != 1) {
      throw inv.io.exitWithError(CtlExit.INTERRUPTED,
          "snapshot must be requested to one selected node, not multiple " + GoText.list(cfg.endpoints()));
    }
    EtcdClient c = inv.client(cfg);
    Path part = Path.of(path + ".part");
    try {
      saveTo(inv, c, cfg.endpoints().get(0), part, Path.of(path), log);
    } finally {
      try {
        Files.deleteIfExists(part);
      } catch (IOException ignored) {
        // like os.RemoveAll's error, unreported
      }
    }
    inv.io.out("Snapshot saved at " + path + "\n");
  }

  private static void saveTo(Invocation inv, EtcdClient c, String ep, Path part, Path dest, ZapLog log) {
    FileChannel f;
    try {
      f = FileChannel.open(part, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING);
      Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw inv.io.exitWithError(CtlExit.INTERRUPTED,
          "could not open " + part + " (" + goFileError("open", part, e) + ")");
    }
    log.production("info", "snapshot/v3_snapshot.go:119", "created temporary db file", ZapLog.field("path",
        part.toString()));
    long started = System.nanoTime();
    var stub = c.maintenance().withWaitForReady();
    if (inv.changed("command-timeout")) {
      // etcdctl bounds a snapshot download only when --command-timeout is given
      stub = stub.withDeadlineAfter(inv.commandTimeout(), TimeUnit.NANOSECONDS);
    }
    long size = 0;
    Progress progress = new Progress(inv.io, "snapshot save");
    try (f) {
      Iterator<SnapshotResponse> it = stub.snapshot(SnapshotRequest.getDefaultInstance());
      boolean opened = false;
      try {
        it.hasNext();
        opened = true;
        log.client("info", "clientv3/maintenance.go:200", "opened snapshot stream; downloading", "");
        log.production("info", "snapshot/v3_snapshot.go:127", "fetching snapshot", ZapLog.field("endpoint", ep));
        while (it.hasNext()) {
          var blob = it.next().getBlob().asReadOnlyByteBuffer();
          while (blob.hasRemaining()) {
            size += f.write(blob);
          }
          progress.update(size, "bytes");
        }
        progress.done();
        log.client("info", "clientv3/maintenance.go:208", "completed snapshot read; closing", "");
      } catch (StatusRuntimeException e) {
        progress.done();
        String rpcText = "rpc error: code = " + RpcError.goCodeName(e.getStatus().getCode()) + " desc = "
            + describe(e.getStatus());
        if (!opened) {
          log.client("error", "clientv3/retry_interceptor.go:129", "streamer failed to create ClientStream",
              ZapLog.field("error", rpcText) + ZapLog.field("stacktrace", CREATE_STREAM_STACK));
        } else {
          log.client("warn", "clientv3/maintenance.go:210", "failed to receive from snapshot stream; closing",
              ZapLog.field("error", rpcText));
        }
        throw inv.io.exitWithError(CtlExit.INTERRUPTED, goError(e.getStatus(), rpcText));
      }
      if (!hasChecksum(size)) {
        throw inv.io.exitWithError(CtlExit.INTERRUPTED, "sha256 checksum not found [bytes: " + size + "]");
      }
      f.force(true);
    } catch (IOException e) {
      throw inv.io.exitWithError(CtlExit.INTERRUPTED, String.valueOf(e.getMessage()));
    }
    log.production("info", "snapshot/v3_snapshot.go:142", "fetched snapshot", ZapLog.field("endpoint", ep)
        + ZapLog.field("size", GoText.humanizeBytes(size)) + ZapLog.seconds("took", System.nanoTime() - started));
    try {
      Files.move(part, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw inv.io.exitWithError(CtlExit.INTERRUPTED, "could not rename " + part + " to " + dest + " ("
          + goFileError("rename", part, e) + ")");
    }
    log.production("info", "snapshot/v3_snapshot.go:152", "saved", ZapLog.field("path", dest.toString()));
  }

  private static String describe(Status s) {
    if (s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
      return "latest balancer error: all SubConns are in TransientFailure";
    }
    return s.getDescription() == null ? "" : s.getDescription();
  }

  /** clientv3's toErr for a stream error. */
  private static String goError(Status s, String rpcText) {
    String desc = s.getDescription() == null ? "" : s.getDescription();
    if (s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
      return "context deadline exceeded";
    }
    if (s.getCode() == Status.Code.CANCELLED) {
      return "context canceled";
    }
    return desc.startsWith("etcdserver: ") ? desc : rpcText;
  }

  /** Go's *PathError text for a failed file operation: "op path: reason". */
  static String goFileError(String op, Path p, IOException e) {
    String reason;
    if (e instanceof NoSuchFileException) {
      reason = "no such file or directory";
    } else if (e instanceof AccessDeniedException) {
      reason = "permission denied";
    } else if (e instanceof FileSystemException fse && fse.getReason() != null) {
      reason = fse.getReason().toLowerCase(java.util.Locale.ROOT);
    } else {
      reason = String.valueOf(e.getMessage());
    }
    return op + " " + p + ": " + reason;
  }

  private static void status(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "snapshot status requires exactly one argument");
    }
    inv.initDisplay();
    Path file = Path.of(args.get(0));
    if (!Files.exists(file)) {
      throw inv.io.exitWithError(CtlExit.ERROR, "stat " + file + ": no such file or directory");
    }
    SnapshotStatus s;
    try {
      s = SnapshotStatus.of(file);
    } catch (IOException e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
    Printer p = inv.printer();
    String hash = Integer.toHexString(s.hash());
    List<String> row = List.of(hash, Long.toString(s.revision()), Integer.toString(s.totalKey()),
        GoText.humanizeBytes(s.totalSize()));
    if (p instanceof SimplePrinter) {
      inv.io.out(String.join(", ", row) + "\n");
    } else if (p instanceof JsonPrinter) {
      inv.io.out(new Json().open().unsigned("hash", Integer.toUnsignedLong(s.hash()), false)
          .num("revision", s.revision(), false).num("totalKey", s.totalKey(), false)
          .num("totalSize", s.totalSize(), false).close() + "\n");
    } else if (p instanceof FieldsPrinter) {
      RpcOutput.field(inv.io, "Hash", Integer.toUnsignedString(s.hash()));
      RpcOutput.field(inv.io, "Revision", s.revision());
      RpcOutput.field(inv.io, "Keys", s.totalKey());
      RpcOutput.field(inv.io, "Size", s.totalSize());
    } else if (p instanceof TablePrinter) {
      inv.io.out(AsciiTable.render(List.of("hash", "revision", "total keys", "total size"), List.of(row)));
    } else {
      p.unsupported();
    }
  }
}
