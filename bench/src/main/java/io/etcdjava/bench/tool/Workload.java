package io.etcdjava.bench.tool;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.ThreadLocalRandom;

/** What one benchmark request is, by its sequence number; as etcd's put/range/txn-put commands. */
interface Workload {
    /** Starts request number {@code seq} on {@code stub}; its outcome goes to {@code done}. */
    void send(int seq, KVGrpc.KVStub stub, StreamObserver<Object> done);

    static Workload of(Cli.Options o) {
        return switch (o.command) {
            case "put" -> put(o);
            case "range" -> range(o);
            case "txn-put" -> txnPut(o);
            default -> throw new IllegalArgumentException(o.command);
        };
    }

    /** etcd's put: one random value; key = varint(i % space) or varint(rand(space)) in key-size bytes. */
    static Workload put(Cli.Options o) {
        ByteString value = randomBytes(o.valSize);
        int keySize = o.keySize;
        int space = o.keySpaceSize;
        boolean sequential = o.sequentialKeys;
        return (seq, stub, done) -> {
            long k = sequential ? seq % space : ThreadLocalRandom.current().nextInt(space);
            PutRequest req = PutRequest.newBuilder().setKey(varintKey(k, keySize)).setValue(value).build();
            stub.put(req, cast(done));
        };
    }

    /** etcd's range KEY [END], linearizable unless --consistency s. */
    static Workload range(Cli.Options o) {
        RangeRequest.Builder b = RangeRequest.newBuilder()
                .setKey(ByteString.copyFrom(o.args.get(0), StandardCharsets.UTF_8));
        if (o.args.size() > 1) {
            b.setRangeEnd(ByteString.copyFrom(o.args.get(1), StandardCharsets.UTF_8));
        }
        b.setSerializable("s".equals(o.consistency));
        RangeRequest req = b.build();
        return (seq, stub, done) -> stub.range(req, cast(done));
    }

    /** etcd's txn-put: a txn of --txn-ops puts of keys varint((i*ops + j) % space). */
    static Workload txnPut(Cli.Options o) {
        ByteString value = randomBytes(o.valSize);
        int keySize = o.keySize;
        int space = o.keySpaceSize;
        int ops = o.txnOps;
        return (seq, stub, done) -> {
            TxnRequest.Builder txn = TxnRequest.newBuilder();
            for (int j = 0; j < ops; j++) {
                long k = ((long) seq * ops + j) % space;
                txn.addSuccess(RequestOp.newBuilder().setRequestPut(
                        PutRequest.newBuilder().setKey(varintKey(k, keySize)).setValue(value)));
            }
            stub.txn(txn.build(), cast(done));
        };
    }

    /** Go's binary.PutVarint(k, n) into a zeroed key of {@code size} bytes (truncated if shorter). */
    static ByteString varintKey(long n, int size) {
        byte[] k = new byte[size];
        long ux = (n << 1) ^ (n >> 63);
        int i = 0;
        while (Long.compareUnsigned(ux, 0x80) >= 0 && i < size) {
            k[i++] = (byte) (ux | 0x80);
            ux >>>= 7;
        }
        if (i < size) {
            k[i] = (byte) ux;
        }
        return ByteString.copyFrom(k);
    }

    static ByteString randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return ByteString.copyFrom(b);
    }

    @SuppressWarnings("unchecked")
    private static <T> StreamObserver<T> cast(StreamObserver<Object> o) {
        return (StreamObserver<T>) (StreamObserver<?>) o;
    }
}
