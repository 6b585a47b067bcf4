package io.etcdjava.server.etcdserver;

import io.etcdjava.api.etcdserverpb.CompactionRequest;
import io.etcdjava.api.etcdserverpb.CompactionResponse;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.DeleteRangeResponse;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import java.util.concurrent.CompletableFuture;

/**
 * The key-value operations the client-facing layers (gRPC, the /v3 JSON gateway) call. The
 * member implements them: validate, propose through Raft (or read via ReadIndex / locally), wait
 * for apply, fill the response header. Futures fail with
 * {@link io.etcdjava.server.errors.EtcdException}; they never block the calling event loop.
 */
public interface KvService {
    CompletableFuture<RangeResponse> range(RangeRequest request);

    CompletableFuture<PutResponse> put(PutRequest request);

    CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request);

    CompletableFuture<TxnResponse> txn(TxnRequest request);

    CompletableFuture<CompactionResponse> compact(CompactionRequest request);
}
