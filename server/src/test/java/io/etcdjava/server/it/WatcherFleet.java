package io.etcdjava.server.it;

import io.etcdjava.api.etcdserverpb.WatchCancelRequest;
import io.etcdjava.api.etcdserverpb.WatchCreateRequest;
import io.etcdjava.api.etcdserverpb.WatchGrpc;
import io.etcdjava.api.etcdserverpb.WatchRequest;
import io.etcdjava.api.etcdserverpb.WatchResponse;
import io.etcdjava.server.it.HistoryEvent.KeyRange;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.IntUnaryOperator;

/**
 * The watch history test's watchers on client Watch streams, several per member. Like a client,
 * a watcher whose stream breaks resumes elsewhere at its last revision + 1, and one cancelled for
 * compaction resumes at the compact revision. Placement is serialised by this object's lock.
 */
final class WatcherFleet implements AutoCloseable {
    private static final int STREAMS_PER_MEMBER = 10;

    private final ManagedChannel[] channels;
    private final IntUnaryOperator liveMember;
    private final Map<Integer, HistoryWatcher> all = new ConcurrentHashMap<>();
    private final Map<Integer, List<Stream>> streams = new ConcurrentHashMap<>();
    private final Queue<String> problems = new ConcurrentLinkedQueue<>();
    private final Random pick;

    /** {@code liveMember} maps a preferred member index to a live one. */
    WatcherFleet(ManagedChannel[] channels, IntUnaryOperator liveMember, long seed) {
        this.channels = channels;
        this.liveMember = liveMember;
        this.pick = new Random(seed);
        for (int m = 0; m < channels.length; m++) {
            openStreams(m);
        }
    }

    Collection<HistoryWatcher> watchers() {
        return all.values();
    }

    /** Answers no client should get (an unexpected cancel). */
    List<String> problems() {
        return List.copyOf(problems);
    }

    synchronized void add(int id, KeyRange range, long start, int member) {
        HistoryWatcher w = new HistoryWatcher(id, range, start);
        all.put(id, w);
        place(w, member, w.detach());
    }

    /** The member died: its streams break; their watchers resume on live members. */
    synchronized void memberDown(int m) {
        for (Stream s : streams.get(m)) {
            s.cancel();
        }
        for (HistoryWatcher w : all.values()) {
            if (w.member() == m) {
                long from = w.detach();
                place(w, liveMember.applyAsInt(m + 1 + pick.nextInt(2)), from);
            }
        }
    }

    /** The member is back: new streams there, and a third of the watchers moves to it. */
    synchronized void memberUp(int m) {
        openStreams(m);
        for (HistoryWatcher w : all.values()) {
            if (pick.nextInt(3) == 0) {
                for (Stream s : streams.get(w.member())) {
                    s.cancelWatch(w);
                }
                long from = w.detach();
                place(w, m, from);
            }
        }
    }

    private synchronized void compacted(Stream s, HistoryWatcher w, long compactRevision) {
        if (w.compacted(s)) {
            // The client resumes at the oldest revision still there, on the same stream.
            s.create(w, compactRevision);
        }
    }

    private void openStreams(int m) {
        List<Stream> ss = new ArrayList<>();
        for (int i = 0; i < STREAMS_PER_MEMBER; i++) {
            ss.add(new Stream(m));
        }
        streams.put(m, ss);
    }

    private void place(HistoryWatcher w, int member, long from) {
        List<Stream> ss = streams.get(member);
        ss.get(pick.nextInt(ss.size())).create(w, from);
    }

    @Override
    public synchronized void close() {
        for (List<Stream> ss : streams.values()) {
            for (Stream s : ss) {
                s.cancel();
            }
        }
    }

    /** One gRPC Watch stream; watch ids are the watchers' ids + 1 (client-chosen). */
    private final class Stream implements StreamObserver<WatchResponse> {
        final int member;
        final Map<Long, HistoryWatcher> watchers = new ConcurrentHashMap<>();
        private final StreamObserver<WatchRequest> out;
        private volatile boolean cancelled;

        Stream(int member) {
            this.member = member;
            this.out = WatchGrpc.newStub(channels[member]).watch(this);
        }

        synchronized void create(HistoryWatcher w, long from) {
            w.begin(this, member, from);
            watchers.put((long) w.id + 1, w);
            WatchCreateRequest.Builder c = WatchCreateRequest.newBuilder().setKey(HistoryWriters.bs(w.range.from()))
                    .setWatchId(w.id + 1).setStartRevision(from);
            if (w.range.to() != null) {
                c.setRangeEnd(HistoryWriters.bs(w.range.to()));
            }
            if (cancelled) {
                return; // the member went down: memberDown moves the watcher on
            }
            out.onNext(WatchRequest.newBuilder().setCreateRequest(c).build());
        }

        synchronized void cancelWatch(HistoryWatcher w) {
            if (watchers.remove((long) w.id + 1) != null && !cancelled) {
                out.onNext(WatchRequest.newBuilder()
                        .setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(w.id + 1)).build());
            }
        }

        synchronized void cancel() {
            if (!cancelled) {
                cancelled = true;
                watchers.clear();
                ((ClientCallStreamObserver<WatchRequest>) out).cancel("test moves on", null);
            }
        }

        @Override
        public void onNext(WatchResponse r) {
            HistoryWatcher w = watchers.get(r.getWatchId());
            if (w == null) {
                return; // cancelled or moved
            }
            if (r.getCanceled()) {
                if (r.getCompactRevision() > 0) {
                    watchers.remove(r.getWatchId(), w);
                    compacted(this, w, r.getCompactRevision());
                } else if (w.attachedTo(this)) {
                    problems.add("watcher " + w.id + " on member " + member + " cancelled: " + r);
                }
                return;
            }
            if (r.getCreated()) {
                w.created(this, r.getHeader().getRevision());
            }
            if (r.getEventsCount() > 0) {
                w.events(this, r.getEventsList());
            }
        }

        @Override
        public void onError(Throwable t) {
            if (!cancelled) {
                System.out.println("watch stream on member " + member + " failed: " + t);
            }
        }

        @Override
        public void onCompleted() {
        }
    }
}
