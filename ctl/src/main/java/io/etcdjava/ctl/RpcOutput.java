package io.etcdjava.ctl;

import com.google.protobuf.MessageLite;
import java.util.function.Consumer;

/**
 * Output of the responses etcdctl's printers know only through printerRPC (member add/remove/update,
 * alarm, move-leader): json marshals the message, protobuf writes its wire bytes, simple, fields and table
 * print what the caller gives or fail with "&lt;format&gt; not supported as output format" (exit 4).
 * A {@code null} renderer for a format means etcdctl has none there.
 */
final class RpcOutput {
  private RpcOutput() {}

  static void print(Invocation inv, MessageLite pb, String json, Consumer<Io> simple, Consumer<Io> fields) {
    Printer p = inv.printer();
    Io io = inv.io;
    if (p instanceof SimplePrinter) {
      simple.accept(io);
    } else if (p instanceof JsonPrinter) {
      io.out(json + "\n");
    } else if (p instanceof ProtobufPrinter) {
      io.outBytes(pb.toByteArray());
    } else if (p instanceof FieldsPrinter && fields != null) {
      fields.accept(io);
    } else {
      p.unsupported();
    }
  }

  /** Go's fmt.Println(`"Name" :`, v). */
  static void field(Io io, String name, Object v) {
    io.out("\"" + name + "\" : " + v + "\n");
  }

  /** printer_fields.go's hdr. */
  static void header(Io io, io.etcdjava.api.etcdserverpb.ResponseHeader h) {
    field(io, "ClusterID", GoText.uint(h.getClusterId()));
    field(io, "MemberID", GoText.uint(h.getMemberId()));
    field(io, "Revision", h.getRevision());
    field(io, "RaftTerm", GoText.uint(h.getRaftTerm()));
  }
}
