package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.DeleteRangeResponse;
import io.etcdjava.api.etcdserverpb.LeaseGrantResponse;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.LeaseLeasesResponse;
import io.etcdjava.api.etcdserverpb.LeaseRevokeResponse;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdjava.api.etcdserverpb.MemberListResponse;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import com.google.protobuf.MessageLite;

/**
 * -w protobuf: the response's wire bytes, no newline. Lease responses are clientv3 wrappers that embed
 * the header, so Go marshals only the header for them; a revoke response cannot be marshalled at all.
 */
final class ProtobufPrinter extends Printer {
  ProtobufPrinter(Io io) {
    super(io, "protobuf");
  }

  private void pb(MessageLite m) {
    io.outBytes(m.toByteArray());
  }

  @Override
  void get(RangeResponse r) {
    pb(r);
  }

  @Override
  void put(PutResponse r) {
    pb(r);
  }

  @Override
  void del(DeleteRangeResponse r) {
    pb(r);
  }

  @Override
  void txn(TxnResponse r) {
    pb(r);
  }

  @Override
  void grant(LeaseGrantResponse r) {
    pb(r.getHeader());
  }

  @Override
  void revoke(long id, LeaseRevokeResponse r) {
    throw io.exitWithError(CtlExit.BAD_FEATURE, "marshal unsupported for type etcdserverpb.LeaseRevokeResponse ({"
        + "0xc000000000})");
  }

  @Override
  void keepAlive(LeaseKeepAliveResponse r) {
    pb(r.getHeader());
  }

  @Override
  void timeToLive(LeaseTimeToLiveResponse r, boolean keys) {
    pb(r.getHeader());
  }

  @Override
  void leases(LeaseLeasesResponse r) {
    pb(r.getHeader());
  }

  @Override
  void memberList(MemberListResponse r) {
    pb(r);
  }
}
