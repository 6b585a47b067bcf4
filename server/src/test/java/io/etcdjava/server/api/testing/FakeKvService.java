package io.etcdjava.server.api.testing;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.CompactionRequest;
import io.etcdjava.api.etcdserverpb.CompactionResponse;
import io.etcdjava.api.etcdserverpb.Compare;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.DeleteRangeResponse;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.api.etcdserverpb.ResponseOp;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import io.etcdjava.api.mvccpb.KeyValue;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.etcdserver.KvService;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/** A TreeMap-backed KV with revisions and a plausible header; enough to drive the client layer. */
public final class FakeKvService implements KvService {
    public static final long CLUSTER_ID = 0xcdf818194e3a8c32L;
    public static final long MEMBER_ID = 0x8e9e05c52164694dL;
    public static final long RAFT_TERM = 2;

    private final NavigableMap<ByteString, KeyValue> store = new TreeMap<>(ByteString.unsignedLexicographicalComparator());
    private long revision = 1;
    private long compacted = 0;
    private final AtomicReference<Throwable> nextFailure = new AtomicReference<>();

    /** The next call fails with this (asynchronously, as the member would). */
    public void failNext(Throwable failure) {
        nextFailure.set(failure);
    }

    public synchronized long revision() {
        return revision;
    }

    private <T> CompletableFuture<T> run(java.util.function.Supplier<T> op) {
        Throwable failure = nextFailure.getAndSet(null);
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        try {
            synchronized (this) {
                return CompletableFuture.completedFuture(op.get());
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private ResponseHeader header() {
        return ResponseHeader.newBuilder().setClusterId(CLUSTER_ID).setMemberId(MEMBER_ID)
                .setRevision(revision).setRaftTerm(RAFT_TERM).build();
    }

    @Override
    public CompletableFuture<RangeResponse> range(RangeRequest r) {
        return run(() -> doRange(r).setHeader(header()).build());
    }

    @Override
    public CompletableFuture<PutResponse> put(PutRequest r) {
        return run(() -> {
            checkKey(r.getKey());
            revision++;
            PutResponse.Builder out = PutResponse.newBuilder();
            KeyValue prev = doPut(r);
            if (r.getPrevKv() && prev != null) {
                out.setPrevKv(prev);
            }
            return out.setHeader(header()).build();
        });
    }

    @Override
    public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest r) {
        return run(() -> {
            checkKey(r.getKey());
            List<KeyValue> deleted = doDelete(r);
            if (!deleted.isEmpty()) {
                revision++;
            }
            DeleteRangeResponse.Builder out = DeleteRangeResponse.newBuilder().setDeleted(deleted.size());
            if (r.getPrevKv()) {
                out.addAllPrevKvs(deleted);
            }
            return out.setHeader(header()).build();
        });
    }

    @Override
    public CompletableFuture<TxnResponse> txn(TxnRequest r) {
        return run(() -> {
            boolean ok = r.getCompareList().stream().allMatch(this::holds);
            List<RequestOp> ops = ok ? r.getSuccessList() : r.getFailureList();
            boolean writes = ops.stream().anyMatch(o -> !o.hasRequestRange());
            if (writes) {
                revision++;
            }
            TxnResponse.Builder out = TxnResponse.newBuilder().setSucceeded(ok);
            for (RequestOp op : ops) {
                ResponseOp.Builder res = ResponseOp.newBuilder();
                switch (op.getRequestCase()) {
                    case REQUEST_RANGE -> res.setResponseRange(
                            doRange(op.getRequestRange()).setHeader(ResponseHeader.newBuilder().setRevision(revision)));
                    case REQUEST_PUT -> {
                        doPut(op.getRequestPut());
                        res.setResponsePut(PutResponse.newBuilder()
                                .setHeader(ResponseHeader.newBuilder().setRevision(revision)));
                    }
                    case REQUEST_DELETE_RANGE -> res.setResponseDeleteRange(DeleteRangeResponse.newBuilder()
                            .setDeleted(doDelete(op.getRequestDeleteRange()).size())
                            .setHeader(ResponseHeader.newBuilder().setRevision(revision)));
                    default -> throw EtcdError.EMPTY_KEY.exception();
                }
                out.addResponses(res);
            }
            return out.setHeader(header()).build();
        });
    }

    @Override
    public CompletableFuture<CompactionResponse> compact(CompactionRequest r) {
        return run(() -> {
            if (r.getRevision() <= compacted) {
                throw EtcdError.COMPACTED.exception();
            }
            if (r.getRevision() > revision) {
                throw EtcdError.FUTURE_REV.exception();
            }
            compacted = r.getRevision();
            return CompactionResponse.newBuilder().setHeader(header()).build();
        });
    }

    private static void checkKey(ByteString key) {
        if (key.isEmpty()) {
            throw EtcdError.EMPTY_KEY.exception();
        }
    }

    private RangeResponse.Builder doRange(RangeRequest r) {
        checkKey(r.getKey());
        if (r.getRevision() > 0 && r.getRevision() < compacted) {
            throw EtcdError.COMPACTED.exception();
        }
        if (r.getRevision() > revision) {
            throw EtcdError.FUTURE_REV.exception();
        }
        List<KeyValue> kvs = select(r.getKey(), r.getRangeEnd());
        RangeResponse.Builder out = RangeResponse.newBuilder().setCount(kvs.size());
        if (r.getCountOnly()) {
            return out;
        }
        int limit = r.getLimit() > 0 ? (int) Math.min(r.getLimit(), kvs.size()) : kvs.size();
        for (KeyValue kv : kvs.subList(0, limit)) {
            out.addKvs(r.getKeysOnly() ? kv.toBuilder().clearValue().build() : kv);
        }
        return out.setMore(limit < kvs.size());
    }

    private KeyValue doPut(PutRequest r) {
        checkKey(r.getKey());
        KeyValue prev = store.get(r.getKey());
        KeyValue.Builder kv = KeyValue.newBuilder().setKey(r.getKey()).setValue(r.getValue())
                .setModRevision(revision).setLease(r.getLease());
        if (prev == null) {
            kv.setCreateRevision(revision).setVersion(1);
        } else {
            kv.setCreateRevision(prev.getCreateRevision()).setVersion(prev.getVersion() + 1);
        }
        store.put(r.getKey(), kv.build());
        return prev;
    }

    private List<KeyValue> doDelete(DeleteRangeRequest r) {
        List<KeyValue> kvs = select(r.getKey(), r.getRangeEnd());
        kvs.forEach(kv -> store.remove(kv.getKey()));
        return kvs;
    }

    private List<KeyValue> select(ByteString key, ByteString end) {
        if (end.isEmpty()) {
            KeyValue kv = store.get(key);
            return kv == null ? List.of() : List.of(kv);
        }
        NavigableMap<ByteString, KeyValue> view = end.equals(ByteString.copyFrom(new byte[] {0}))
                ? store.tailMap(key, true) : store.subMap(key, true, end, false);
        return new ArrayList<>(view.values());
    }

    private boolean holds(Compare c) {
        KeyValue kv = store.get(c.getKey());
        int cmp;
        switch (c.getTarget()) {
            case VALUE -> cmp = ByteString.unsignedLexicographicalComparator()
                    .compare(kv == null ? ByteString.EMPTY : kv.getValue(), c.getValue());
            case VERSION -> cmp = Long.compare(kv == null ? 0 : kv.getVersion(), c.getVersion());
            case CREATE -> cmp = Long.compare(kv == null ? 0 : kv.getCreateRevision(), c.getCreateRevision());
            case MOD -> cmp = Long.compare(kv == null ? 0 : kv.getModRevision(), c.getModRevision());
            default -> cmp = 0;
        }
        if (c.getTarget() == Compare.CompareTarget.VALUE && kv == null) {
            return false;
        }
        return switch (c.getResult()) {
            case EQUAL -> cmp == 0;
            case NOT_EQUAL -> cmp != 0;
            case LESS -> cmp < 0;
            case GREATER -> cmp > 0;
            default -> false;
        };
    }
}
