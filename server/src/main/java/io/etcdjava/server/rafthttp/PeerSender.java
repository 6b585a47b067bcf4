package io.etcdjava.server.rafthttp;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.etcdjava.api.internal.RaftAck;
import io.etcdjava.api.internal.RaftEnvelope;
import io.etcdjava.api.internal.RaftPeerGrpc;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.server.log.Log;
import io.etcdjava.server.membership.MemberIds;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends raft messages to one peer over one long-lived stream. The raft loop only offers to a
 * bounded queue (the newest message is dropped when it is full — raft retries); the sender thread
 * batches what is queued into envelopes, waits for HTTP/2 flow control, and reopens a broken
 * stream with backoff, dropping what it cannot send meanwhile and telling raft the peer is
 * unreachable. Thread: "peer-sender-&lt;id&gt;", started and stopped here.
 */
final class PeerSender implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerSender.class);
    static final int QUEUE_CAPACITY = 4096;
    private static final int MAX_BATCH_MESSAGES = 512;
    private static final long MAX_BATCH_BYTES = 4L * 1024 * 1024;
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long UNREACHABLE_REPORT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final long clusterId;
    private final long localId;
    private final long peerId;
    private final List<String> urls;
    private final ClientFactory factory;
    private final LongConsumer unreachable;
    private final Runnable removed;
    private final PeerMetrics metrics;
    private final String peerLabel;
    private final ArrayBlockingQueue<Message> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final LongAdder dropped = new LongAdder();
    private final Object readyLock = new Object();
    private final Thread thread;
    private volatile boolean running = true;

    // sender thread only
    private Call call;
    private int urlIndex;
    private long backoffNanos = MIN_BACKOFF_NANOS;
    private long nextAttempt;
    private long lastUnreachableReport;
    private boolean wasActive;

    PeerSender(long clusterId, long localId, long peerId, List<String> urls, ClientFactory factory,
               LongConsumer unreachable) {
        this(clusterId, localId, peerId, urls, factory, unreachable, () -> { }, new PeerMetrics());
    }

    /** @param removed called (on an event loop) when the peer says this member was removed from the cluster */
    PeerSender(long clusterId, long localId, long peerId, List<String> urls, ClientFactory factory,
               LongConsumer unreachable, Runnable removed, PeerMetrics metrics) {
        this.metrics = metrics;
        this.removed = removed;
        this.peerLabel = PeerMetrics.label(peerId);
        this.clusterId = clusterId;
        this.localId = localId;
        this.peerId = peerId;
        this.urls = List.copyOf(urls);
        this.factory = factory;
        this.unreachable = unreachable;
        this.nextAttempt = System.nanoTime();
        this.lastUnreachableReport = System.nanoTime() - UNREACHABLE_REPORT_NANOS;
        this.thread = new Thread(this::run, "peer-sender-" + MemberIds.hex(peerId));
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Never blocks; false when the queue is full and {@code m} was dropped. */
    boolean offer(Message m) {
        if (queue.offer(m)) {
            return true;
        }
        dropped.increment();
        metrics.sentFailures.labels(peerLabel).inc();
        return false;
    }

    List<String> urls() {
        return urls;
    }

    /** Messages dropped so far (full queue or no stream). */
    long dropped() {
        return dropped.sum();
    }

    private void run() {
        try {
            while (running) {
                Message first = queue.poll(100, TimeUnit.MILLISECONDS);
                Call c = currentCall();
                if (first == null) {
                    continue;
                }
                if (c == null) {
                    dropAll();
                    continue;
                }
                RaftEnvelope env = batch(first);
                if (!awaitReady(c)) {
                    dropped.add(env.getMessagesCount());
                    metrics.sentFailures.labels(peerLabel).inc(env.getMessagesCount());
                    continue;
                }
                c.requests.onNext(env);
                metrics.sentBytes.labels(peerLabel).inc(env.getSerializedSize());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            Log.error(log, "peer sender failed", e, "remote-peer-id", MemberIds.hex(peerId));
        } finally {
            Call c = call;
            if (c != null && !c.broken) {
                try {
                    c.requests.onCompleted();
                } catch (RuntimeException ignored) {
                    // closing anyway
                }
            }
        }
    }

    /** The open stream, opening a new one when the old broke and the backoff has passed; else null. */
    private Call currentCall() {
        Call c = call;
        if (c != null && !c.broken) {
            if (c.active && !wasActive) {
                wasActive = true;
                backoffNanos = MIN_BACKOFF_NANOS;
                Log.info(log, "peer became active", "local-member-id", MemberIds.hex(localId),
                        "peer-id", MemberIds.hex(peerId));
            }
            return c;
        }
        long now = System.nanoTime();
        if (c != null) {
            call = null;
            if (wasActive) {
                wasActive = false;
                Log.warn(log, "peer became inactive (message send to peer failed)",
                        "local-member-id", MemberIds.hex(localId), "peer-id", MemberIds.hex(peerId), "error", c.error);
            }
            nextAttempt = now + backoffNanos;
            backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
            urlIndex = (urlIndex + 1) % urls.size();
            reportUnreachable(now);
            return null;
        }
        if (now - nextAttempt < 0) {
            return null;
        }
        call = open(urls.get(urlIndex));
        return call;
    }

    private Call open(String url) {
        RaftPeerGrpc.RaftPeerStub stub = GrpcClients.builder(url)
                .factory(factory)
                .responseTimeout(Duration.ZERO)
                .writeTimeout(Duration.ZERO)
                .maxResponseLength(0)
                .build(RaftPeerGrpc.RaftPeerStub.class);
        Call c = new Call();
        stub.stream(c);
        // An empty first envelope lets the peer check us at once, as etcd's stream dial does: a
        // member removed while it was down learns so on restart without waiting to campaign.
        c.requests.onNext(RaftEnvelope.newBuilder().setClusterId(clusterId).setFrom(localId).setTo(peerId).build());
        return c;
    }

    private RaftEnvelope batch(Message first) {
        RaftEnvelope.Builder env = RaftEnvelope.newBuilder().setClusterId(clusterId).setFrom(localId).setTo(peerId)
                .addMessages(first.toByteString());
        long bytes = first.getSerializedSize();
        Message next;
        while (env.getMessagesCount() < MAX_BATCH_MESSAGES && bytes < MAX_BATCH_BYTES
                && (next = queue.poll()) != null) {
            env.addMessages(next.toByteString());
            bytes += next.getSerializedSize();
        }
        return env.build();
    }

    /** Waits for flow control to let us write; false when the stream broke or we are stopping. */
    private boolean awaitReady(Call c) throws InterruptedException {
        synchronized (readyLock) {
            while (running && !c.broken && !c.requests.isReady()) {
                readyLock.wait(50);
            }
        }
        return running && !c.broken;
    }

    private void dropAll() {
        int n = 1 + queue.drainTo(new ArrayList<>());
        dropped.add(n);
        metrics.sentFailures.labels(peerLabel).inc(n);
        reportUnreachable(System.nanoTime());
    }

    private void reportUnreachable(long now) {
        if (now - lastUnreachableReport >= UNREACHABLE_REPORT_NANOS) {
            lastUnreachableReport = now;
            unreachable.accept(peerId);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
    }

    /** One stream to the peer; its callbacks run on the client's event loop. */
    private final class Call implements ClientResponseObserver<RaftEnvelope, RaftAck> {
        private ClientCallStreamObserver<RaftEnvelope> requests;
        private volatile boolean broken;
        private volatile boolean active;
        private volatile String error;

        @Override
        public void beforeStart(ClientCallStreamObserver<RaftEnvelope> requestStream) {
            this.requests = requestStream;
            requestStream.setOnReadyHandler(() -> {
                synchronized (readyLock) {
                    readyLock.notifyAll();
                }
            });
        }

        @Override
        public void onNext(RaftAck ack) {
            active = true;
        }

        @Override
        public void onError(Throwable t) {
            Status s = Status.fromThrowable(t);
            String detail = s.getDescription() != null ? s.getDescription()
                    : s.getCause() != null ? String.valueOf(s.getCause()) : null;
            error = s.getCode() + (detail == null ? "" : ": " + detail);
            if (PeerErrors.isMemberRemoved(s)) {
                removed.run();
            } else if (s.getCode() == Status.Code.FAILED_PRECONDITION) {
                Log.error(log, "peer refused our raft stream", "local-member-id", MemberIds.hex(localId),
                        "remote-peer-id", MemberIds.hex(peerId),
                        "error", s.getDescription());
            }
            markBroken();
        }

        @Override
        public void onCompleted() {
            error = "stream closed by peer";
            markBroken();
        }

        private void markBroken() {
            broken = true;
            synchronized (readyLock) {
                readyLock.notifyAll();
            }
        }
    }
}
