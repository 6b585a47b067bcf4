package io.etcdjava.server.apply;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.etcdjava.api.etcdserverpb.CompactionRequest;
import io.etcdjava.api.etcdserverpb.CompactionResponse;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.DeleteRangeResponse;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.mvcc.KvView;
import io.etcdjava.server.mvcc.MvccStore;
import io.etcdjava.server.mvcc.RangeOptions;
import io.etcdjava.server.mvcc.WriteTxn;

/**
 * Applies committed KV requests to the store, deterministically (no clocks, threads or I/O but
 * the store). Each call is one raft entry: one {@link WriteTxn} that commits the changes with the
 * entry's index. A request that fails with an {@link EtcdException} changes no key but still
 * records the index as applied. Apply thread only.
 */
public final class KvApplier {
    private final MvccStore store;
    private final LeaseLookup leases;

    public KvApplier(MvccStore store, LeaseLookup leases) {
        this.store = store;
        this.leases = leases;
    }

    /**
     * @throws EtcdException LEASE_NOT_FOUND, KEY_NOT_FOUND (ignore_value / ignore_lease on a
     *     missing key)
     */
    public Applied<PutResponse> put(PutRequest p, long raftIndex, long raftTerm) {
        return inTxn(raftIndex, raftTerm, txn -> put(txn, p));
    }

    /** Put inside a caller-owned transaction (for composing with other stores). */
    public Applied<PutResponse> put(WriteTxn txn, PutRequest p) {
        if (p.getLease() != 0 && !leases.exists(p.getLease())) {
            throw EtcdError.LEASE_NOT_FOUND.exception();
        }
        PutResponse r = KvOps.put(txn, p);
        return new Applied<>(r.toBuilder().clearHeader().build(), r.getHeader().getRevision());
    }

    public Applied<DeleteRangeResponse> deleteRange(DeleteRangeRequest d, long raftIndex, long raftTerm) {
        return inTxn(raftIndex, raftTerm, txn -> deleteRange(txn, d));
    }

    public Applied<DeleteRangeResponse> deleteRange(WriteTxn txn, DeleteRangeRequest d) {
        DeleteRangeResponse r = KvOps.deleteRange(txn, d);
        return new Applied<>(r.toBuilder().clearHeader().build(), r.getHeader().getRevision());
    }

    /**
     * @throws EtcdException KEY_NOT_FOUND / LEASE_NOT_FOUND from a chosen put, FUTURE_REV /
     *     COMPACTED from a chosen range; nothing is written then
     */
    public Applied<TxnResponse> txn(TxnRequest t, long raftIndex, long raftTerm) {
        return inTxn(raftIndex, raftTerm, txn -> txn(txn, t));
    }

    public Applied<TxnResponse> txn(WriteTxn txn, TxnRequest t) {
        boolean write = !TxnEngine.isReadOnly(t);
        List<Boolean> path = TxnEngine.path(txn, t);
        if (write) {
            TxnEngine.checkRequests(txn, t, new TxnEngine.Cursor(path), this::checkPut);
        }
        TxnEngine.checkRequests(txn, t, new TxnEngine.Cursor(path), TxnEngine::checkRange);
        TxnResponse r = TxnEngine.run(txn, txn, t, new TxnEngine.Cursor(path));
        return new Applied<>(r.toBuilder().clearHeader().build(), txn.readRev());
    }

    /**
     * Moves the compaction revision and compacts the index now; the physical deletion runs in the
     * background ({@link CompactApplied#physical()}).
     *
     * @throws EtcdException COMPACTED if already compacted at or past the revision, FUTURE_REV
     */
    public CompactApplied compact(CompactionRequest c, long raftIndex, long raftTerm) {
        return inTxn(raftIndex, raftTerm, txn -> {
            CompletableFuture<Void> physical = txn.compact(c.getRevision());
            return new CompactApplied(CompactionResponse.getDefaultInstance(), txn.readRev(), physical);
        });
    }

    /** Records {@code raftIndex} as applied for an entry that touches no key. */
    public void noop(long raftIndex, long raftTerm) {
        store.write(raftIndex, raftTerm).close();
    }

    private void checkPut(KvView view, RequestOp op) {
        if (op.getRequestCase() != RequestOp.RequestCase.REQUEST_PUT) {
            return;
        }
        PutRequest p = op.getRequestPut();
        if (p.getIgnoreValue() || p.getIgnoreLease()) {
            if (view.range(p.getKey().toByteArray(), null, RangeOptions.ALL).kvs().isEmpty()) {
                throw EtcdError.KEY_NOT_FOUND.exception();
            }
        }
        if (p.getLease() != 0 && !leases.exists(p.getLease())) {
            throw EtcdError.LEASE_NOT_FOUND.exception();
        }
    }

    private <T> T inTxn(long raftIndex, long raftTerm, Function<WriteTxn, T> body) {
        WriteTxn txn = store.write(raftIndex, raftTerm);
        T out;
        try {
            out = body.apply(txn);
        } catch (EtcdException e) {
            if (txn.changes() == 0) {
                txn.close();
            } else {
                txn.abort();
            }
            throw e;
        } catch (RuntimeException | Error e) {
            txn.abort();
            throw e;
        }
        leases.applied(txn.events());
        txn.close();
        return out;
    }
}
