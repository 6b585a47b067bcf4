package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.DeleteRangeResponse;
import io.etcdjava.api.etcdserverpb.HashKVResponse;
import io.etcdjava.api.etcdserverpb.LeaseGrantResponse;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.LeaseLeasesResponse;
import io.etcdjava.api.etcdserverpb.LeaseRevokeResponse;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdjava.api.etcdserverpb.Member;
import io.etcdjava.api.etcdserverpb.MemberListResponse;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.ResponseOp;
import io.etcdjava.api.etcdserverpb.StatusResponse;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import java.util.List;

/** -w json: Go's json.Marshal of the gogo-protobuf structs and clientv3 wrappers etcdctl prints. */
final class JsonPrinter extends Printer {
  JsonPrinter(Io io) {
    super(io, "json");
  }

  private void println(Object json) {
    io.out(json + "\n");
  }

  static String rangeJson(RangeResponse r) {
    Json j = new Json().open();
    if (r.hasHeader()) {
      j.header(r.getHeader());
    }
    if (r.getKvsCount() > 0) {
      j.raw("kvs", Json.array(r.getKvsList().stream().map(Json::kv).toList()));
    }
    return j.bool("more", r.getMore(), true).num("count", r.getCount(), true).close().toString();
  }

  static String putJson(PutResponse r) {
    Json j = new Json().open();
    if (r.hasHeader()) {
      j.header(r.getHeader());
    }
    if (r.hasPrevKv()) {
      j.raw("prev_kv", Json.kv(r.getPrevKv()));
    }
    return j.close().toString();
  }

  static String delJson(DeleteRangeResponse r) {
    Json j = new Json().open();
    if (r.hasHeader()) {
      j.header(r.getHeader());
    }
    j.num("deleted", r.getDeleted(), true);
    if (r.getPrevKvsCount() > 0) {
      j.raw("prev_kvs", Json.array(r.getPrevKvsList().stream().map(Json::kv).toList()));
    }
    return j.close().toString();
  }

  static String txnJson(TxnResponse r) {
    Json j = new Json().open();
    if (r.hasHeader()) {
      j.header(r.getHeader());
    }
    j.bool("succeeded", r.getSucceeded(), true);
    if (r.getResponsesCount() > 0) {
      j.raw("responses", Json.array(r.getResponsesList().stream().map(JsonPrinter::op).toList()));
    }
    return j.close().toString();
  }

  private static String op(ResponseOp op) {
    String inner = switch (op.getResponseCase()) {
      case RESPONSE_RANGE -> "{\"ResponseRange\":" + rangeJson(op.getResponseRange()) + "}";
      case RESPONSE_PUT -> "{\"ResponsePut\":" + putJson(op.getResponsePut()) + "}";
      case RESPONSE_DELETE_RANGE -> "{\"ResponseDeleteRange\":" + delJson(op.getResponseDeleteRange()) + "}";
      case RESPONSE_TXN -> "{\"ResponseTxn\":" + txnJson(op.getResponseTxn()) + "}";
      default -> "null";
    };
    return "{\"Response\":" + inner + "}";
  }

  @Override
  void get(RangeResponse r) {
    println(rangeJson(r));
  }

  @Override
  void put(PutResponse r) {
    println(putJson(r));
  }

  @Override
  void del(DeleteRangeResponse r) {
    println(delJson(r));
  }

  @Override
  void txn(TxnResponse r) {
    println(txnJson(r));
  }

  @Override
  void grant(LeaseGrantResponse r) {
    println(new Json().open().headerFields(r.getHeader()).num("ID", r.getID(), false).num("TTL", r.getTTL(), false)
        .str("Error", r.getError(), false).close());
  }

  @Override
  void revoke(long id, LeaseRevokeResponse r) {
    Json j = new Json().open();
    if (r.hasHeader()) {
      j.header(r.getHeader());
    }
    println(j.close());
  }

  @Override
  void keepAlive(LeaseKeepAliveResponse r) {
    println(new Json().open().headerFields(r.getHeader()).num("ID", r.getID(), false).num("TTL", r.getTTL(), false)
        .close());
  }

  @Override
  void timeToLive(LeaseTimeToLiveResponse r, boolean keys) {
    Json j = new Json().open().headerFields(r.getHeader()).num("id", r.getID(), false).num("ttl", r.getTTL(), false)
        .num("granted-ttl", r.getGrantedTTL(), false);
    if (r.getKeysCount() == 0) {
      j.raw("keys", "null");
    } else {
      j.raw("keys", Json.array(r.getKeysList().stream()
          .map(k -> "\"" + java.util.Base64.getEncoder().encodeToString(k.toByteArray()) + "\"").toList()));
    }
    println(j.close());
  }

  @Override
  void leases(LeaseLeasesResponse r) {
    println(new Json().open().headerFields(r.getHeader())
        .raw("leases", Json.array(r.getLeasesList().stream().map(l -> "{\"id\":" + l.getID() + "}").toList()))
        .close());
  }

  @Override
  void memberList(MemberListResponse r) {
    Json j = new Json().open();
    if (r.hasHeader()) {
      j.header(r.getHeader());
    }
    if (r.getMembersCount() > 0) {
      j.raw("members", Json.array(r.getMembersList().stream().map(JsonPrinter::member).toList()));
    }
    println(j.close());
  }

  static String member(Member m) {
    return new Json().open().unsigned("ID", m.getID(), true).str("name", m.getName(), true)
        .strings("peerURLs", m.getPeerURLsList(), true).strings("clientURLs", m.getClientURLsList(), true)
        .bool("isLearner", m.getIsLearner(), true).close().toString();
  }

  @Override
  void endpointHealth(List<EpHealth> hs) {
    println(Json.array(hs.stream().map(h -> new Json().open().str("endpoint", h.ep(), false)
        .bool("health", h.health(), false).str("took", h.took(), false).str("error", h.error(), true).close()
        .toString()).toList()));
  }

  @Override
  void endpointStatus(List<EpStatus> ss) {
    println(Json.array(ss.stream().map(s -> new Json().open().str("Endpoint", s.ep(), false)
        .raw("Status", status(s.resp())).close().toString()).toList()));
  }

  private static String status(StatusResponse r) {
    Json j = new Json().open();
    if (r.hasHeader()) {
      j.header(r.getHeader());
    }
    return j.str("version", r.getVersion(), true).num("dbSize", r.getDbSize(), true)
        .unsigned("leader", r.getLeader(), true).unsigned("raftIndex", r.getRaftIndex(), true)
        .unsigned("raftTerm", r.getRaftTerm(), true).unsigned("raftAppliedIndex", r.getRaftAppliedIndex(), true)
        .strings("errors", r.getErrorsList(), true).num("dbSizeInUse", r.getDbSizeInUse(), true)
        .bool("isLearner", r.getIsLearner(), true).close().toString();
  }

  @Override
  void endpointHashKV(List<EpHashKV> hs) {
    println(Json.array(hs.stream().map(h -> new Json().open().str("Endpoint", h.ep(), false)
        .raw("HashKV", hashKV(h.resp())).close().toString()).toList()));
  }

  private static String hashKV(HashKVResponse r) {
    Json j = new Json().open();
    if (r.hasHeader()) {
      j.header(r.getHeader());
    }
    return j.unsigned("hash", Integer.toUnsignedLong(r.getHash()), true)
        .num("compact_revision", r.getCompactRevision(), true).close().toString();
  }
}
