package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.DeleteRangeResponse;
import io.etcdjava.api.etcdserverpb.LeaseGrantResponse;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.LeaseLeasesResponse;
import io.etcdjava.api.etcdserverpb.LeaseRevokeResponse;
import io.etcdjava.api.etcdserverpb.LeaseStatus;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdjava.api.etcdserverpb.Member;
import io.etcdjava.api.etcdserverpb.MemberListResponse;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.api.etcdserverpb.ResponseOp;
import io.etcdjava.api.etcdserverpb.StatusResponse;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import io.etcdjava.api.mvccpb.KeyValue;
import com.google.protobuf.ByteString;
import java.util.List;

/** -w fields: one {@code "Name" : value} line per field (printer_fields.go). */
final class FieldsPrinter extends Printer {
  FieldsPrinter(Io io) {
    super(io, "fields");
  }

  private void line(String name, Object v) {
    io.out("\"" + name + "\" : " + v + "\n");
  }

  private void quoted(String name, ByteString b) {
    line(name, GoText.quote(b.toByteArray()));
  }

  private void kv(String pfx, KeyValue kv) {
    quoted(pfx + "Key", kv.getKey());
    line(pfx + "CreateRevision", kv.getCreateRevision());
    line(pfx + "ModRevision", kv.getModRevision());
    line(pfx + "Version", kv.getVersion());
    quoted(pfx + "Value", kv.getValue());
    line(pfx + "Lease", kv.getLease());
  }

  private void hdr(ResponseHeader h) {
    line("ClusterID", GoText.uint(h.getClusterId()));
    line("MemberID", GoText.uint(h.getMemberId()));
    line("Revision", h.getRevision());
    line("RaftTerm", GoText.uint(h.getRaftTerm()));
  }

  @Override
  void del(DeleteRangeResponse r) {
    hdr(r.getHeader());
    line("Deleted", r.getDeleted());
    r.getPrevKvsList().forEach(kv -> kv("Prev", kv));
  }

  @Override
  void get(RangeResponse r) {
    hdr(r.getHeader());
    r.getKvsList().forEach(kv -> kv("", kv));
    line("More", r.getMore());
    line("Count", r.getCount());
  }

  @Override
  void put(PutResponse r) {
    hdr(r.getHeader());
    if (r.hasPrevKv()) {
      kv("Prev", r.getPrevKv());
    }
  }

  @Override
  void txn(TxnResponse r) {
    hdr(r.getHeader());
    line("Succeeded", r.getSucceeded());
    for (ResponseOp op : r.getResponsesList()) {
      switch (op.getResponseCase()) {
        case RESPONSE_DELETE_RANGE -> del(op.getResponseDeleteRange());
        case RESPONSE_PUT -> put(op.getResponsePut());
        case RESPONSE_RANGE -> get(op.getResponseRange());
        default -> line("Unknown", GoText.quote(op.toString()));
      }
    }
  }

  @Override
  void grant(LeaseGrantResponse r) {
    hdr(r.getHeader());
    line("ID", r.getID());
    line("TTL", r.getTTL());
  }

  @Override
  void revoke(long id, LeaseRevokeResponse r) {
    hdr(r.getHeader());
  }

  @Override
  void keepAlive(LeaseKeepAliveResponse r) {
    hdr(r.getHeader());
    line("ID", r.getID());
    line("TTL", r.getTTL());
  }

  @Override
  void timeToLive(LeaseTimeToLiveResponse r, boolean keys) {
    hdr(r.getHeader());
    line("ID", r.getID());
    line("TTL", r.getTTL());
    line("GrantedTTL", r.getGrantedTTL());
    r.getKeysList().forEach(k -> quoted("Key", k));
  }

  @Override
  void leases(LeaseLeasesResponse r) {
    hdr(r.getHeader());
    for (LeaseStatus l : r.getLeasesList()) {
      line("ID", l.getID());
    }
  }

  @Override
  void memberList(MemberListResponse r) {
    hdr(r.getHeader());
    for (Member m : r.getMembersList()) {
      line("ID", GoText.uint(m.getID()));
      line("Name", GoText.quote(m.getName()));
      m.getPeerURLsList().forEach(u -> line("PeerURL", GoText.quote(u)));
      m.getClientURLsList().forEach(u -> line("ClientURL", GoText.quote(u)));
      line("IsLearner", m.getIsLearner());
      io.out("\n");
    }
  }

  @Override
  void endpointHealth(List<EpHealth> hs) {
    for (EpHealth h : hs) {
      line("Endpoint", GoText.quote(h.ep()));
      line("Health", h.health());
      line("Took", h.took());
      line("Error", h.error());
      io.out("\n");
    }
  }

  @Override
  void endpointStatus(List<EpStatus> ss) {
    for (EpStatus s : ss) {
      StatusResponse r = s.resp();
      hdr(r.getHeader());
      line("Version", GoText.quote(r.getVersion()));
      line("DBSize", r.getDbSize());
      line("Leader", GoText.uint(r.getLeader()));
      line("IsLearner", r.getIsLearner());
      line("RaftIndex", GoText.uint(r.getRaftIndex()));
      line("RaftTerm", GoText.uint(r.getRaftTerm()));
      line("RaftAppliedIndex", GoText.uint(r.getRaftAppliedIndex()));
      line("Errors", GoText.list(r.getErrorsList()));
      line("Endpoint", GoText.quote(s.ep()));
      io.out("\n");
    }
  }

  @Override
  void endpointHashKV(List<EpHashKV> hs) {
    for (EpHashKV h : hs) {
      hdr(h.resp().getHeader());
      line("Endpoint", GoText.quote(h.ep()));
      line("Hash", Integer.toUnsignedString(h.resp().getHash()));
      io.out("\n");
    }
  }
}
