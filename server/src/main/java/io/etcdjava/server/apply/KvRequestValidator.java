package io.etcdjava.server.apply;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.google.protobuf.ByteString;

import io.etcdjava.api.etcdserverpb.Compare;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;

/**
 * etcd's gRPC-level KV checks (v3rpc key.go), run before a request is proposed or read. Each
 * method throws the {@link EtcdException} the client would see, or returns.
 */
public final class KvRequestValidator {
    /** etcd's --max-txn-ops default. */
    public static final int DEFAULT_MAX_TXN_OPS = 128;

    private final int maxTxnOps;

    public KvRequestValidator(int maxTxnOps) {
        if (maxTxnOps <= 0) {
            throw new IllegalArgumentException("maxTxnOps must be > 0, got " + maxTxnOps);
        }
        this.maxTxnOps = maxTxnOps;
    }

    public KvRequestValidator() {
        this(DEFAULT_MAX_TXN_OPS);
    }

    /** EMPTY_KEY. (etcd 3.5 also rejects unknown sort enums; see the report on INVALID_SORT_OPTION.) */
    public void checkRange(RangeRequest r) {
        if (r.getKey().isEmpty()) {
            throw EtcdError.EMPTY_KEY.exception();
        }
    }

    /** EMPTY_KEY, VALUE_PROVIDED (value with ignore_value), LEASE_PROVIDED (lease with ignore_lease). */
    public void checkPut(PutRequest r) {
        if (r.getKey().isEmpty()) {
            throw EtcdError.EMPTY_KEY.exception();
        }
        if (r.getIgnoreValue() && !r.getValue().isEmpty()) {
            throw EtcdError.VALUE_PROVIDED.exception();
        }
        if (r.getIgnoreLease() && r.getLease() != 0) {
            throw EtcdError.LEASE_PROVIDED.exception();
        }
    }

    /** EMPTY_KEY. */
    public void checkDelete(DeleteRangeRequest r) {
        if (r.getKey().isEmpty()) {
            throw EtcdError.EMPTY_KEY.exception();
        }
    }

    /**
     * TOO_MANY_OPS (compares or either branch longer than maxTxnOps; nested txns get what the
     * parent leaves), EMPTY_KEY in a compare or op, KEY_NOT_FOUND for an empty op, the put checks,
     * then DUPLICATE_KEY when a key is written twice on one path (put/put, put inside a deleted
     * range, across nested txns; the two branches of one nested txn may share keys).
     */
    public void checkTxn(TxnRequest r) {
        checkTxn(r, maxTxnOps);
        checkIntervals(r.getSuccessList());
        checkIntervals(r.getFailureList());
    }

    private void checkTxn(TxnRequest r, int max) {
        int opc = Math.max(r.getCompareCount(), Math.max(r.getSuccessCount(), r.getFailureCount()));
        if (opc > max) {
            throw EtcdError.TOO_MANY_OPS.exception();
        }
        for (Compare c : r.getCompareList()) {
            if (c.getKey().isEmpty()) {
                throw EtcdError.EMPTY_KEY.exception();
            }
        }
        for (RequestOp op : r.getSuccessList()) {
            checkOp(op, max - opc);
        }
        for (RequestOp op : r.getFailureList()) {
            checkOp(op, max - opc);
        }
    }

    private void checkOp(RequestOp op, int max) {
        switch (op.getRequestCase()) {
            case REQUEST_RANGE -> checkRange(op.getRequestRange());
            case REQUEST_PUT -> checkPut(op.getRequestPut());
            case REQUEST_DELETE_RANGE -> checkDelete(op.getRequestDeleteRange());
            case REQUEST_TXN -> checkTxn(op.getRequestTxn(), max);
            default -> throw EtcdError.KEY_NOT_FOUND.exception();
        }
    }

    /** A deleted interval {@code [begin, end)}; a single key is {@code [k, k+"\0")}. */
    private record Interval(ByteString begin, ByteString end) {
        /** etcd's interval-tree test of a point against a stored interval (empty end = +inf). */
        boolean contains(ByteString k) {
            return Ranges.compare(begin, k) <= 0 && (end.isEmpty() || Ranges.compare(k, end) < 0);
        }
    }

    private record Writes(Set<ByteString> puts, List<Interval> dels) {
    }

    private static Writes checkIntervals(List<RequestOp> reqs) {
        List<Interval> dels = new ArrayList<>();
        for (RequestOp op : reqs) {
            if (op.getRequestCase() != RequestOp.RequestCase.REQUEST_DELETE_RANGE) {
                continue;
            }
            DeleteRangeRequest d = op.getRequestDeleteRange();
            ByteString end = d.getRangeEnd().isEmpty() ? d.getKey().concat(ByteString.copyFrom(new byte[1]))
                    : d.getRangeEnd();
            dels.add(new Interval(d.getKey(), end));
        }
        Set<ByteString> puts = new HashSet<>();
        for (RequestOp op : reqs) {
            if (op.getRequestCase() != RequestOp.RequestCase.REQUEST_TXN) {
                continue;
            }
            Writes then = checkIntervals(op.getRequestTxn().getSuccessList());
            Writes otherwise = checkIntervals(op.getRequestTxn().getFailureList());
            for (ByteString k : then.puts()) {
                if (puts.contains(k) || deleted(dels, k)) {
                    throw EtcdError.DUPLICATE_KEY.exception();
                }
                puts.add(k);
            }
            for (ByteString k : otherwise.puts()) {
                // then/else exclude each other: the same key in both is fine.
                if (puts.contains(k) && !then.puts().contains(k)) {
                    throw EtcdError.DUPLICATE_KEY.exception();
                }
                if (deleted(dels, k)) {
                    throw EtcdError.DUPLICATE_KEY.exception();
                }
                puts.add(k);
            }
            // etcd merges only intervals it can see through its tree walk; a from-key delete
            // ([k, "\0")) never contains a key anyway, so merging everything is equivalent.
            dels.addAll(then.dels());
            dels.addAll(otherwise.dels());
        }
        for (RequestOp op : reqs) {
            if (op.getRequestCase() != RequestOp.RequestCase.REQUEST_PUT) {
                continue;
            }
            ByteString k = op.getRequestPut().getKey();
            if (puts.contains(k) || deleted(dels, k)) {
                throw EtcdError.DUPLICATE_KEY.exception();
            }
            puts.add(k);
        }
        return new Writes(puts, dels);
    }

    private static boolean deleted(List<Interval> dels, ByteString k) {
        for (Interval iv : dels) {
            if (iv.contains(k)) {
                return true;
            }
        }
        return false;
    }
}
