package io.etcdjava.server.apply;

import static io.etcdjava.server.apply.KvFixture.bs;
import static io.etcdjava.server.apply.KvFixture.errorOf;
import static io.etcdjava.server.apply.KvFixture.opDelete;
import static io.etcdjava.server.apply.KvFixture.opPut;
import static io.etcdjava.server.apply.KvFixture.opRange;
import static io.etcdjava.server.apply.KvFixture.opTxn;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.google.protobuf.ByteString;

import io.etcdjava.api.etcdserverpb.Compare;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.server.errors.EtcdError;

@Timeout(10)
class KvRequestValidatorTest {
    final KvRequestValidator v = new KvRequestValidator(4);

    static void fails(Runnable r, EtcdError expected) {
        assertThatThrownBy(r::run).satisfies(e -> assertThat(errorOf(e)).isEqualTo(expected));
    }

    @Test
    void emptyKeys() {
        fails(() -> v.checkRange(RangeRequest.getDefaultInstance()), EtcdError.EMPTY_KEY);
        fails(() -> v.checkPut(PutRequest.getDefaultInstance()), EtcdError.EMPTY_KEY);
        fails(() -> v.checkDelete(DeleteRangeRequest.getDefaultInstance()), EtcdError.EMPTY_KEY);
        fails(() -> v.checkTxn(TxnRequest.newBuilder().addCompare(Compare.getDefaultInstance()).build()),
                EtcdError.EMPTY_KEY);
        fails(() -> v.checkTxn(TxnRequest.newBuilder().addFailure(opRange("", null)).build()), EtcdError.EMPTY_KEY);
    }

    @Test
    void putFlagConflicts() {
        fails(() -> v.checkPut(PutRequest.newBuilder().setKey(bs("k")).setValue(bs("v")).setIgnoreValue(true).build()),
                EtcdError.VALUE_PROVIDED);
        fails(() -> v.checkPut(PutRequest.newBuilder().setKey(bs("k")).setLease(1).setIgnoreLease(true).build()),
                EtcdError.LEASE_PROVIDED);
        assertThatCode(() -> v.checkPut(PutRequest.newBuilder().setKey(bs("k")).setIgnoreValue(true)
                .setIgnoreLease(true).build())).doesNotThrowAnyException();
    }

    @Test
    void tooManyOps() {
        TxnRequest.Builder t = TxnRequest.newBuilder();
        for (int i = 0; i < 5; i++) {
            t.addSuccess(opPut("k" + i, "v"));
        }
        fails(() -> v.checkTxn(t.build()), EtcdError.TOO_MANY_OPS);
        TxnRequest.Builder c = TxnRequest.newBuilder();
        for (int i = 0; i < 5; i++) {
            c.addCompare(Compare.newBuilder().setKey(bs("k")));
        }
        fails(() -> v.checkTxn(c.build()), EtcdError.TOO_MANY_OPS);
        // a nested txn gets only what its parent leaves: 4 - 2 = 2
        TxnRequest nested = TxnRequest.newBuilder().addSuccess(opPut("x", "1")).addSuccess(opPut("y", "1"))
                .addSuccess(opPut("z", "1")).build();
        fails(() -> v.checkTxn(TxnRequest.newBuilder().addSuccess(opTxn(nested)).addSuccess(opPut("a", "1")).build()),
                EtcdError.TOO_MANY_OPS);
        assertThatCode(() -> new KvRequestValidator().checkTxn(t.build())).doesNotThrowAnyException();
    }

    @Test
    void anEmptyOpIsKeyNotFound() {
        fails(() -> v.checkTxn(TxnRequest.newBuilder().addSuccess(RequestOp.getDefaultInstance()).build()),
                EtcdError.KEY_NOT_FOUND);
    }

    @Test
    void duplicatePuts() {
        fails(() -> v.checkTxn(TxnRequest.newBuilder().addSuccess(opPut("a", "1")).addSuccess(opPut("a", "2"))
                .build()), EtcdError.DUPLICATE_KEY);
        assertThatCode(() -> v.checkTxn(TxnRequest.newBuilder().addSuccess(opPut("a", "1"))
                .addFailure(opPut("a", "2")).build())).as("different branches").doesNotThrowAnyException();
    }

    @Test
    void putInsideADeletedRange() {
        fails(() -> v.checkTxn(TxnRequest.newBuilder().addSuccess(opPut("b", "1")).addSuccess(opDelete("a", "c"))
                .build()), EtcdError.DUPLICATE_KEY);
        fails(() -> v.checkTxn(TxnRequest.newBuilder().addSuccess(opDelete("b", null)).addSuccess(opPut("b", "1"))
                .build()), EtcdError.DUPLICATE_KEY);
        assertThatCode(() -> v.checkTxn(TxnRequest.newBuilder().addSuccess(opDelete("a", "b"))
                .addSuccess(opPut("b", "1")).build())).as("range end is exclusive").doesNotThrowAnyException();
        assertThatCode(() -> v.checkTxn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
                        .setKey(bs("a")).setRangeEnd(ByteString.copyFrom(new byte[1]))))
                .addSuccess(opPut("b", "1")).build()))
                .as("etcd quirk: a from-key delete never overlaps a put").doesNotThrowAnyException();
        assertThatCode(() -> v.checkTxn(TxnRequest.newBuilder().addSuccess(opDelete("a", null))
                .addSuccess(opDelete("a", null)).build())).as("deletes may overlap").doesNotThrowAnyException();
    }

    @Test
    void acrossNestedTxns() {
        TxnRequest putsA = TxnRequest.newBuilder().addSuccess(opPut("a", "1")).build();
        fails(() -> v.checkTxn(TxnRequest.newBuilder().addSuccess(opTxn(putsA)).addSuccess(opPut("a", "2")).build()),
                EtcdError.DUPLICATE_KEY);
        fails(() -> v.checkTxn(TxnRequest.newBuilder().addSuccess(opTxn(putsA)).addSuccess(opDelete("a", "b"))
                .build()), EtcdError.DUPLICATE_KEY);
        fails(() -> v.checkTxn(TxnRequest.newBuilder().addSuccess(opTxn(putsA)).addSuccess(opTxn(putsA)).build()),
                EtcdError.DUPLICATE_KEY);
        TxnRequest thenElse = TxnRequest.newBuilder().addSuccess(opPut("a", "1")).addFailure(opPut("a", "2")).build();
        assertThatCode(() -> v.checkTxn(TxnRequest.newBuilder().addSuccess(opTxn(thenElse)).build()))
                .doesNotThrowAnyException();
        TxnRequest deletesA = TxnRequest.newBuilder().addSuccess(opDelete("a", null)).build();
        fails(() -> v.checkTxn(TxnRequest.newBuilder().addSuccess(opTxn(deletesA)).addSuccess(opPut("a", "1"))
                .build()), EtcdError.DUPLICATE_KEY);
        // a nested delete after a sibling nested put is not seen by etcd's walk
        assertThatCode(() -> v.checkTxn(TxnRequest.newBuilder().addSuccess(opTxn(putsA)).addSuccess(opTxn(deletesA))
                .build())).doesNotThrowAnyException();
        fails(() -> v.checkTxn(TxnRequest.newBuilder().addSuccess(opTxn(deletesA)).addSuccess(opTxn(putsA))
                .build()), EtcdError.DUPLICATE_KEY);
    }
}
