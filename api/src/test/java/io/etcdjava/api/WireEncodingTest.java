package io.etcdjava.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.etcdjava.api.etcdserverpb.Compare;
import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.Member;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.WatchCreateRequest;
import io.etcdjava.api.etcdserverpb.WatchRequest;
import io.etcdjava.api.mvccpb.KeyValue;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Round trips against byte strings worked out by hand from etcd's field numbers and wire
 * types (tag = number << 3 | wire type; 0 = varint, 2 = length-delimited).
 */
class WireEncodingTest {

  private static final HexFormat HEX = HexFormat.of();

  private static ByteString bs(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static byte[] hex(String spaced) {
    return HEX.parseHex(spaced.replace(" ", ""));
  }

  private static void assertEncodes(MessageLite msg, String expectedHex) {
    assertThat(HEX.formatHex(msg.toByteArray())).isEqualTo(expectedHex.replace(" ", ""));
  }

  @Test
  void putRequest() throws InvalidProtocolBufferException {
    PutRequest put = PutRequest.newBuilder().setKey(bs("foo")).setValue(bs("bar")).build();
    // 0a = field 1 bytes, 12 = field 2 bytes
    assertEncodes(put, "0a 03 66 6f 6f 12 03 62 61 72");
    assertThat(PutRequest.parseFrom(hex("0a 03 66 6f 6f 12 03 62 61 72"))).isEqualTo(put);

    PutRequest withLease = put.toBuilder().setLease(0x1234).setPrevKv(true).build();
    // 18 = field 3 varint (0x1234 -> b4 24), 20 = field 4 varint
    assertEncodes(withLease, "0a 03 66 6f 6f 12 03 62 61 72 18 b4 24 20 01");
  }

  @Test
  void rangeRequest() throws InvalidProtocolBufferException {
    RangeRequest range = RangeRequest.newBuilder()
        .setKey(bs("a"))
        .setRangeEnd(bs("b"))
        .setLimit(10)
        .setSortOrder(RangeRequest.SortOrder.DESCEND)
        .setSortTarget(RangeRequest.SortTarget.MOD)
        .setKeysOnly(true)
        .build();
    // key(1) range_end(2) limit(3)=10 sort_order(5)=2 sort_target(6)=3 keys_only(8)=1
    String expected = "0a 01 61 12 01 62 18 0a 28 02 30 03 40 01";
    assertEncodes(range, expected);
    assertThat(RangeRequest.parseFrom(hex(expected))).isEqualTo(range);

    // negative int64 is a ten-byte varint (no zigzag): revision(4) = -1
    assertEncodes(RangeRequest.newBuilder().setRevision(-1).build(), "20 ff ff ff ff ff ff ff ff ff 01");
    // "all keys": key = range_end = "\0"
    assertEncodes(RangeRequest.newBuilder().setKey(bs("\0")).setRangeEnd(bs("\0")).build(),
        "0a 01 00 12 01 00");
  }

  @Test
  void compareTargets() {
    assertEncodes(Compare.newBuilder()
            .setResult(Compare.CompareResult.GREATER)
            .setTarget(Compare.CompareTarget.MOD)
            .setKey(bs("k"))
            .setModRevision(5)
            .build(),
        "08 01 10 02 1a 01 6b 30 05");
    // EQUAL (0) is omitted; value sits at field 7 (bytes)
    assertEncodes(Compare.newBuilder()
            .setTarget(Compare.CompareTarget.VALUE)
            .setKey(bs("k"))
            .setValue(bs("v"))
            .build(),
        "10 03 1a 01 6b 3a 01 76");
    // range_end = field 64: tag (64 << 3 | 2) = 514 = varint 82 04
    assertEncodes(Compare.newBuilder().setKey(bs("a")).setRangeEnd(bs("b")).build(),
        "1a 01 61 82 04 01 62");
  }

  @Test
  void txnWithCompareAndBothBranches() throws InvalidProtocolBufferException {
    // version == 0 ("key does not exist"): a set oneof member is written even when zero,
    // exactly as etcd's Go client sends it (etcdctl/clientv3 Compare(Version(k), "=", 0)).
    Compare cmp = Compare.newBuilder()
        .setResult(Compare.CompareResult.EQUAL)
        .setTarget(Compare.CompareTarget.VERSION)
        .setKey(bs("k"))
        .setVersion(0)
        .build();
    assertThat(cmp.getTargetUnionCase()).isEqualTo(Compare.TargetUnionCase.VERSION);
    TxnRequest txn = TxnRequest.newBuilder()
        .addCompare(cmp)
        .addSuccess(RequestOp.newBuilder()
            .setRequestPut(PutRequest.newBuilder().setKey(bs("k")).setValue(bs("v"))))
        .addFailure(RequestOp.newBuilder()
            .setRequestRange(RangeRequest.newBuilder().setKey(bs("k"))))
        .build();
    String expected = ""
        + "0a 05 1a 01 6b 20 00"                 // compare: key "k", version(4) = 0
        + "12 08 12 06 0a 01 6b 12 01 76"        // success: RequestOp.request_put(2){k, v}
        + "1a 05 0a 03 0a 01 6b";                // failure: RequestOp.request_range(1){k}
    assertEncodes(txn, expected);
    TxnRequest parsed = TxnRequest.parseFrom(hex(expected));
    assertThat(parsed).isEqualTo(txn);
    assertThat(parsed.getCompare(0).getTargetUnionCase()).isEqualTo(Compare.TargetUnionCase.VERSION);
    assertThat(parsed.getSuccess(0).getRequestCase()).isEqualTo(RequestOp.RequestCase.REQUEST_PUT);
    assertThat(parsed.getFailure(0).getRequestCase()).isEqualTo(RequestOp.RequestCase.REQUEST_RANGE);
  }

  @Test
  void watchCreateWithPackedFilters() throws InvalidProtocolBufferException {
    WatchRequest w = WatchRequest.newBuilder()
        .setCreateRequest(WatchCreateRequest.newBuilder()
            .setKey(bs("foo"))
            .addFilters(WatchCreateRequest.FilterType.NODELETE)
            .setPrevKv(true))
        .build();
    // filters(5) packed: 2a 01 01; prev_kv(6): 30 01
    String expected = "0a 0a 0a 03 66 6f 6f 2a 01 01 30 01";
    assertEncodes(w, expected);
    assertThat(WatchRequest.parseFrom(hex(expected))).isEqualTo(w);
    // an unpacked encoder (field 5 as varint: 28 01) must parse to the same message
    assertThat(WatchRequest.parseFrom(hex("0a 09 0a 03 66 6f 6f 28 01 30 01"))).isEqualTo(w);
  }

  @Test
  void leaseGrantAndLargeUnsignedIds() throws InvalidProtocolBufferException {
    assertEncodes(LeaseGrantRequest.newBuilder().setTTL(60).build(), "08 3c");
    // etcd member IDs use the full uint64 range; Java carries them as negative longs
    long id = Long.parseUnsignedLong("10276657743932975437"); // 0x8e9e05c52164694d
    Member m = Member.newBuilder().setID(id).setName("default").build();
    Member back = Member.parseFrom(m.toByteArray());
    assertThat(Long.toUnsignedString(back.getID())).isEqualTo("10276657743932975437");
    assertThat(Long.toHexString(back.getID())).isEqualTo("8e9e05c52164694d");
  }

  @Test
  void decodeRangeResponse() throws InvalidProtocolBufferException {
    // header{cluster_id 1, member_id 2, revision 3, raft_term 4},
    // kvs[{key foo, create 2, mod 3, version 1, value bar}], count 1
    String bytes = ""
        + "0a 08 08 01 10 02 18 03 20 04"
        + "12 10 0a 03 66 6f 6f 10 02 18 03 20 01 2a 03 62 61 72"
        + "20 01";
    RangeResponse r = RangeResponse.parseFrom(hex(bytes));
    assertThat(r.getHeader().getClusterId()).isEqualTo(1);
    assertThat(r.getHeader().getMemberId()).isEqualTo(2);
    assertThat(r.getHeader().getRevision()).isEqualTo(3);
    assertThat(r.getHeader().getRaftTerm()).isEqualTo(4);
    assertThat(r.getKvsList()).containsExactly(KeyValue.newBuilder()
        .setKey(bs("foo")).setCreateRevision(2).setModRevision(3).setVersion(1).setValue(bs("bar"))
        .build());
    assertThat(r.getCount()).isEqualTo(1);
    assertThat(HEX.formatHex(r.toByteArray())).isEqualTo(bytes.replace(" ", ""));
  }
}
