package io.etcdjava.testing.client;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.Compare;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.DeleteRangeResponse;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.LeaseGrpc;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import io.etcdjava.api.mvccpb.KeyValue;
import io.etcdjava.testing.check.Op;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Issues single operations through our gRPC stubs and records each with its invocation and
 * completion time; any failure of a write is recorded as indeterminate (it may have been
 * applied), a failed read is recorded as indeterminate too (the checkers ignore it). After a
 * failure the client moves to the next member, as etcd's client balancer would.
 */
final class KvClient {
    private final int client;
    private final Channels channels;
    private final Recorder recorder;
    private final Duration timeout;
    private int member;

    KvClient(int client, Channels channels, Recorder recorder, Duration timeout) {
        this.client = client;
        this.channels = channels;
        this.recorder = recorder;
        this.timeout = timeout;
        this.member = client;
    }

    private KVGrpc.KVBlockingStub kv() {
        return KVGrpc.newBlockingStub(channels.get(member)).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private Op record(Op op, RuntimeException failure) {
        Op done = (failure == null ? op : op.indeterminate()).withMember(channels.endpoint(member));
        recorder.op(done);
        if (failure != null) {
            member++;
            backoff();
        }
        return done;
    }

    /** After a failure, as real clients do; also keeps a dead cluster from being flooded with calls. */
    private static void backoff() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Op put(String key, String value, long lease) {
        long id = recorder.nextId();
        long t0 = System.nanoTime();
        try {
            PutResponse r = kv().put(PutRequest.newBuilder().setKey(b(key)).setValue(b(value)).setLease(lease).build());
            return record(Op.put(id, client, key, value, t0, System.nanoTime(), r.getHeader().getRevision())
                    .withLease(lease), null);
        } catch (StatusRuntimeException e) {
            return record(Op.put(id, client, key, value, t0, 0, 0).withLease(lease), e);
        }
    }

    Op get(String key) {
        long id = recorder.nextId();
        long t0 = System.nanoTime();
        try {
            RangeResponse r = kv().range(RangeRequest.newBuilder().setKey(b(key)).build());
            long t1 = System.nanoTime();
            KeyValue kv = r.getKvsCount() == 0 ? null : r.getKvs(0);
            return record(Op.get(id, client, key, kv == null ? null : kv.getValue().toString(StandardCharsets.UTF_8),
                    kv == null ? 0 : kv.getModRevision(), t0, t1, r.getHeader().getRevision()), null);
        } catch (StatusRuntimeException e) {
            return record(Op.get(id, client, key, null, 0, t0, 0, 0), e);
        }
    }

    Op delete(String key) {
        long id = recorder.nextId();
        long t0 = System.nanoTime();
        try {
            DeleteRangeResponse r = kv().deleteRange(DeleteRangeRequest.newBuilder().setKey(b(key)).build());
            return record(Op.delete(id, client, key, r.getDeleted() > 0, t0, System.nanoTime(),
                    r.getHeader().getRevision()), null);
        } catch (StatusRuntimeException e) {
            return record(Op.delete(id, client, key, false, t0, 0, 0), e);
        }
    }

    /** Txn: if the key's value is {@code expect} (null: the key is absent) then put {@code value}. */
    Op casValue(String key, String expect, String value) {
        Compare c = expect == null
                ? Compare.newBuilder().setKey(b(key)).setTarget(Compare.CompareTarget.VERSION).setVersion(0).build()
                : Compare.newBuilder().setKey(b(key)).setTarget(Compare.CompareTarget.VALUE).setValue(b(expect)).build();
        long id = recorder.nextId();
        long t0 = System.nanoTime();
        try {
            TxnResponse r = txn(c, key, value);
            return record(Op.casValue(id, client, key, expect, value, r.getSucceeded(), t0, System.nanoTime(),
                    r.getHeader().getRevision()), null);
        } catch (StatusRuntimeException e) {
            return record(Op.casValue(id, client, key, expect, value, false, t0, 0, 0), e);
        }
    }

    /** Txn: if the key's mod revision is {@code modRev} (0: absent) then put {@code value}. */
    Op casModRev(String key, long modRev, String value) {
        Compare c = Compare.newBuilder().setKey(b(key)).setTarget(Compare.CompareTarget.MOD).setModRevision(modRev)
                .build();
        long id = recorder.nextId();
        long t0 = System.nanoTime();
        try {
            TxnResponse r = txn(c, key, value);
            return record(Op.casModRev(id, client, key, modRev, value, r.getSucceeded(), t0, System.nanoTime(),
                    r.getHeader().getRevision()), null);
        } catch (StatusRuntimeException e) {
            return record(Op.casModRev(id, client, key, modRev, value, false, t0, 0, 0), e);
        }
    }

    private TxnResponse txn(Compare c, String key, String value) {
        return kv().txn(TxnRequest.newBuilder().addCompare(c).addSuccess(RequestOp.newBuilder()
                .setRequestPut(PutRequest.newBuilder().setKey(b(key)).setValue(b(value)))).build());
    }

    /** Grants a lease; its ID, or 0 when the grant failed (recorded as indeterminate). */
    long leaseGrant(long ttlSeconds) {
        long id = recorder.nextId();
        long t0 = System.nanoTime();
        try {
            long lease = LeaseGrpc.newBlockingStub(channels.get(member))
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(ttlSeconds).build()).getID();
            record(Op.leaseGrant(id, client, lease, ttlSeconds, t0, System.nanoTime()), null);
            return lease;
        } catch (StatusRuntimeException e) {
            record(Op.leaseGrant(id, client, 0, ttlSeconds, t0, 0), e);
            return 0;
        }
    }

    /**
     * One keep-alive round trip for {@code lease} on its own LeaseKeepAlive stream: the TTL
     * answered (0: the lease is gone), or -1 when no answer came (recorded as indeterminate: the
     * lease may have been refreshed).
     */
    long keepAlive(long lease) {
        long id = recorder.nextId();
        long t0 = System.nanoTime();
        CompletableFuture<LeaseKeepAliveResponse> answer = new CompletableFuture<>();
        StreamObserver<LeaseKeepAliveRequest> call = LeaseGrpc.newStub(channels.get(member))
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .leaseKeepAlive(new StreamObserver<>() {
                    @Override
                    public void onNext(LeaseKeepAliveResponse r) {
                        answer.complete(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        answer.completeExceptionally(new IllegalStateException("keep-alive stream ended unanswered"));
                    }
                });
        try {
            call.onNext(LeaseKeepAliveRequest.newBuilder().setID(lease).build());
            LeaseKeepAliveResponse r = answer.get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
            long t1 = System.nanoTime();
            call.onCompleted();
            record(Op.leaseKeepAlive(id, client, lease, r.getTTL(), t0, t1), null);
            return r.getTTL();
        } catch (InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            try {
                call.onError(Status.CANCELLED.withDescription("keep-alive abandoned").asRuntimeException());
            } catch (RuntimeException alreadyClosed) {
                // the call ended by itself
            }
            record(Op.leaseKeepAlive(id, client, lease, 0, t0, 0), new IllegalStateException(e));
            return -1;
        }
    }
}
