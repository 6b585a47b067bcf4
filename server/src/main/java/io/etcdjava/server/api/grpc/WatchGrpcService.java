package io.etcdjava.server.api.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.linecorp.armeria.common.util.SafeCloseable;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.api.etcdserverpb.WatchCreateRequest;
import io.etcdjava.api.etcdserverpb.WatchGrpc;
import io.etcdjava.api.etcdserverpb.WatchRequest;
import io.etcdjava.api.etcdserverpb.WatchResponse;
import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.server.watch.Delivery;
import io.etcdjava.server.watch.WatchSpec;
import io.etcdjava.server.watch.WatchStream;
import io.etcdjava.server.watch.WatchableStore;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * etcd's Watch service (etcdserver/api/v3rpc/watch.go): one {@link WatchStream} per gRPC stream;
 * requests go to the stream, its queued {@link Delivery} messages are sent in order as flow control
 * allows, with {@code prev_kv} filled or stripped and responses above the message limit fragmented
 * for watchers that asked.
 */
public final class WatchGrpcService extends WatchGrpc.WatchImplBase {
    private final WatchableStore store;
    private final LongFunction<ResponseHeader> header;
    private final int maxResponseBytes;
    /** One entry per client event loop, so bounded by the I/O thread count. */
    private final Map<EventLoop, LoopDrains> drainsByLoop = new ConcurrentHashMap<>();

    /**
     * @param header builds the response header for a revision
     * @param maxResponseBytes etcd's limit for unfragmented responses: max-request-bytes plus the
     *     gRPC overhead
     */
    public WatchGrpcService(WatchableStore store, LongFunction<ResponseHeader> header, int maxResponseBytes) {
        this.store = Objects.requireNonNull(store, "store");
        this.header = Objects.requireNonNull(header, "header");
        this.maxResponseBytes = maxResponseBytes;
    }

