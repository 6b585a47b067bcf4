package io.etcdjava.server.apply;

import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.ByteString;

import io.etcdjava.api.etcdserverpb.Compare;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.api.etcdserverpb.ResponseOp;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import io.etcdjava.api.mvccpb.KeyValue;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.mvcc.KvView;
import io.etcdjava.server.mvcc.RangeOptions;
import io.etcdjava.server.mvcc.RangeResult;
import io.etcdjava.server.mvcc.WriteTxn;

/**
 * Transaction evaluation as etcd does it: first decide every branch (the compares of the top
 * transaction and of each nested transaction on the chosen branches, in depth-first order, all
 * against the state before the transaction), then check the chosen operations, then run them.
 */
final class TxnEngine {
    private TxnEngine() {
    }

    /** Walks the branch decisions of {@link #path} in order. */
    static final class Cursor {
        private final List<Boolean> path;
        private int pos;

        Cursor(List<Boolean> path) {
            this.path = path;
        }

        boolean next() {
            return path.get(pos++);
        }
    }

    /** A check of one operation of a chosen branch, before anything is written. */
    @FunctionalInterface
    interface OpCheck {
        void check(KvView view, RequestOp op);
    }

    /** etcd's isTxnReadonly: every top-level op of both branches is a range (a nested txn counts as a write). */
    static boolean isReadOnly(TxnRequest t) {
        for (RequestOp op : t.getSuccessList()) {
            if (op.getRequestCase() != RequestOp.RequestCase.REQUEST_RANGE) {
                return false;
            }
        }
        for (RequestOp op : t.getFailureList()) {
            if (op.getRequestCase() != RequestOp.RequestCase.REQUEST_RANGE) {
                return false;
            }
        }
        return true;
    }

    static List<Boolean> path(KvView view, TxnRequest t) {
        List<Boolean> out = new ArrayList<>();
        collectPath(view, t, out);
        return out;
    }

    private static void collectPath(KvView view, TxnRequest t, List<Boolean> out) {
        boolean ok = applyCompares(view, t.getCompareList());
        out.add(ok);
        for (RequestOp op : ok ? t.getSuccessList() : t.getFailureList()) {
            if (op.getRequestCase() == RequestOp.RequestCase.REQUEST_TXN) {
                collectPath(view, op.getRequestTxn(), out);
            }
        }
    }

    static boolean applyCompares(KvView view, List<Compare> cmps) {
        for (Compare c : cmps) {
            if (!applyCompare(view, c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Every key in the compare's range must satisfy it. With no key there: a VALUE compare fails
     * (a missing value cannot be told from an empty one); the others compare against zero.
     */
    static boolean applyCompare(KvView view, Compare c) {
        RangeResult rr;
        try {
            rr = view.range(c.getKey().toByteArray(), Ranges.end(c.getRangeEnd()), RangeOptions.ALL);
        } catch (EtcdException e) {
            return false;
        }
        if (rr.kvs().isEmpty()) {
            if (c.getTargetValue() == Compare.CompareTarget.VALUE_VALUE) {
                return false;
            }
            return compareKv(c, KeyValue.getDefaultInstance());
        }
        for (KeyValue kv : rr.kvs()) {
            if (!compareKv(c, kv)) {
                return false;
            }
        }
        return true;
    }

    static boolean compareKv(Compare c, KeyValue kv) {
        Compare.TargetUnionCase u = c.getTargetUnionCase();
        int result;
        switch (c.getTargetValue()) {
            case Compare.CompareTarget.VALUE_VALUE:
                ByteString v = u == Compare.TargetUnionCase.VALUE ? c.getValue() : ByteString.EMPTY;
                result = Integer.signum(Ranges.compare(kv.getValue(), v));
                break;
            case Compare.CompareTarget.CREATE_VALUE:
                result = Long.compare(kv.getCreateRevision(),
                        u == Compare.TargetUnionCase.CREATE_REVISION ? c.getCreateRevision() : 0);
                break;
            case Compare.CompareTarget.MOD_VALUE:
                result = Long.compare(kv.getModRevision(),
                        u == Compare.TargetUnionCase.MOD_REVISION ? c.getModRevision() : 0);
                break;
            case Compare.CompareTarget.VERSION_VALUE:
                result = Long.compare(kv.getVersion(), u == Compare.TargetUnionCase.VERSION ? c.getVersion() : 0);
                break;
            case Compare.CompareTarget.LEASE_VALUE:
                result = Long.compare(kv.getLease(), u == Compare.TargetUnionCase.LEASE ? c.getLease() : 0);
                break;
            default:
                result = 0;
        }
        switch (c.getResultValue()) {
            case Compare.CompareResult.EQUAL_VALUE:
                return result == 0;
            case Compare.CompareResult.NOT_EQUAL_VALUE:
                return result != 0;
            case Compare.CompareResult.GREATER_VALUE:
                return result > 0;
            case Compare.CompareResult.LESS_VALUE:
                return result < 0;
            default:
                return true;
        }
    }

    /** Runs {@code check} on every non-txn operation of the chosen branches. */
    static void checkRequests(KvView view, TxnRequest t, Cursor cur, OpCheck check) {
        boolean ok = cur.next();
        for (RequestOp op : ok ? t.getSuccessList() : t.getFailureList()) {
            if (op.getRequestCase() == RequestOp.RequestCase.REQUEST_TXN) {
                checkRequests(view, op.getRequestTxn(), cur, check);
            } else {
                check.check(view, op);
            }
        }
    }

    /** etcd's checkRequestRange: a range's revision against the view before the txn. */
    static void checkRange(KvView view, RequestOp op) {
        if (op.getRequestCase() != RequestOp.RequestCase.REQUEST_RANGE) {
            return;
        }
        RangeRequest r = op.getRequestRange();
        if (r.getRevision() == 0) {
            return;
        }
        if (r.getRevision() > view.rev()) {
            throw EtcdError.FUTURE_REV.exception();
        }
        if (r.getRevision() < view.firstRev()) {
            throw EtcdError.COMPACTED.exception();
        }
    }

    /**
     * Runs the chosen branch. {@code write} is null for a read-only transaction. Nested responses
     * carry headers as etcd leaves them: the op's revision for range/put/delete, empty for txns.
     */
    static TxnResponse run(KvView view, WriteTxn write, TxnRequest t, Cursor cur) {
        boolean ok = cur.next();
        TxnResponse.Builder resp = TxnResponse.newBuilder()
                .setHeader(ResponseHeader.getDefaultInstance())
                .setSucceeded(ok);
        for (RequestOp op : ok ? t.getSuccessList() : t.getFailureList()) {
            ResponseOp.Builder r = ResponseOp.newBuilder();
            switch (op.getRequestCase()) {
                case REQUEST_RANGE:
                    r.setResponseRange(KvOps.range(write != null ? write : view, op.getRequestRange()));
                    break;
                case REQUEST_PUT:
                    r.setResponsePut(KvOps.put(requireWrite(write), op.getRequestPut()));
                    break;
                case REQUEST_DELETE_RANGE:
                    r.setResponseDeleteRange(KvOps.deleteRange(requireWrite(write), op.getRequestDeleteRange()));
                    break;
                case REQUEST_TXN:
                    r.setResponseTxn(run(view, write, op.getRequestTxn(), cur));
                    break;
                default:
                    break;
            }
            resp.addResponses(r);
        }
        return resp.build();
    }

    private static WriteTxn requireWrite(WriteTxn w) {
        if (w == null) {
            throw new IllegalStateException("write operation in a read-only transaction");
        }
        return w;
    }
}
