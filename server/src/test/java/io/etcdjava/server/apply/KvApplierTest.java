package io.etcdjava.server.apply;

import static io.etcdjava.server.apply.KvFixture.bs;
import static io.etcdjava.server.apply.KvFixture.cmp;
import static io.etcdjava.server.apply.KvFixture.errorOf;
import static io.etcdjava.server.apply.KvFixture.opDelete;
import static io.etcdjava.server.apply.KvFixture.opPut;
import static io.etcdjava.server.apply.KvFixture.opRange;
import static io.etcdjava.server.apply.KvFixture.opTxn;
import static io.etcdjava.server.apply.KvFixture.putReq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.etcdjava.api.etcdserverpb.CompactionRequest;
import io.etcdjava.api.etcdserverpb.Compare;
import io.etcdjava.api.etcdserverpb.Compare.CompareResult;
import io.etcdjava.api.etcdserverpb.Compare.CompareTarget;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import io.etcdjava.server.errors.EtcdError;

@Timeout(30)
class KvApplierTest {
    @TempDir
    Path dir;
    KvFixture kv;

    @BeforeEach
    void open() {
        kv = new KvFixture(dir, id -> id == 42);
    }

    @AfterEach
    void close() {
        kv.close();
    }

    @Test
    void putReturnsPrevKvOnlyWhenAsked() {
        kv.put("foo", "1");
        Applied<PutResponse> a = kv.applier.put(putReq("foo", "2").setPrevKv(true).build(), ++kv.index, 1);
        assertThat(a.revision()).isEqualTo(3);
        assertThat(a.response().getPrevKv().getValue().toStringUtf8()).isEqualTo("1");
        assertThat(a.response().hasHeader()).isFalse();
        Applied<PutResponse> b = kv.applier.put(putReq("foo", "3").build(), ++kv.index, 1);
        assertThat(b.response().hasPrevKv()).isFalse();
        Applied<PutResponse> fresh = kv.applier.put(putReq("new", "1").setPrevKv(true).build(), ++kv.index, 1);
        assertThat(fresh.response().hasPrevKv()).isFalse();
    }

    @Test
    void ignoreValueAndIgnoreLeaseKeepTheOldOnes() {
        kv.applier.put(putReq("foo", "v").setLease(42).build(), ++kv.index, 1);
        kv.applier.put(putReq("foo", "").setIgnoreValue(true).build(), ++kv.index, 1);
        var got = kv.reader.range(RangeRequest.newBuilder().setKey(bs("foo")).build()).response().getKvs(0);
        assertThat(got.getValue().toStringUtf8()).isEqualTo("v");
        assertThat(got.getLease()).as("ignore_value without ignore_lease drops the lease").isZero();
        kv.applier.put(putReq("foo", "w").setLease(42).build(), ++kv.index, 1);
        kv.applier.put(putReq("foo", "x").setIgnoreLease(true).build(), ++kv.index, 1);
        got = kv.reader.range(RangeRequest.newBuilder().setKey(bs("foo")).build()).response().getKvs(0);
        assertThat(got.getValue().toStringUtf8()).isEqualTo("x");
        assertThat(got.getLease()).isEqualTo(42);
    }

    @Test
    void ignoreFlagsOnAMissingKeyFailButStillConsumeTheIndex() {
        assertThatThrownBy(() -> kv.applier.put(putReq("nope", "").setIgnoreValue(true).build(), ++kv.index, 1))
                .satisfies(e -> assertThat(errorOf(e)).isEqualTo(EtcdError.KEY_NOT_FOUND));
        assertThatThrownBy(() -> kv.applier.put(putReq("nope", "x").setIgnoreLease(true).build(), ++kv.index, 1))
                .satisfies(e -> assertThat(errorOf(e)).isEqualTo(EtcdError.KEY_NOT_FOUND));
        assertThat(kv.store.consistentIndex()).isEqualTo(kv.index);
        assertThat(kv.store.currentRevision()).isEqualTo(1);
    }

    @Test
    void unknownLeaseIsRejectedBeforeTheKeyCheck() {
        assertThatThrownBy(() -> kv.applier.put(putReq("k", "v").setLease(7).build(), ++kv.index, 1))
                .satisfies(e -> assertThat(errorOf(e)).isEqualTo(EtcdError.LEASE_NOT_FOUND));
        try (KvFixture noLeases = new KvFixture(dir.resolve("other"), LeaseLookup.NONE)) {
            assertThatThrownBy(() -> noLeases.applier.put(putReq("k", "v").setLease(42).build(), 1, 1))
                    .satisfies(e -> assertThat(errorOf(e)).isEqualTo(EtcdError.LEASE_NOT_FOUND));
        }
    }