    @Override
    public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> responses) {
        ServerCallStreamObserver<WatchResponse> out = (ServerCallStreamObserver<WatchResponse>) responses;
        Call call = open(new ObserverSink(out), ServiceRequestContext.currentOrNull());
        out.setOnReadyHandler(call::schedule);
        out.setOnCancelHandler(call::cancel);
        return call;
    }

    /**
     * A new stream sending to {@code sink}; its drains run on {@code ctx}'s event loop (sends need
     * no further hop, and a drain only reads memory and, for a catch-up prev_kv, the store), or on
     * a pool when there is no Armeria context. The sink's owner calls {@link Call#schedule()} when
     * the sink becomes ready and {@link Call#cancel()} when the client goes away.
     */
    Call open(Sink sink, ServiceRequestContext ctx) {
        Call call = new Call(sink, ctx);
        call.start();
        return call;
    }

    /** Where one stream's responses go: the gRPC call, or our own HTTP/2 framing (WatchHttpService). */
    interface Sink {
        /** Whether another response may be sent now. */
        boolean isReady();

        void send(WatchResponse response);

        /** The end of a drain: responses the sink held back to send together may leave now. */
        void flush();

        /** Ends the stream with this status. */
        void fail(Status status);
    }

    private record ObserverSink(ServerCallStreamObserver<WatchResponse> out) implements Sink {
        @Override
        public boolean isReady() {
            return out.isReady();
        }

        @Override
        public void send(WatchResponse response) {
            out.onNext(response);
        }

        @Override
        public void flush() {
        }

        @Override
        public void fail(Status status) {
            out.onError(status.asRuntimeException());
        }
    }

    /**
     * Streams of one event loop that have something to send, drained in one task. One revision
     * wakes every stream watching it; drained together, their responses leave in one socket write
     * per connection (the flush consolidation handler flushes once after the task) instead of one
     * per stream, as grpc-go's writer coalesces them for etcd.
     */
    private static final class LoopDrains implements Runnable {
        private final Executor loop;
        private final Queue<Call> ready = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        LoopDrains(Executor loop) {
            this.loop = loop;
        }

        void add(Call call) {
            ready.add(call);
            if (scheduled.compareAndSet(false, true)) {
                loop.execute(this);
            }
        }

        @Override
        public void run() {
            // Cleared first: a call added from here on schedules another run, which may find it gone.
            scheduled.set(false);
            Call call;
            while ((call = ready.poll()) != null) {
                try (SafeCloseable ignored = call.ctx.push()) {
                    call.drain();
                }
            }
        }
    }

    /** One Watch stream: requests in, deliveries out on a serialized drain. */
    final class Call implements StreamObserver<WatchRequest> {
        private final Sink out;
        private final ServiceRequestContext ctx;
        private final LoopDrains loopDrains;
        private final AtomicInteger wip = new AtomicInteger();
        private volatile WatchStream stream;
        private boolean finished;

        /** @param ctx the call's Armeria context; null outside Armeria (drains then run on a pool) */
        private Call(Sink out, ServiceRequestContext ctx) {
            this.out = out;
            this.ctx = ctx;
            this.loopDrains = ctx == null ? null
                    : drainsByLoop.computeIfAbsent(ctx.eventLoop().withoutContext(), LoopDrains::new);
        }

        private void start() {
            stream = store.newStream(this::schedule);
        }

        /** The client went away: its watchers go, nothing more is sent. */
        void cancel() {
            finished = true;
            stream.close();
        }

        @Override
        public void onNext(WatchRequest req) {
            switch (req.getRequestUnionCase()) {
                case CREATE_REQUEST -> stream.watch(spec(req.getCreateRequest()));
                case CANCEL_REQUEST -> stream.cancel(req.getCancelRequest().getWatchId());
                case PROGRESS_REQUEST -> stream.requestProgress();
                default -> {
                    // etcd ignores requests it does not understand rather than closing the stream.
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            stream.close();
        }

        @Override
        public void onCompleted() {
            // The client closed its sending side: etcd's recvLoop returns without an error and the
            // stream keeps delivering events until the client cancels it (curl on /v3/watch relies
            // on this: its body ends right after the create request).
        }

        /** Runs a drain soon on the stream's event loop (any thread). */
        void schedule() {
            if (wip.getAndIncrement() == 0) {
                if (loopDrains != null) {
                    loopDrains.add(this);
                } else {
                    ForkJoinPool.commonPool().execute(this::drain);
                }
            }
        }

        private void drain() {
            int missed = 1;
            do {
                try {
                    drainOnce();
                } catch (RuntimeException e) {
                    finished = true;
                    stream.close();
                    try {
                        out.fail(GrpcErrors.toStatus(e));
                    } catch (RuntimeException ignored) {
                        // the call is already gone
                    }
                }
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        }

        private void drainOnce() {
            if (finished) {
                return;
            }
            try {
                while (out.isReady()) {
                    Delivery d = stream.poll();
                    if (d == null) {
                        return;
                    }
                    send(d);
                }
            } finally {
                out.flush();
            }
        }

        private void send(Delivery d) {
            WatchResponse.Builder b = WatchResponse.newBuilder().setHeader(header.apply(d.revision()))
                    .setWatchId(d.watchId());
            switch (d.kind()) {
                case CREATED -> {
                    b.setCreated(true);
                    if (d.cancelReason() != null) {
                        b.setCanceled(true).setCancelReason(d.cancelReason());
                    }
                    out.send(b.build());
                }
                case CANCELED -> out.send(b.setCanceled(true).build());
                case PROGRESS -> out.send(b.build());
                case EVENTS -> {
                    b.addAllEvents(events(d)).setCompactRevision(d.compactRevision()).setCanceled(d.isCompacted());
                    if (d.fragment()) {
                        sendFragments(b.build(), maxResponseBytes, out::send);
                    } else {
                        out.send(b.build());
                    }
                }
                default -> throw new IllegalStateException("unknown delivery " + d.kind());
            }
        }
    }

    private List<Event> events(Delivery d) {
        List<Event> in = d.events();
        if (!d.prevKv() && noneHasPrevKv(in)) {
            return in; // the common case: sent as applied, nothing to copy
        }
        List<Event> evs = new ArrayList<>(in.size());
        for (Event e : in) {
            if (!d.prevKv()) {
                evs.add(e.hasPrevKv() ? e.toBuilder().clearPrevKv().build() : e);
            } else {
                evs.add(store.withPrevKv(e));
            }
        }
        return evs;
    }

    /** A plain loop: this runs on the event loop for every delivery. */
    private static boolean noneHasPrevKv(List<Event> events) {
        for (Event e : events) {
            if (e.hasPrevKv()) {
                return false;
            }
        }
        return true;
    }

    /** etcd's request normalisation: empty key is "\0", range end "\0" means every key from key. */
    static WatchSpec spec(WatchCreateRequest c) {
        ByteString key = c.getKey().isEmpty() ? ByteString.copyFrom(new byte[] {0}) : c.getKey();
        ByteString end = c.getRangeEnd();
        if (end.isEmpty()) {
            end = null;
        } else if (end.size() == 1 && end.byteAt(0) == 0) {
            end = ByteString.EMPTY;
        }
        boolean noPut = false;
        boolean noDelete = false;
        for (WatchCreateRequest.FilterType f : c.getFiltersList()) {
            if (f == WatchCreateRequest.FilterType.NOPUT) {
                noPut = true;
            } else if (f == WatchCreateRequest.FilterType.NODELETE) {
                noDelete = true;
            }
        }
        return new WatchSpec(c.getWatchId(), key, end, c.getStartRevision(), noPut, noDelete, c.getPrevKv(),
                c.getFragment(), c.getProgressNotify());
    }

    /**
     * etcd's sendFragments: responses at or above {@code limit} with more than one event are split,
     * every part but the last marked {@code fragment}; each part holds at least one event.
     */
    static void sendFragments(WatchResponse wr, int limit, Consumer<WatchResponse> send) {
        if (wr.getSerializedSize() < limit || wr.getEventsCount() < 2) {
            send.accept(wr);
            return;
        }
        WatchResponse base = wr.toBuilder().clearEvents().setFragment(true).build();
        int baseSize = base.getSerializedSize();
        int n = wr.getEventsCount();
        int idx = 0;
        while (idx < n) {
            WatchResponse.Builder cur = base.toBuilder();
            long size = baseSize;
            int count = 0;
            while (idx < n) {
                Event ev = wr.getEvents(idx);
                int evSize = CodedOutputStream.computeMessageSize(WatchResponse.EVENTS_FIELD_NUMBER, ev);
                if (count >= 1 && size + evSize >= limit) {
                    break;
                }
                cur.addEvents(ev);
                size += evSize;
                count++;
                idx++;
            }
            if (idx == n) {
                cur.setFragment(false);
            }
            send.accept(cur.build());
        }
    }
}
