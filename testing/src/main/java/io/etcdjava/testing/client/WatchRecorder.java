package io.etcdjava.testing.client;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.WatchCreateRequest;
import io.etcdjava.api.etcdserverpb.WatchGrpc;
import io.etcdjava.api.etcdserverpb.WatchRequest;
import io.etcdjava.api.etcdserverpb.WatchResponse;
import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.testing.check.WatchEvent;
import io.etcdjava.testing.check.WatchSegment;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One watcher on a key prefix, recorded event by event. When its stream breaks it resumes on the
 * next member from the last revision received + 1 (a new segment), as a client must to get every
 * event exactly once. Thread: "watch-&lt;n&gt;", started and stopped here.
 */
final class WatchRecorder implements AutoCloseable {
    private final int watcher;
    private final String prefix;
    private final Channels channels;
    private final Recorder recorder;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long lastRevision;
    private volatile StreamObserver<WatchRequest> requests;

    WatchRecorder(int watcher, String prefix, Channels channels, Recorder recorder) {
        this.watcher = watcher;
        this.prefix = prefix;
        this.channels = channels;
        this.recorder = recorder;
        this.thread = new Thread(this::run, "watch-" + watcher);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    int watcher() {
        return watcher;
    }

    long lastRevision() {
        return lastRevision;
    }

    private void run() {
        int segment = 0;
        int member = watcher;
        long from = 1;
        boolean compacted = false;
        while (running) {
            CountDownLatch ended = new CountDownLatch(1);
            int seg = segment;
            long[] compactedAt = {0};
            recorder.segment(new WatchSegment(watcher, seg, from, compacted));
            StreamObserver<WatchResponse> responses = new StreamObserver<>() {
                @Override
                public void onNext(WatchResponse r) {
                    long now = System.nanoTime();
                    if (r.getCompactRevision() > 0) {
                        // etcd cancels a watch whose start was compacted away; resume past the compaction
                        compactedAt[0] = r.getCompactRevision();
                        ended.countDown();
                        return;
                    }
                    for (Event e : r.getEventsList()) {
                        boolean put = e.getType() == Event.EventType.PUT;
                        recorder.event(new WatchEvent(watcher, seg, e.getKv().getModRevision(),
                                e.getKv().getKey().toString(StandardCharsets.UTF_8),
                                put ? WatchEvent.Type.PUT : WatchEvent.Type.DELETE,
                                put ? e.getKv().getValue().toString(StandardCharsets.UTF_8) : null,
                                e.getKv().getModRevision(), now));
                        lastRevision = e.getKv().getModRevision();
                    }
                    if (r.getCanceled()) {
                        ended.countDown();
                    }
                }

                @Override
                public void onError(Throwable t) {
                    ended.countDown();
                }

                @Override
                public void onCompleted() {
                    ended.countDown();
                }
            };
            long opened = System.nanoTime();
            StreamObserver<WatchRequest> req = WatchGrpc.newStub(channels.get(member)).watch(responses);
            requests = req;
            ByteString key = ByteString.copyFromUtf8(prefix);
            req.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(key)
                    .setRangeEnd(prefixEnd(key)).setStartRevision(from)).build());
            try {
                while (running && !ended.await(200, TimeUnit.MILLISECONDS)) {
                    // the stream lives until it breaks or we stop
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
            try {
                req.onCompleted();
            } catch (RuntimeException ignored) {
                // already broken
            }
            compacted = compactedAt[0] > 0;
            from = compacted ? compactedAt[0] : Math.max(from, lastRevision + 1);
            segment++;
            member++;
            if (running && System.nanoTime() - opened < TimeUnit.MILLISECONDS.toNanos(200)) {
                // retry pacing, as a client backs off: with every member down a stream fails at once,
                // and without a pause one run recorded 48,000 empty segments in six seconds
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
        }
    }

    static ByteString prefixEnd(ByteString prefix) {
        byte[] b = prefix.toByteArray();
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] != (byte) 0xff) {
                b[i]++;
                return ByteString.copyFrom(b, 0, i + 1);
            }
        }
        return ByteString.copyFrom(new byte[] {0});
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
