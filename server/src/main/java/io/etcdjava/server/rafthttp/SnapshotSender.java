package io.etcdjava.server.rafthttp;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.util.EventLoopGroups;
import io.etcdjava.api.internal.RaftSnapshotGrpc;
import io.etcdjava.api.internal.SnapshotAck;
import io.etcdjava.api.internal.SnapshotChunk;
import io.etcdjava.raft.failpoint.Failpoints;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.SnapshotMetadata;
import io.etcdjava.server.log.Log;
import io.etcdjava.server.membership.MemberIds;
import io.etcdjava.server.mvcc.backend.BackendSnapshot;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the leader's database to a peer raft asked to snapshot: takes a RocksDB checkpoint (at an
 * applied index at or past the raft snapshot's), streams its files in chunks with the MsgSnap on
 * a {@code RaftSnapshot.Send} call over its own connection — never the message stream, so
 * heartbeats keep flowing — and tells raft whether the peer got it. Memory stays bounded: one
 * chunk is read at a time, and only when HTTP/2 flow control lets it go out.
 *
 * <p>Threads: "snapshot-sender-N" (one per snapshot in flight, at most one per peer) and the
 * "etcd-snapshot-client-io" event loop, all owned here.
 */
final class SnapshotSender implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SnapshotSender.class);
    static final int CHUNK_BYTES = 1024 * 1024;
    /** Longest a whole send may take; etcd bounds it by the connection only, we bound it outright. */
    private static final long SEND_TIMEOUT_SECONDS = 30 * 60;

    private final long clusterId;
    private final long localId;
    private final SnapshotSource source;
    private final PeerReports reports;
    private final PeerMetrics metrics;
    private final LongFunction<List<String>> urlsOf;
    private final EventLoopGroup eventLoops;
    private final ClientFactory factory;
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final ExecutorService exec;
    private volatile boolean closed;

    SnapshotSender(long clusterId, long localId, SnapshotSource source, PeerReports reports, PeerMetrics metrics,
                   LongFunction<List<String>> urlsOf) {
        this.clusterId = clusterId;
        this.localId = localId;
        this.source = source;
        this.reports = reports;
        this.metrics = metrics;
        this.urlsOf = urlsOf;
        this.eventLoops = EventLoopGroups.newEventLoopGroup(1, "etcd-snapshot-client-io", true);
        this.factory = ClientFactory.builder()
                .workerGroup(eventLoops, false)
                .connectTimeout(Duration.ofSeconds(1))
                .idleTimeout(Duration.ofSeconds(30))
                .build();
        AtomicInteger n = new AtomicInteger();
        this.exec = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "snapshot-sender-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Raft loop: starts sending the database with MsgSnap {@code m}; never blocks. */
    void send(Message m) {
        long peer = m.getTo();
        List<String> urls = urlsOf.apply(peer);
        if (closed || urls == null || urls.isEmpty()) {
            reports.snapshotFailed(peer);
            return;
        }
        if (!inFlight.add(peer)) {
            // Raft waits for the answer to the one in flight before it asks again.
            return;
        }
        try {
            exec.execute(() -> {
                boolean sent = false;
                try {
                    sent = sendNow(m, urls.get(0));
                } finally {
                    // Free the peer before raft hears the outcome: it may ask for the next snapshot at
                    // once, and a request dropped as "still in flight" would never be answered.
                    inFlight.remove(peer);
                    if (sent) {
                        reports.snapshotSucceeded(peer);
                    } else {
                        reports.snapshotFailed(peer);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.remove(peer);
            reports.snapshotFailed(peer);
        }
    }

    /** Sends the database; whether the peer got it. Raft is told by the caller. */
    private boolean sendNow(Message m, String url) {
        long peer = m.getTo();
        String to = PeerMetrics.label(peer);
        long index = m.getSnapshot().getMetadata().getIndex();
        long start = System.nanoTime();
        Path dir = source.scratchDir().resolve(BackendSnapshot.sendScratchName(MemberIds.hex(peer)));
        metrics.snapshotSendInflights.labels(to).inc();
        long total = 0;
        try {
            SnapshotMetadata sent = source.checkpoint(dir, m.getSnapshot().getMetadata());
            if (!sent.equals(m.getSnapshot().getMetadata())) {
                index = sent.getIndex();
                m = m.toBuilder().setSnapshot(m.getSnapshot().toBuilder().setMetadata(sent)).build();
            }
            List<Path> files = files(dir);
            for (Path f : files) {
                total += Files.size(f);
            }
            Log.info(log, "sending database snapshot", "snapshot-index", index, "remote-peer-id", to,
                    "bytes", total, "size", humanBytes(total));
            // the checkpoint is taken, nothing sent: the peer keeps waiting and must be sent a new one
            Failpoints.hit("snapshotSendBeforeStream");
            SnapshotAck ack = stream(m, url, files, total);
            metrics.snapshotSendSuccess.labels(to).inc();
            metrics.snapshotSendSeconds.labels(to).observe((System.nanoTime() - start) / 1e9);
            metrics.sentBytes.labels(to).inc(total);
            Log.info(log, "sent database snapshot", "snapshot-index", index, "remote-peer-id", to,
                    "bytes", ack.getReceivedBytes(), "size", humanBytes(ack.getReceivedBytes()));
            return true;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            metrics.snapshotSendFailures.labels(to).inc();
            metrics.sentFailures.labels(to).inc();
            Log.warn(log, "failed to send database snapshot", "snapshot-index", index, "remote-peer-id", to,
                    "bytes", total, "size", humanBytes(total), "error", String.valueOf(e.getMessage()));
        } finally {
            metrics.snapshotSendInflights.labels(to).dec();
            try {
                BackendSnapshot.deleteTree(dir);
            } catch (IOException e) {
                Log.warn(log, "failed to remove snapshot checkpoint", "path", dir.toString(), "error", e.getMessage());
            }
        }
        return false;
    }

    /** The checkpoint's files in a fixed order (RocksDB's CURRENT last, so a cut-short copy never opens). */
    static List<Path> files(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p)) {
                    out.add(p);
                } else {
                    throw new IOException("unexpected entry in checkpoint: " + p);
                }
            }
        }
        out.sort((a, b) -> {
            boolean ac = a.getFileName().toString().equals("CURRENT");
            boolean bc = b.getFileName().toString().equals("CURRENT");
            if (ac != bc) {
                return ac ? 1 : -1;
            }
            return a.getFileName().toString().compareTo(b.getFileName().toString());
        });
        return out;
    }

    private SnapshotAck stream(Message m, String url, List<Path> files, long total) throws Exception {
        RaftSnapshotGrpc.RaftSnapshotStub stub = GrpcClients.builder(url)
                .factory(factory)
                .responseTimeout(Duration.ZERO)
                .writeTimeout(Duration.ZERO)
                .maxResponseLength(0)
                .build(RaftSnapshotGrpc.RaftSnapshotStub.class);
        Call call = new Call();
        stub.send(call);
        ClientCallStreamObserver<SnapshotChunk> out = call.requests;
        CRC32C crc = new CRC32C();
        try {
            write(call, SnapshotChunk.newBuilder().setClusterId(clusterId).setFrom(localId).setTo(m.getTo())
                    .setRaftMessage(m.toByteString()).setTotalBytes(total).build());
            ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES);
            for (Path f : files) {
                String name = f.getFileName().toString();
                byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                    boolean sentAny = false;
                    while (true) {
                        buf.clear();
                        int n = ch.read(buf);
                        if (n <= 0 && sentAny) {
                            break;
                        }
                        buf.flip();
                        ByteString data = n <= 0 ? ByteString.EMPTY : ByteString.copyFrom(buf);
                        crc.update(nameBytes);
                        crc.update(data.asReadOnlyByteBuffer());
                        write(call, SnapshotChunk.newBuilder().setFile(name).setData(data).build());
                        sentAny = true;
                        // part of the database is out: the receiver must drop the partial copy
                        Failpoints.hit("snapshotSendMidStream");
                        if (n <= 0) {
                            break;
                        }
                    }
                }
            }
            write(call, SnapshotChunk.newBuilder().setLast(true).setCrc32C((int) crc.getValue())
                    .setFileCount(files.size()).build());
            out.onCompleted();
        } catch (Exception e) {
            out.cancel("snapshot send aborted", e);
            throw e;
        }
        return call.result.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Writes one chunk once flow control allows; fails when the call ended or we are closing. */
    private void write(Call call, SnapshotChunk chunk) throws IOException, InterruptedException {
        synchronized (call) {
            while (!call.requests.isReady()) {
                if (call.result.isDone() || closed) {
                    throw new IOException("snapshot stream ended: " + describe(call.result));
                }
                call.wait(100);
            }
        }
        if (call.result.isDone()) {
            throw new IOException("snapshot stream ended: " + describe(call.result));
        }
        call.requests.onNext(chunk);
    }

    private static String describe(CompletableFuture<SnapshotAck> f) {
        try {
            f.getNow(null);
            return "peer answered early";
        } catch (Exception e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            Status s = Status.fromThrowable(c);
            return s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
        }
    }

    static String humanBytes(long n) {
        // go-humanize's Bytes: SI units, one decimal below 10.
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        if (n < 10) {
            return n + " B";
        }
        double v = n;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return (v < 10 ? String.format(java.util.Locale.ROOT, "%.1f", v)
                : String.format(java.util.Locale.ROOT, "%.0f", v)) + " " + units[u];
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        exec.shutdownNow();
        exec.awaitTermination(5, TimeUnit.SECONDS);
        factory.close();
        eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** One Send call; callbacks run on the client event loop. */
    private static final class Call implements ClientResponseObserver<SnapshotChunk, SnapshotAck> {
        private ClientCallStreamObserver<SnapshotChunk> requests;
        final CompletableFuture<SnapshotAck> result = new CompletableFuture<>();
        private SnapshotAck ack;

        @Override
        public void beforeStart(ClientCallStreamObserver<SnapshotChunk> requestStream) {
            this.requests = requestStream;
            requestStream.setOnReadyHandler(this::wake);
        }

        private void wake() {
            synchronized (this) {
                notifyAll();
            }
        }

        @Override
        public void onNext(SnapshotAck value) {
            ack = value;
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
            wake();
        }

        @Override
        public void onCompleted() {
            if (ack != null) {
                result.complete(ack);
            } else {
                result.completeExceptionally(new IOException("peer closed the snapshot stream without an answer"));
            }
            wake();
        }
    }
}
