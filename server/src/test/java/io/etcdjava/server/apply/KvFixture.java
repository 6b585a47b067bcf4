package io.etcdjava.server.apply;

import java.nio.file.Path;

import com.google.protobuf.ByteString;

import io.etcdjava.api.etcdserverpb.Compare;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.mvcc.MvccStore;

/** A store with an applier and a reader, and request builders that read like etcdctl. */
final class KvFixture implements AutoCloseable {
    final MvccStore store;
    final KvApplier applier;
    final KvReader reader;
    long index;

    KvFixture(Path dir, LeaseLookup leases) {
        store = MvccStore.open(dir);
        applier = new KvApplier(store, leases);
        reader = new KvReader(store);
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    static PutRequest.Builder putReq(String k, String v) {
        return PutRequest.newBuilder().setKey(bs(k)).setValue(bs(v));
    }

    long put(String k, String v) {
        return applier.put(putReq(k, v).build(), ++index, 1).revision();
    }

    Applied<io.etcdjava.api.etcdserverpb.TxnResponse> txn(TxnRequest t) {
        return applier.txn(t, ++index, 1);
    }

    static RequestOp opPut(String k, String v) {
        return RequestOp.newBuilder().setRequestPut(putReq(k, v)).build();
    }

    static RequestOp opRange(String k, String end) {
        RangeRequest.Builder r = RangeRequest.newBuilder().setKey(bs(k));
        if (end != null) {
            r.setRangeEnd(bs(end));
        }
        return RequestOp.newBuilder().setRequestRange(r).build();
    }

    static RequestOp opDelete(String k, String end) {
        DeleteRangeRequest.Builder d = DeleteRangeRequest.newBuilder().setKey(bs(k));
        if (end != null) {
            d.setRangeEnd(bs(end));
        }
        return RequestOp.newBuilder().setRequestDeleteRange(d).build();
    }

    static RequestOp opTxn(TxnRequest t) {
        return RequestOp.newBuilder().setRequestTxn(t).build();
    }

    static Compare cmp(String key, Compare.CompareTarget target, Compare.CompareResult result, Object operand) {
        Compare.Builder c = Compare.newBuilder().setKey(bs(key)).setTarget(target).setResult(result);
        switch (target) {
            case VERSION -> c.setVersion((Long) operand);
            case CREATE -> c.setCreateRevision((Long) operand);
            case MOD -> c.setModRevision((Long) operand);
            case LEASE -> c.setLease((Long) operand);
            case VALUE -> c.setValue(bs((String) operand));
            default -> throw new IllegalArgumentException();
        }
        return c.build();
    }

    static EtcdError errorOf(Throwable t) {
        return ((EtcdException) t).error();
    }

    @Override
    public void close() {
        store.close();
    }
}
