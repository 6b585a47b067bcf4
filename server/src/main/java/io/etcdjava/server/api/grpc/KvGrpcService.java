package io.etcdjava.server.api.grpc;

import io.etcdjava.api.etcdserverpb.CompactionRequest;
import io.etcdjava.api.etcdserverpb.CompactionResponse;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.DeleteRangeResponse;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import io.etcdjava.server.etcdserver.KvService;
import io.grpc.stub.StreamObserver;
import java.util.Objects;

/** etcd's KV service: a thin shell over {@link KvService}, which validates and fills headers. */
public final class KvGrpcService extends KVGrpc.KVImplBase {
    private final KvService kv;

    public KvGrpcService(KvService kv) {
        this.kv = Objects.requireNonNull(kv, "kv");
    }

    @Override
    public void range(RangeRequest request, StreamObserver<RangeResponse> observer) {
        Replies.reply(() -> kv.range(request), observer);
    }

    @Override
    public void put(PutRequest request, StreamObserver<PutResponse> observer) {
        Replies.reply(() -> kv.put(request), observer);
    }

    @Override
    public void deleteRange(DeleteRangeRequest request, StreamObserver<DeleteRangeResponse> observer) {
        Replies.reply(() -> kv.deleteRange(request), observer);
    }

    @Override
    public void txn(TxnRequest request, StreamObserver<TxnResponse> observer) {
        Replies.reply(() -> kv.txn(request), observer);
    }

    @Override
    public void compact(CompactionRequest request, StreamObserver<CompactionResponse> observer) {
        Replies.reply(() -> kv.compact(request), observer);
    }
}
