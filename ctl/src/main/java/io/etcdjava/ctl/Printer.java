package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.DeleteRangeResponse;
import io.etcdjava.api.etcdserverpb.HashKVResponse;
import io.etcdjava.api.etcdserverpb.LeaseGrantResponse;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.LeaseLeasesResponse;
import io.etcdjava.api.etcdserverpb.LeaseRevokeResponse;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdjava.api.etcdserverpb.MemberListResponse;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.StatusResponse;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import java.util.List;

/**
 * How a command's result is shown (-w simple|json|fields|protobuf|table). The default of every method
 * is etcdctl's "&lt;format&gt; not supported as output format" error with exit code 4.
 */
abstract class Printer {
  record EpHealth(String ep, boolean health, String took, String error) {}

  record EpStatus(String ep, StatusResponse resp) {}

  record EpHashKV(String ep, HashKVResponse resp) {}

  final Io io;
  private final String format;

  Printer(Io io, String format) {
    this.io = io;
    this.format = format;
  }

  static Printer of(String format, boolean hex, Io io) {
    return switch (format) {
      case "simple" -> new SimplePrinter(io, hex);
      case "json" -> new JsonPrinter(io);
      case "fields" -> new FieldsPrinter(io);
      case "protobuf" -> new ProtobufPrinter(io);
      case "table" -> new TablePrinter(io);
      default -> null;
    };
  }

  final void unsupported() {
    throw io.exitWithError(CtlExit.BAD_FEATURE, format + " not supported as output format");
  }

  void get(RangeResponse r) {
    unsupported();
  }

  void put(PutResponse r) {
    unsupported();
  }

  void del(DeleteRangeResponse r) {
    unsupported();
  }

  void txn(TxnResponse r) {
    unsupported();
  }

  void grant(LeaseGrantResponse r) {
    unsupported();
  }

  void revoke(long id, LeaseRevokeResponse r) {
    unsupported();
  }

  void keepAlive(LeaseKeepAliveResponse r) {
    unsupported();
  }

  void timeToLive(LeaseTimeToLiveResponse r, boolean keys) {
    unsupported();
  }

  void leases(LeaseLeasesResponse r) {
    unsupported();
  }

  void memberList(MemberListResponse r) {
    unsupported();
  }

  void endpointHealth(List<EpHealth> hs) {
    unsupported();
  }

  void endpointStatus(List<EpStatus> ss) {
    unsupported();
  }

  void endpointHashKV(List<EpHashKV> hs) {
    unsupported();
  }

  // ---- the row tables shared by simple and table output (printer.go) ----

  static final List<String> MEMBER_HDR = List.of("ID", "Status", "Name", "Peer Addrs", "Client Addrs", "Is Learner");

  static List<List<String>> memberRows(MemberListResponse r) {
    return r.getMembersList().stream().map(m -> List.of(
        GoText.hex(m.getID()),
        m.getName().isEmpty() ? "unstarted" : "started",
        m.getName(),
        String.join(",", m.getPeerURLsList()),
        String.join(",", m.getClientURLsList()),
        Boolean.toString(m.getIsLearner()))).toList();
  }

  static final List<String> HEALTH_HDR = List.of("endpoint", "health", "took", "error");

  static List<List<String>> healthRows(List<EpHealth> hs) {
    return hs.stream().map(h -> List.of(h.ep(), Boolean.toString(h.health()), h.took(), h.error())).toList();
  }

  static final List<String> STATUS_HDR = List.of("endpoint", "ID", "version", "db size", "is leader", "is learner",
      "raft term", "raft index", "raft applied index", "errors");

  static List<List<String>> statusRows(List<EpStatus> ss) {
    return ss.stream().map(s -> {
      StatusResponse r = s.resp();
      return List.of(s.ep(), GoText.hex(r.getHeader().getMemberId()), r.getVersion(),
          GoText.humanizeBytes(r.getDbSize()), Boolean.toString(r.getLeader() == r.getHeader().getMemberId()),
          Boolean.toString(r.getIsLearner()), GoText.uint(r.getRaftTerm()), GoText.uint(r.getRaftIndex()),
          GoText.uint(r.getRaftAppliedIndex()), String.join(", ", r.getErrorsList()));
    }).toList();
  }

  static final List<String> HASHKV_HDR = List.of("endpoint", "hash");

  static List<List<String>> hashRows(List<EpHashKV> hs) {
    return hs.stream().map(h -> List.of(h.ep(), Integer.toUnsignedString(h.resp().getHash()))).toList();
  }
}
