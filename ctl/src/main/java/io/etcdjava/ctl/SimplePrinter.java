package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.DeleteRangeResponse;
import io.etcdjava.api.etcdserverpb.LeaseGrantResponse;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.LeaseLeasesResponse;
import io.etcdjava.api.etcdserverpb.LeaseRevokeResponse;
import io.etcdjava.api.etcdserverpb.LeaseStatus;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdjava.api.etcdserverpb.MemberListResponse;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.ResponseOp;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import io.etcdjava.api.mvccpb.KeyValue;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;

/** -w simple: etcdctl's default, human-oriented output (printer_simple.go). */
final class SimplePrinter extends Printer {
  private final boolean hex;
  boolean valueOnly;

  SimplePrinter(Io io, boolean hex) {
    super(io, "simple");
    this.hex = hex;
  }

  private void kv(KeyValue kv) {
    if (!valueOnly) {
      io.outBytes(bytes(kv.getKey()));
      io.out("\n");
    }
    io.outBytes(bytes(kv.getValue()));
    io.out("\n");
  }

  private byte[] bytes(ByteString b) {
    if (!hex) {
      return b.toByteArray();
    }
    StringBuilder sb = new StringBuilder();
    for (byte x : b.toByteArray()) {
      sb.append(String.format("\\x%02x", x & 0xff));
    }
    return sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  @Override
  void get(RangeResponse r) {
    r.getKvsList().forEach(this::kv);
  }

  @Override
  void put(PutResponse r) {
    io.out("OK\n");
    if (r.hasPrevKv()) {
      kv(r.getPrevKv());
    }
  }

  @Override
  void del(DeleteRangeResponse r) {
    io.out(r.getDeleted() + "\n");
    r.getPrevKvsList().forEach(this::kv);
  }

  @Override
  void txn(TxnResponse r) {
    io.out(r.getSucceeded() ? "SUCCESS\n" : "FAILURE\n");
    for (ResponseOp op : r.getResponsesList()) {
      io.out("\n");
      switch (op.getResponseCase()) {
        case RESPONSE_DELETE_RANGE -> del(op.getResponseDeleteRange());
        case RESPONSE_PUT -> put(op.getResponsePut());
        case RESPONSE_RANGE -> get(op.getResponseRange());
        default -> io.out("unexpected response " + op + "\n");
      }
    }
  }

  @Override
  void grant(LeaseGrantResponse r) {
    io.out(String.format("lease %016x granted with TTL(%ds)\n", r.getID(), r.getTTL()));
  }

  @Override
  void revoke(long id, LeaseRevokeResponse r) {
    io.out(String.format("lease %016x revoked\n", id));
  }

  @Override
  void keepAlive(LeaseKeepAliveResponse r) {
    io.out(String.format("lease %016x keepalived with TTL(%d)\n", r.getID(), r.getTTL()));
  }

  @Override
  void timeToLive(LeaseTimeToLiveResponse r, boolean keys) {
    if (r.getGrantedTTL() == 0 && r.getTTL() == -1) {
      io.out(String.format("lease %016x already expired\n", r.getID()));
      return;
    }
    StringBuilder txt = new StringBuilder(String.format("lease %016x granted with TTL(%ds), remaining(%ds)",
        r.getID(), r.getGrantedTTL(), r.getTTL()));
    io.out(txt.toString());
    if (keys) {
      List<byte[]> ks = new ArrayList<>();
      r.getKeysList().forEach(k -> ks.add(k.toByteArray()));
      io.out(", attached keys([");
      for (int i = 0; i < ks.size(); i++) {
        if (i > 0) {
          io.out(" ");
        }
        io.outBytes(ks.get(i));
      }
      io.out("])");
    }
    io.out("\n");
  }

  @Override
  void leases(LeaseLeasesResponse r) {
    io.out(String.format("found %d leases\n", r.getLeasesCount()));
    for (LeaseStatus l : r.getLeasesList()) {
      io.out(String.format("%016x\n", l.getID()));
    }
  }

  @Override
  void memberList(MemberListResponse r) {
    for (List<String> row : memberRows(r)) {
      io.out(String.join(", ", row) + "\n");
    }
  }

  @Override
  void endpointHealth(List<EpHealth> hs) {
    for (EpHealth h : hs) {
      if (h.error().isEmpty()) {
        io.err(h.ep() + " is healthy: successfully committed proposal: took = " + h.took() + "\n");
      } else {
        io.err(h.ep() + " is unhealthy: failed to commit proposal: " + h.error() + "\n");
      }
    }
  }

  @Override
  void endpointStatus(List<EpStatus> ss) {
    for (List<String> row : statusRows(ss)) {
      io.out(String.join(", ", row) + "\n");
    }
  }

  @Override
  void endpointHashKV(List<EpHashKV> hs) {
    for (List<String> row : hashRows(hs)) {
      io.out(String.join(", ", row) + "\n");
    }
  }

}
