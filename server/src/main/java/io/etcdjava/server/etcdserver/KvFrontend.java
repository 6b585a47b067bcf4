package io.etcdjava.server.etcdserver;

import io.etcdjava.api.etcdserverpb.CompactionRequest;
import io.etcdjava.api.etcdserverpb.CompactionResponse;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.DeleteRangeResponse;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import io.etcdjava.api.internal.InternalRaftRequest;
import io.etcdjava.server.apply.Applied;
import io.etcdjava.server.apply.CompactApplied;
import io.etcdjava.server.apply.KvReader;
import io.etcdjava.server.apply.KvRequestValidator;
import io.etcdjava.server.errors.EtcdException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The member's KV API: validates each request, proposes writes through raft and runs reads on
 * the member's read executor against the local store, after a ReadIndex barrier unless
 * serializable. The executor belongs to the member, which shuts it down.
 */
final class KvFrontend implements KvService {
    private final KvReader reader;
    private final KvRequestValidator validator;
    private final Function<InternalRaftRequest.Builder, CompletableFuture<Object>> propose;
    private final LongFunction<ResponseHeader> header;
    /** Completes once a local read is linearizable, or fails with etcd's timeout. */
    private final Supplier<CompletableFuture<Void>> linearizableBarrier;
    private final Executor readExecutor;

    KvFrontend(KvReader reader, KvRequestValidator validator,
               Function<InternalRaftRequest.Builder, CompletableFuture<Object>> propose,
               LongFunction<ResponseHeader> header, Supplier<CompletableFuture<Void>> linearizableBarrier,
               Executor readExecutor) {
        this.reader = reader;
        this.validator = validator;
        this.propose = propose;
        this.header = header;
        this.linearizableBarrier = linearizableBarrier;
        this.readExecutor = readExecutor;
    }

    @Override
    public CompletableFuture<RangeResponse> range(RangeRequest request) {
        return guarded(() -> {
            validator.checkRange(request);
            return read(request.getSerializable(), () -> {
                Applied<RangeResponse> a = reader.range(request);
                return a.response().toBuilder().setHeader(header.apply(a.revision())).build();
            });
        });
    }

    @Override
    public CompletableFuture<PutResponse> put(PutRequest request) {
        return guarded(() -> {
            validator.checkPut(request);
            return write(InternalRaftRequest.newBuilder().setPut(request),
                    (PutResponse resp, ResponseHeader h) -> resp.toBuilder().setHeader(h).build());
        });
    }

    @Override
    public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request) {
        return guarded(() -> {
            validator.checkDelete(request);
            return write(InternalRaftRequest.newBuilder().setDeleteRange(request),
                    (DeleteRangeResponse resp, ResponseHeader h) -> resp.toBuilder().setHeader(h).build());
        });
    }

    @Override
    public CompletableFuture<TxnResponse> txn(TxnRequest request) {
        return guarded(() -> {
            validator.checkTxn(request);
            if (KvReader.isReadOnly(request)) {
                return read(KvReader.isSerializable(request), () -> {
                    Applied<TxnResponse> a = reader.txn(request);
                    return a.response().toBuilder().setHeader(header.apply(a.revision())).build();
                });
            }
            return write(InternalRaftRequest.newBuilder().setTxn(request),
                    (TxnResponse resp, ResponseHeader h) -> resp.toBuilder().setHeader(h).build());
        });
    }

    @Override
    public CompletableFuture<CompactionResponse> compact(CompactionRequest request) {
        return guarded(() -> propose.apply(InternalRaftRequest.newBuilder().setCompaction(request)).thenCompose(r -> {
            CompactApplied a = (CompactApplied) r;
            CompactionResponse resp = a.response().toBuilder().setHeader(header.apply(a.revision())).build();
            if (!request.getPhysical()) {
                return CompletableFuture.completedFuture(resp);
            }
            return a.physical().thenApply(v -> resp);
        }));
    }

    /** Proposes {@code request}; answers with the applied response, its header at the applied revision. */
    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> write(InternalRaftRequest.Builder request,
                                           BiFunction<T, ResponseHeader, T> withHeader) {
        return propose.apply(request).thenApply(r -> {
            Applied<?> a = (Applied<?>) r;
            return withHeader.apply((T) a.response(), header.apply(a.revision()));
        });
    }

    /** Runs a read locally, after a ReadIndex barrier unless {@code serializable}. */
    private <T> CompletableFuture<T> read(boolean serializable, Supplier<T> body) {
        CompletableFuture<Void> barrier = serializable ? CompletableFuture.completedFuture(null)
                : linearizableBarrier.get();
        return barrier.thenApplyAsync(v -> body.get(), readExecutor);
    }

    /** Turns a synchronous validation failure into a failed future, never a thrown exception. */
    private static <T> CompletableFuture<T> guarded(Supplier<CompletableFuture<T>> body) {
        try {
            return body.get();
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