    @Test
    void deleteRangeWithPrevKvAndRangeForms() {
        for (String k : new String[] {"a", "b", "b1", "c", "d"}) {
            kv.put(k, k);
        }
        var one = kv.applier.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs("a")).setPrevKv(true).build(),
                ++kv.index, 1);
        assertThat(one.response().getDeleted()).isEqualTo(1);
        assertThat(one.response().getPrevKvs(0).getValue().toStringUtf8()).isEqualTo("a");
        assertThat(one.revision()).isEqualTo(7);
        var prefix = kv.applier.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs("b")).setRangeEnd(bs("c"))
                .build(), ++kv.index, 1);
        assertThat(prefix.response().getDeleted()).isEqualTo(2);
        assertThat(prefix.response().getPrevKvsCount()).isZero();
        var fromKey = kv.applier.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs("c"))
                .setRangeEnd(com.google.protobuf.ByteString.copyFrom(new byte[1])).setPrevKv(true).build(),
                ++kv.index, 1);
        assertThat(fromKey.response().getDeleted()).isEqualTo(2);
        assertThat(fromKey.revision()).isEqualTo(9);
        var none = kv.applier.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs("zzz")).build(), ++kv.index, 1);
        assertThat(none.response().getDeleted()).isZero();
        assertThat(none.revision()).as("deleting nothing does not bump the revision").isEqualTo(9);
    }

    // ------------------------------------------------------------------ compares

    static Stream<Arguments> compareTable() {
        // key "k" exists: create=2, mod=3, version=2, value="v2", lease=42
        return Stream.of(
                Arguments.of(CompareTarget.VERSION, 2L, true, false, false, false),
                Arguments.of(CompareTarget.VERSION, 1L, false, true, false, true),
                Arguments.of(CompareTarget.VERSION, 3L, false, false, true, true),
                Arguments.of(CompareTarget.CREATE, 2L, true, false, false, false),
                Arguments.of(CompareTarget.CREATE, 1L, false, true, false, true),
                Arguments.of(CompareTarget.CREATE, 9L, false, false, true, true),
                Arguments.of(CompareTarget.MOD, 3L, true, false, false, false),
                Arguments.of(CompareTarget.MOD, 2L, false, true, false, true),
                Arguments.of(CompareTarget.MOD, 4L, false, false, true, true),
                Arguments.of(CompareTarget.VALUE, "v2", true, false, false, false),
                Arguments.of(CompareTarget.VALUE, "v1", false, true, false, true),
                Arguments.of(CompareTarget.VALUE, "v3", false, false, true, true),
                Arguments.of(CompareTarget.VALUE, "", false, true, false, true),
                Arguments.of(CompareTarget.LEASE, 42L, true, false, false, false),
                Arguments.of(CompareTarget.LEASE, 0L, false, true, false, true),
                Arguments.of(CompareTarget.LEASE, 43L, false, false, true, true));
    }

    @ParameterizedTest(name = "{0} vs {1}")
    @MethodSource("compareTable")
    void everyTargetAgainstEveryResult(CompareTarget target, Object operand, boolean eq, boolean gt, boolean lt,
                                       boolean ne) {
        kv.put("k", "v1");
        kv.applier.put(putReq("k", "v2").setLease(42).build(), ++kv.index, 1);
        assertThat(holds(cmp("k", target, CompareResult.EQUAL, operand))).isEqualTo(eq);
        assertThat(holds(cmp("k", target, CompareResult.GREATER, operand))).isEqualTo(gt);
        assertThat(holds(cmp("k", target, CompareResult.LESS, operand))).isEqualTo(lt);
        assertThat(holds(cmp("k", target, CompareResult.NOT_EQUAL, operand))).isEqualTo(ne);
    }

    boolean holds(Compare c) {
        return kv.txn(TxnRequest.newBuilder().addCompare(c).build()).response().getSucceeded();
    }

    @Test
    void aMissingKeyComparesAsZeroExceptForValue() {
        assertThat(holds(cmp("none", CompareTarget.VERSION, CompareResult.EQUAL, 0L))).isTrue();
        assertThat(holds(cmp("none", CompareTarget.CREATE, CompareResult.EQUAL, 0L))).isTrue();
        assertThat(holds(cmp("none", CompareTarget.MOD, CompareResult.LESS, 1L))).isTrue();
        assertThat(holds(cmp("none", CompareTarget.LEASE, CompareResult.EQUAL, 0L))).isTrue();
        assertThat(holds(cmp("none", CompareTarget.VALUE, CompareResult.EQUAL, ""))).isFalse();
        assertThat(holds(cmp("none", CompareTarget.VALUE, CompareResult.NOT_EQUAL, "x"))).isFalse();
    }

    @Test
    void aTargetWithoutItsOperandComparesAgainstZero() {
        kv.put("k", "v");
        Compare c = Compare.newBuilder().setKey(bs("k")).setTarget(CompareTarget.VERSION)
                .setResult(CompareResult.GREATER).setModRevision(100).build();
        assertThat(holds(c)).as("version 1 > 0: the mod_revision operand is ignored").isTrue();
    }

    @Test
    void aRangeCompareNeedsEveryKeyToMatch() {
        kv.put("a1", "x");
        kv.put("a2", "x");
        kv.put("a3", "y");
        Compare all = cmp("a", CompareTarget.VALUE, CompareResult.EQUAL, "x").toBuilder().setRangeEnd(bs("b")).build();
        assertThat(holds(all)).isFalse();
        assertThat(holds(all.toBuilder().setRangeEnd(bs("a3")).build())).isTrue();
        Compare created = cmp("a", CompareTarget.CREATE, CompareResult.GREATER, 1L).toBuilder()
                .setRangeEnd(bs("b")).build();
        assertThat(holds(created)).isTrue();
        Compare empty = cmp("q", CompareTarget.VERSION, CompareResult.EQUAL, 0L).toBuilder()
                .setRangeEnd(bs("r")).build();
        assertThat(holds(empty)).as("no key in range compares as one zero key").isTrue();
    }

    // ------------------------------------------------------------------ txns

    @Test
    void aWriteTxnUsesOneRevisionWithSubRevisionsAndRespondsInOrder() {
        kv.put("a", "0"); // rev 2
        TxnRequest t = TxnRequest.newBuilder()
                .addCompare(cmp("a", CompareTarget.VALUE, CompareResult.EQUAL, "0"))
                .addSuccess(opRange("a", null))
                .addSuccess(opPut("b", "1"))
                .addSuccess(opRange("b", null))
                .addSuccess(opDelete("a", null))
                .addSuccess(opPut("c", "1"))
                .addFailure(opPut("never", "1"))
                .build();
        Applied<TxnResponse> a = kv.txn(t);
        TxnResponse r = a.response();
        assertThat(a.revision()).isEqualTo(3);
        assertThat(r.getSucceeded()).isTrue();
        assertThat(r.getResponsesCount()).isEqualTo(5);
        assertThat(r.getResponses(0).getResponseRange().getHeader().getRevision()).isEqualTo(2);
        assertThat(r.getResponses(1).getResponsePut().getHeader().getRevision()).isEqualTo(3);
        assertThat(r.getResponses(2).getResponseRange().getKvs(0).getModRevision()).isEqualTo(3);
        assertThat(r.getResponses(2).getResponseRange().getHeader().getRevision()).isEqualTo(3);
        assertThat(r.getResponses(3).getResponseDeleteRange().getDeleted()).isEqualTo(1);
        var c = kv.reader.range(RangeRequest.newBuilder().setKey(bs("c")).build()).response().getKvs(0);
        assertThat(c.getModRevision()).isEqualTo(3);
        assertThat(kv.store.currentRevision()).isEqualTo(3);
        assertThat(kv.reader.range(RangeRequest.newBuilder().setKey(bs("never")).build()).response().getCount())
                .isZero();
    }

    @Test
    void nestedTxnsChooseTheirBranchFromTheStateBeforeTheTxn() {
        kv.put("flag", "on");
        TxnRequest inner = TxnRequest.newBuilder()
                .addCompare(cmp("x", CompareTarget.VERSION, CompareResult.EQUAL, 0L))
                .addSuccess(opPut("x", "created-by-inner"))
                .addFailure(opPut("y", "else"))
                .build();
        TxnRequest outer = TxnRequest.newBuilder()
                .addCompare(cmp("flag", CompareTarget.VALUE, CompareResult.EQUAL, "on"))
                .addSuccess(opPut("z", "1"))
                .addSuccess(opTxn(inner))
                .addSuccess(opTxn(inner.toBuilder().clearSuccess().addSuccess(opPut("w", "2")).build()))
                .build();
        Applied<TxnResponse> a = kv.txn(outer);
        TxnResponse r = a.response();
        assertThat(a.revision()).isEqualTo(3);
        TxnResponse nested = r.getResponses(1).getResponseTxn();
        assertThat(nested.getSucceeded()).isTrue();
        assertThat(nested.hasHeader()).as("etcd leaves nested txn headers empty").isTrue();
        assertThat(nested.getHeader().getRevision()).isZero();
        assertThat(nested.getResponses(0).getResponsePut().getHeader().getRevision()).isEqualTo(3);
        // The second nested txn was decided before the first one wrote x: it still sees no x.
        assertThat(r.getResponses(2).getResponseTxn().getSucceeded()).isTrue();
        var x = kv.reader.range(RangeRequest.newBuilder().setKey(bs("w")).build()).response().getKvs(0);
        assertThat(x.getModRevision()).isEqualTo(3);
        var all = kv.reader.range(RangeRequest.newBuilder().setKey(bs("w")).setRangeEnd(bs("{")).build());
        assertThat(all.response().getKvsList()).extracting(k -> k.getKey().toStringUtf8() + "@"
                + k.getModRevision()).containsExactly("w@3", "x@3", "z@3");
    }

    @Test
    void aReadOnlyOrNoOpTxnDoesNotBumpTheRevision() {
        kv.put("a", "1");
        Applied<TxnResponse> ro = kv.txn(TxnRequest.newBuilder().addSuccess(opRange("a", null)).build());
        assertThat(ro.revision()).isEqualTo(2);
        Applied<TxnResponse> noop = kv.txn(TxnRequest.newBuilder().addSuccess(opDelete("zz", null)).build());
        assertThat(noop.revision()).isEqualTo(2);
        assertThat(kv.store.currentRevision()).isEqualTo(2);
        assertThat(kv.store.consistentIndex()).isEqualTo(kv.index);
    }

    @Test
    void txnChecksRunBeforeAnyWrite() {
        kv.put("a", "1");
        TxnRequest t = TxnRequest.newBuilder()
                .addSuccess(opPut("b", "1"))
                .addSuccess(RequestOp.newBuilder().setRequestPut(putReq("missing", "").setIgnoreValue(true)))
                .build();
        assertThatThrownBy(() -> kv.txn(t)).satisfies(e -> assertThat(errorOf(e)).isEqualTo(EtcdError.KEY_NOT_FOUND));
        TxnRequest leased = TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(putReq("c", "1").setLease(5))).build();
        assertThatThrownBy(() -> kv.txn(leased))
                .satisfies(e -> assertThat(errorOf(e)).isEqualTo(EtcdError.LEASE_NOT_FOUND));
        TxnRequest future = TxnRequest.newBuilder().addSuccess(opPut("b", "1"))
                .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(bs("a"))
                        .setRevision(3))).build();
        assertThatThrownBy(() -> kv.txn(future))
                .satisfies(e -> assertThat(errorOf(e)).isEqualTo(EtcdError.FUTURE_REV));
        // the failing branch is not checked when not chosen
        TxnRequest otherBranch = t.toBuilder().addCompare(cmp("a", CompareTarget.VALUE, CompareResult.EQUAL, "no"))
                .addFailure(opPut("f", "1")).build();
        assertThat(kv.txn(otherBranch).response().getSucceeded()).isFalse();
        assertThat(kv.store.currentRevision()).isEqualTo(3);
        assertThat(kv.store.consistentIndex()).isEqualTo(kv.index);
        assertThat(kv.reader.range(RangeRequest.newBuilder().setKey(bs("b")).build()).response().getCount())
                .isZero();
    }

    @Test
    void compactionAppliedReportsTheCurrentRevisionAndFinishesPhysically() throws Exception {
        kv.put("a", "1");
        kv.put("a", "2");
        kv.put("a", "3");
        CompactApplied c = kv.applier.compact(CompactionRequest.newBuilder().setRevision(3).setPhysical(true).build(),
                ++kv.index, 1);
        assertThat(c.revision()).isEqualTo(4);
        c.physical().get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> kv.applier.compact(CompactionRequest.newBuilder().setRevision(3).build(),
                ++kv.index, 1)).satisfies(e -> assertThat(errorOf(e)).isEqualTo(EtcdError.COMPACTED));
        assertThatThrownBy(() -> kv.applier.compact(CompactionRequest.newBuilder().setRevision(5).build(),
                ++kv.index, 1)).satisfies(e -> assertThat(errorOf(e)).isEqualTo(EtcdError.FUTURE_REV));
        assertThat(kv.store.consistentIndex()).isEqualTo(kv.index);
        TxnRequest oldRead = TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder().setRequestRange(
                RangeRequest.newBuilder().setKey(bs("a")).setRevision(2))).build();
        assertThatThrownBy(() -> kv.reader.txn(oldRead))
                .satisfies(e -> assertThat(errorOf(e)).isEqualTo(EtcdError.COMPACTED));
    }

    @Test
    void replayAfterRestartSkipsNothingAndDuplicatesNothing() {
        for (int i = 0; i < 20; i++) {
            kv.put("k" + i % 3, "v" + i);
        }
        long rev = kv.store.currentRevision();
        long ci = kv.store.consistentIndex();
        kv.close();
        kv = new KvFixture(dir, LeaseLookup.NONE);
        assertThat(kv.store.consistentIndex()).isEqualTo(ci);
        assertThat(kv.store.currentRevision()).isEqualTo(rev);
        kv.index = ci;
        assertThat(kv.put("k0", "after")).isEqualTo(rev + 1);
    }
}
