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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends raft messages to one peer over one long-lived stream. When nothing is queued and the
 * stream can take a message at once, the raft loop writes its messages itself: a thread hand-off
 * less on every replication round trip. Otherwise it offers them to a bounded queue (the newest
 * message is dropped when it is full — raft retries); the sender thread batches what is queued
 * into envelopes, waits for HTTP/2 flow control, and reopens a broken stream with backoff,
 * dropping what it cannot send meanwhile and telling raft the peer is unreachable. Messages leave
 * in the order they were offered either way. Thread: "peer-sender-&lt;id&gt;", started and
 * stopped here; {@link #offer} is called by one thread at a time (the raft loop).
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
    /**
     * Messages offered to the queue and not yet written or dropped by the sender thread. The raft
     * loop writes directly only when this is 0: everything offered before is on the stream, so
     * the order holds; and the sender's write happened before its decrement, so the two threads
     * never write at once.
     */
    private final AtomicInteger pending = new AtomicInteger();
    private final LongAdder directWrites = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final Object readyLock = new Object();
    private final Thread thread;
    private volatile boolean running = true;

    /** Written by the sender thread only; read by the raft loop for direct writes. */
    private volatile Call call;
    // sender thread only
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

    /**
     * Never blocks: writes {@code messages} to the stream at once when it can (see the class
     * comment), else queues them for the sender thread. Returns how many were dropped: the queue
     * was full, or the stream closed during a direct write.
     */
    int offer(List<Message> messages) {
        Call c = call;
        if (running && pending.get() == 0 && c != null && !c.broken && c.requests.isReady()
                && messages.size() <= MAX_BATCH_MESSAGES) {
            RaftEnvelope.Builder env = envelope();
            for (Message m : messages) {
                env.addMessages(m.toByteString());
            }
            try {
                write(c, env.build());
            } catch (RuntimeException e) {
                // The stream closed under us (this sender is being closed): lost like any message
                // on a broken stream, and raft retries; the raft loop must not fail for it.
                dropped.add(messages.size());
                metrics.sentFailures.labels(peerLabel).inc(messages.size());
                return messages.size();
            }
            directWrites.increment();
            return 0;
        }
        int lost = 0;
        for (Message m : messages) {
            pending.incrementAndGet();
            if (!queue.offer(m)) {
                pending.decrementAndGet();
                lost++;
            }
        }
        if (lost > 0) {
            dropped.add(lost);
            metrics.sentFailures.labels(peerLabel).inc(lost);
        }
        return lost;
    }

    /** Envelopes the raft loop wrote itself, bypassing the queue (for tests). */
    long directWrites() {
        return directWrites.sum();
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
                int n = env.getMessagesCount();
                try {
                    if (awaitReady(c)) {
                        write(c, env);
                    } else {
                        dropped.add(n);
                        metrics.sentFailures.labels(peerLabel).inc(n);
                    }
                } finally {
                    pending.addAndGet(-n);
                }
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
        c.requests.onNext(envelope().build());
        return c;
    }

    private RaftEnvelope.Builder envelope() {
        return RaftEnvelope.newBuilder().setClusterId(clusterId).setFrom(localId).setTo(peerId);
    }

    private void write(Call c, RaftEnvelope env) {
        c.requests.onNext(env);
        metrics.sentBytes.labels(peerLabel).inc(env.getSerializedSize());
    }

    private RaftEnvelope batch(Message first) {
        RaftEnvelope.Builder env = envelope().addMessages(first.toByteString());
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
        pending.addAndGet(-n);
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
