package io.etcdjava.server.rafthttp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdjava.api.internal.PeerProbeRequest;
import io.etcdjava.api.internal.PeerProbeResponse;
import io.etcdjava.api.internal.RaftSnapshotGrpc;
import io.etcdjava.api.internal.SnapshotAck;
import io.etcdjava.api.internal.SnapshotChunk;
import io.etcdjava.raft.failpoint.Failpoints;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import io.etcdjava.server.log.Log;
import io.etcdjava.server.membership.MemberIds;
import io.etcdjava.server.mvcc.backend.BackendSnapshot;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receiving end of {@code RaftSnapshot}: writes a leader's database into a fresh directory under
 * the snap dir, verifies size, file count and checksum, fsyncs it, gives it its final name
 * ({@link BackendSnapshot#receivedPath}), and only then hands the MsgSnap to raft — so raft never
 * persists a snapshot whose database is not complete on disk. Also answers round-trip probes.
 *
 * <p>Threads: chunks are written on "snapshot-receiver" (owned here), never on the peer port's
 * event loops; each stream asks for its next chunk only once the previous one is written, which
 * bounds memory to about one chunk per stream.
 */
final class SnapshotReceiver extends RaftSnapshotGrpc.RaftSnapshotImplBase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SnapshotReceiver.class);

    private final long clusterId;
    private final long localId;
    private final Path snapDir;
    private final Consumer<Message> sink;
    private final PeerMetrics metrics;
    private final ExecutorService exec = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "snapshot-receiver");
        t.setDaemon(true);
        return t;
    });

    SnapshotReceiver(long clusterId, long localId, Path snapDir, Consumer<Message> sink, PeerMetrics metrics) {
        this.clusterId = clusterId;
        this.localId = localId;
        this.snapDir = snapDir;
        this.sink = sink;
        this.metrics = metrics;
    }

    @Override
    public void probe(PeerProbeRequest request, StreamObserver<PeerProbeResponse> responses) {
        if (request.getClusterId() != clusterId) {
            responses.onError(Status.FAILED_PRECONDITION.withDescription("cluster ID mismatch").asRuntimeException());
            return;
        }
        responses.onNext(PeerProbeResponse.newBuilder().setMemberId(localId).build());
        responses.onCompleted();
    }

    @Override
    public StreamObserver<SnapshotChunk> send(StreamObserver<SnapshotAck> responses) {
        ServerCallStreamObserver<SnapshotAck> call = (ServerCallStreamObserver<SnapshotAck>) responses;
        call.disableAutoRequest();
        Receive r = new Receive(call);
        call.request(1);
        return new StreamObserver<>() {
            @Override
            public void onNext(SnapshotChunk chunk) {
                submit(() -> r.onChunk(chunk));
            }

            @Override
            public void onError(Throwable t) {
                submit(() -> r.fail(new IOException("sender aborted: " + Status.fromThrowable(t).getCode()), false));
            }

            @Override
            public void onCompleted() {
                submit(r::onEnd);
            }

            private void submit(Runnable task) {
                try {
                    exec.execute(task);
                } catch (RejectedExecutionException e) {
                    r.fail(new IOException("member stopping"), true);
                }
            }
        };
    }

    @Override
    public void close() throws InterruptedException {
        exec.shutdownNow();
        exec.awaitTermination(5, TimeUnit.SECONDS);
    }

    /** One incoming snapshot; touched only on the receiver thread. */
    private final class Receive {
        private final ServerCallStreamObserver<SnapshotAck> call;
        private Message msg;
        private String from = "unknown";
        private long expectedBytes;
        private long received;
        private Path partial;
        private String currentName;
        private FileChannel current;
        private final Set<String> names = new HashSet<>();
        private final CRC32C crc = new CRC32C();
        private boolean last;
        private boolean done;
        private long start;

        Receive(ServerCallStreamObserver<SnapshotAck> call) {
            this.call = call;
        }

        void onChunk(SnapshotChunk chunk) {
            if (done) {
                return;
            }
            try {
                if (msg == null) {
                    begin(chunk);
                } else if (last) {
                    throw new StatusRuntimeException(Status.INVALID_ARGUMENT.withDescription("chunk after the last one"));
                } else {
                    if (!chunk.getFile().isEmpty()) {
                        append(chunk);
                    }
                    if (chunk.getLast()) {
                        verify(chunk);
                    }
                }
                call.request(1);
            } catch (StatusRuntimeException e) {
                fail(e, true);
            } catch (IOException | RuntimeException e) {
                fail(e, true);
            }
        }

        private void begin(SnapshotChunk chunk) throws IOException {
            from = MemberIds.hex(chunk.getFrom());
            if (chunk.getClusterId() != clusterId) {
                throw new StatusRuntimeException(Status.FAILED_PRECONDITION.withDescription("cluster ID mismatch: member "
                        + MemberIds.hex(localId) + " belongs to cluster " + MemberIds.hex(clusterId)));
            }
            if (chunk.getTo() != localId) {
                throw new StatusRuntimeException(Status.FAILED_PRECONDITION.withDescription("member ID mismatch: this is member "
                        + MemberIds.hex(localId) + ", not " + MemberIds.hex(chunk.getTo())));
            }
            Message m;
            try {
                m = Message.parseFrom(chunk.getRaftMessage());
            } catch (InvalidProtocolBufferException e) {
                throw new StatusRuntimeException(Status.INVALID_ARGUMENT.withDescription("failed to decode Raft message"));
            }
            if (m.getType() != MessageType.MsgSnap) {
                throw new StatusRuntimeException(Status.INVALID_ARGUMENT.withDescription("unexpected Raft message type "
                        + m.getType()));
            }
            msg = m;
            expectedBytes = chunk.getTotalBytes();
            start = System.nanoTime();
            metrics.snapshotReceiveInflights.labels(from).inc();
            long index = m.getSnapshot().getMetadata().getIndex();
            Log.info(log, "receiving database snapshot", "local-member-id", MemberIds.hex(localId),
                    "remote-snapshot-sender-id", from, "incoming-snapshot-index", index,
                    "incoming-snapshot-message-size-bytes", m.getSerializedSize(),
                    "incoming-snapshot-message-size", SnapshotSender.humanBytes(m.getSerializedSize()));
            Files.createDirectories(snapDir);
            partial = BackendSnapshot.partialPath(snapDir, index);
            Files.createDirectory(partial);
        }

        private void append(SnapshotChunk chunk) throws IOException {
            String name = chunk.getFile();
            if (!name.equals(currentName)) {
                if (name.contains("/") || name.contains("\\") || name.startsWith(".") || !names.add(name)) {
                    throw new StatusRuntimeException(Status.INVALID_ARGUMENT.withDescription("bad file name " + name));
                }
                closeCurrent();
                current = FileChannel.open(partial.resolve(name), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                currentName = name;
            }
            crc.update(name.getBytes(StandardCharsets.UTF_8));
            crc.update(chunk.getData().asReadOnlyByteBuffer());
            for (var buf : chunk.getData().asReadOnlyByteBufferList()) {
                while (buf.hasRemaining()) {
                    current.write(buf);
                }
            }
            received += chunk.getData().size();
            if (received > expectedBytes) {
                throw new StatusRuntimeException(Status.DATA_LOSS.withDescription("more bytes than announced ("
                        + expectedBytes + ")"));
            }
        }

        private void verify(SnapshotChunk lastChunk) throws IOException {
            last = true;
            closeCurrent();
            if (received != expectedBytes) {
                throw new StatusRuntimeException(Status.DATA_LOSS.withDescription("size mismatch: received "
                        + received + " of " + expectedBytes + " bytes"));
            }
            if (names.size() != lastChunk.getFileCount()) {
                throw new StatusRuntimeException(Status.DATA_LOSS.withDescription("file count mismatch: received "
                        + names.size() + " of " + lastChunk.getFileCount()));
            }
            if ((int) crc.getValue() != lastChunk.getCrc32C()) {
                throw new StatusRuntimeException(Status.DATA_LOSS.withDescription("checksum mismatch"));
            }
        }

        void onEnd() {
            if (done) {
                return;
            }
            if (!last) {
                fail(new StatusRuntimeException(Status.DATA_LOSS.withDescription("stream ended before the last chunk")), true);
                return;
            }
            long index = msg.getSnapshot().getMetadata().getIndex();
            try {
                BackendSnapshot.fsyncTree(partial);
                Path target = BackendSnapshot.receivedPath(snapDir, index);
                if (Files.exists(target)) {
                    // An earlier copy for the same index is complete and may be due for install: keep it.
                    BackendSnapshot.deleteTree(partial);
                } else {
                    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                    BackendSnapshot.fsyncDir(snapDir);
                }
            } catch (IOException | RuntimeException e) {
                fail(e, true);
                return;
            }
            // saved and fsynced, raft not told yet: after a restart the leader must send it again
            Failpoints.hit("snapshotReceiveAfterSave");
            done = true;
            Log.info(log, "received and saved database snapshot", "local-member-id", MemberIds.hex(localId),
                    "remote-snapshot-sender-id", from, "incoming-snapshot-index", index,
                    "incoming-snapshot-size-bytes", received,
                    "incoming-snapshot-size", SnapshotSender.humanBytes(received));
            metrics.snapshotReceiveInflights.labels(from).dec();
            metrics.snapshotReceiveSuccess.labels(from).inc();
            metrics.snapshotReceiveSeconds.labels(from).observe((System.nanoTime() - start) / 1e9);
            metrics.receivedBytes.labels(from).inc(received);
            sink.accept(msg);
            try {
                call.onNext(SnapshotAck.newBuilder().setMemberId(localId).setReceivedBytes(received).build());
                call.onCompleted();
            } catch (RuntimeException e) {
                // The sender went away; raft has the snapshot all the same.
            }
        }

        void fail(Exception e, boolean answer) {
            if (done) {
                return;
            }
            done = true;
            try {
                closeCurrent();
                if (partial != null) {
                    BackendSnapshot.deleteTree(partial);
                }
            } catch (IOException ignored) {
                // purged at the next start
            }
            if (msg != null) {
                metrics.snapshotReceiveInflights.labels(from).dec();
            }
            metrics.snapshotReceiveFailures.labels(from).inc();
            metrics.receivedFailures.labels(from).inc();
            Log.warn(log, "failed to save incoming database snapshot", "local-member-id", MemberIds.hex(localId),
                    "remote-snapshot-sender-id", from,
                    "incoming-snapshot-index", msg == null ? 0 : msg.getSnapshot().getMetadata().getIndex(),
                    "error", String.valueOf(e.getMessage()));
            if (answer) {
                Status s = e instanceof StatusRuntimeException sre ? sre.getStatus()
                        : Status.INTERNAL.withDescription(String.valueOf(e.getMessage()));
                try {
                    call.onError(s.asRuntimeException());
                } catch (RuntimeException ignored) {
                    // already closed
                }
            }
        }

        private void closeCurrent() throws IOException {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }
}
