package io.etcdjava.server.api.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
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
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
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
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        // Drain on the stream's own event loop: sends need no further hop, and a drain only reads
        // memory (and the store for a catch-up prev_kv), never waits.
        Executor executor = ctx != null ? ctx.eventLoop() : ForkJoinPool.commonPool();
        Call call = new Call((ServerCallStreamObserver<WatchResponse>) responses, executor);
        call.start();
        return call;
    }

    /** One Watch stream: requests in, deliveries out on a serialized drain. */
    private final class Call implements StreamObserver<WatchRequest> {
        private final ServerCallStreamObserver<WatchResponse> out;
        private final Executor executor;
        private final AtomicInteger wip = new AtomicInteger();
        private volatile WatchStream stream;
        private boolean finished;

        Call(ServerCallStreamObserver<WatchResponse> out, Executor executor) {
            this.out = out;
            this.executor = executor;
        }

        void start() {
            stream = store.newStream(this::schedule);
            out.setOnReadyHandler(this::schedule);
            out.setOnCancelHandler(() -> {
                finished = true;
                stream.close();
            });
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

        private void schedule() {
            if (wip.getAndIncrement() == 0) {
                executor.execute(this::drain);
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
                        out.onError(GrpcErrors.toStatus(e).asRuntimeException());
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
            while (out.isReady()) {
                Delivery d = stream.poll();
                if (d == null) {
                    return;
                }
                send(d);
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
                    out.onNext(b.build());
                }
                case CANCELED -> out.onNext(b.setCanceled(true).build());
                case PROGRESS -> out.onNext(b.build());
                case EVENTS -> {
                    b.addAllEvents(events(d)).setCompactRevision(d.compactRevision()).setCanceled(d.isCompacted());
                    if (d.fragment()) {
                        sendFragments(b.build(), maxResponseBytes, out::onNext);
                    } else {
                        out.onNext(b.build());
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
