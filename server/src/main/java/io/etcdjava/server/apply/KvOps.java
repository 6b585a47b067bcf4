package io.etcdjava.server.apply;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.DeleteRangeResponse;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.api.mvccpb.KeyValue;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.mvcc.KvView;
import io.etcdjava.server.mvcc.RangeOptions;
import io.etcdjava.server.mvcc.RangeResult;
import io.etcdjava.server.mvcc.WriteTxn;

/**
 * Range, Put and DeleteRange over a view or write transaction, as etcd's backend applier runs
 * them. Each response carries a header holding only the revision, which is what etcd leaves in
 * the responses nested inside a txn; top-level callers strip it.
 */
final class KvOps {
    private static final int SORT_NONE = RangeRequest.SortOrder.NONE_VALUE;
    private static final int SORT_ASCEND = RangeRequest.SortOrder.ASCEND_VALUE;
    private static final int SORT_DESCEND = RangeRequest.SortOrder.DESCEND_VALUE;

    private KvOps() {
    }

    static ResponseHeader header(long rev) {
        return ResponseHeader.newBuilder().setRevision(rev).build();
    }

    static RangeResponse range(KvView view, RangeRequest r) {
        long limit = r.getLimit();
        boolean filtered = r.getMinModRevision() != 0 || r.getMaxModRevision() != 0
                || r.getMinCreateRevision() != 0 || r.getMaxCreateRevision() != 0;
        if (r.getSortOrderValue() != SORT_NONE || filtered) {
            // Sorting and filtering need every key; truncate afterwards.
            limit = 0;
        }
        if (limit > 0) {
            // One extra tells whether there are more.
            limit++;
        }
        RangeResult rr = view.range(r.getKey().toByteArray(), Ranges.end(r.getRangeEnd()),
                new RangeOptions(limit, r.getRevision(), r.getCountOnly()));

        List<KeyValue> kvs = new ArrayList<>(rr.kvs());
        if (r.getMaxModRevision() != 0) {
            kvs.removeIf(kv -> kv.getModRevision() > r.getMaxModRevision());
        }
        if (r.getMinModRevision() != 0) {
            kvs.removeIf(kv -> kv.getModRevision() < r.getMinModRevision());
        }
        if (r.getMaxCreateRevision() != 0) {
            kvs.removeIf(kv -> kv.getCreateRevision() > r.getMaxCreateRevision());
        }
        if (r.getMinCreateRevision() != 0) {
            kvs.removeIf(kv -> kv.getCreateRevision() < r.getMinCreateRevision());
        }

        int order = r.getSortOrderValue();
        int target = r.getSortTargetValue();
        if (target != RangeRequest.SortTarget.KEY_VALUE && order == SORT_NONE) {
            // Results come in key order already; any other target sorts ascending by default.
            order = SORT_ASCEND;
        }
        Comparator<KeyValue> cmp = order == SORT_NONE ? null : comparator(target);
        if (cmp != null) {
            // Stable, like the insertion sort etcd's small ranges get: ties stay in key order.
            if (order == SORT_ASCEND) {
                kvs.sort(cmp);
            } else if (order == SORT_DESCEND) {
                kvs.sort(cmp.reversed());
            }
        }

        RangeResponse.Builder resp = RangeResponse.newBuilder().setHeader(header(rr.rev())).setCount(rr.count());
        if (r.getLimit() > 0 && kvs.size() > r.getLimit()) {
            kvs = kvs.subList(0, (int) r.getLimit());
            resp.setMore(true);
        }
        for (KeyValue kv : kvs) {
            resp.addKvs(r.getKeysOnly() ? kv.toBuilder().clearValue().build() : kv);
        }
        return resp.build();
    }

    /** Null for a target this version does not know (the validator rejects those in 3.5). */
    private static Comparator<KeyValue> comparator(int target) {
        switch (target) {
            case RangeRequest.SortTarget.KEY_VALUE:
                return (a, b) -> Ranges.compare(a.getKey(), b.getKey());
            case RangeRequest.SortTarget.VERSION_VALUE:
                return Comparator.comparingLong(KeyValue::getVersion);
            case RangeRequest.SortTarget.CREATE_VALUE:
                return Comparator.comparingLong(KeyValue::getCreateRevision);
            case RangeRequest.SortTarget.MOD_VALUE:
                return Comparator.comparingLong(KeyValue::getModRevision);
            case RangeRequest.SortTarget.VALUE_VALUE:
                return (a, b) -> Ranges.compare(a.getValue(), b.getValue());
            default:
                return null;
        }
    }

    /**
     * Put inside an open write transaction; the lease, if any, was checked by the caller.
     *
     * @throws io.etcdjava.server.errors.EtcdException KEY_NOT_FOUND for ignore_value/ignore_lease
     *     on a missing key (before anything is written)
     */
    static PutResponse put(WriteTxn txn, PutRequest p) {
        byte[] key = p.getKey().toByteArray();
        KeyValue prev = null;
        if (p.getIgnoreValue() || p.getIgnoreLease() || p.getPrevKv()) {
            RangeResult rr = txn.range(key, null, RangeOptions.ALL);
            prev = rr.kvs().isEmpty() ? null : rr.kvs().get(0);
        }
        if ((p.getIgnoreValue() || p.getIgnoreLease()) && prev == null) {
            throw EtcdError.KEY_NOT_FOUND.exception();
        }
        byte[] value = p.getIgnoreValue() ? prev.getValue().toByteArray() : p.getValue().toByteArray();
        long lease = p.getIgnoreLease() ? prev.getLease() : p.getLease();
        PutResponse.Builder resp = PutResponse.newBuilder();
        if (p.getPrevKv() && prev != null) {
            resp.setPrevKv(prev);
        }
        long rev = txn.put(key, value, lease);
        return resp.setHeader(header(rev)).build();
    }

    static DeleteRangeResponse deleteRange(WriteTxn txn, DeleteRangeRequest d) {
        byte[] key = d.getKey().toByteArray();
        byte[] end = Ranges.end(d.getRangeEnd());
        DeleteRangeResponse.Builder resp = DeleteRangeResponse.newBuilder();
        if (d.getPrevKv()) {
            resp.addAllPrevKvs(txn.range(key, end, RangeOptions.ALL).kvs());
        }
        long n = txn.deleteRange(key, end);
        return resp.setDeleted(n).setHeader(header(txn.readRev())).build();
    }
}
