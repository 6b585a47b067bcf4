package io.etcdjava.server.apply;

import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.mvcc.MvccStore;
import io.etcdjava.server.mvcc.ReadTxn;

/**
 * Serves Range and read-only Txn from the local store, outside raft: serializable reads directly,
 * linearizable ones once the applied index reached the read index. Any thread.
 */
public final class KvReader {
    private final MvccStore store;

    public KvReader(MvccStore store) {
        this.store = store;
    }

    /**
     * Every RangeRequest field as etcd applies it ({@code serializable} is the caller's business).
     *
     * @throws EtcdException FUTURE_REV, COMPACTED
     */
    public Applied<RangeResponse> range(RangeRequest r) {
        try (ReadTxn view = store.read()) {
            RangeResponse resp = KvOps.range(view, r);
            return new Applied<>(resp.toBuilder().clearHeader().build(), resp.getHeader().getRevision());
        }
    }

    /**
     * A transaction whose every operation is a range ({@link #isReadOnly}), at one revision.
     *
     * @throws EtcdException FUTURE_REV, COMPACTED from a chosen range
     * @throws IllegalArgumentException if the transaction writes
     */
    public Applied<TxnResponse> txn(TxnRequest t) {
        if (!isReadOnly(t)) {
            throw new IllegalArgumentException("not a read-only txn");
        }
        try (ReadTxn view = store.read()) {
            var path = TxnEngine.path(view, t);
            TxnEngine.checkRequests(view, t, new TxnEngine.Cursor(path), TxnEngine::checkRange);
            TxnResponse resp = TxnEngine.run(view, null, t, new TxnEngine.Cursor(path));
            return new Applied<>(resp.toBuilder().clearHeader().build(), view.rev());
        }
    }

    /** etcd's isTxnReadonly: every top-level op of both branches is a range (no nested txn). */
    public static boolean isReadOnly(TxnRequest t) {
        return TxnEngine.isReadOnly(t);
    }

    /** etcd's isTxnSerializable: every top-level op is a serializable range. */
    public static boolean isSerializable(TxnRequest t) {
        for (RequestOp op : t.getSuccessList()) {
            if (op.getRequestCase() != RequestOp.RequestCase.REQUEST_RANGE || !op.getRequestRange().getSerializable()) {
                return false;
            }
        }
        for (RequestOp op : t.getFailureList()) {
            if (op.getRequestCase() != RequestOp.RequestCase.REQUEST_RANGE || !op.getRequestRange().getSerializable()) {
                return false;
            }
        }
        return true;
    }
}
