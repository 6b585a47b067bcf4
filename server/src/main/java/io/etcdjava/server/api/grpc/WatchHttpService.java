package io.etcdjava.server.api.grpc;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.etcdjava.api.etcdserverpb.WatchGrpc;
import io.etcdjava.api.etcdserverpb.WatchRequest;
import io.etcdjava.api.etcdserverpb.WatchResponse;
import io.grpc.Status;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * {@code /etcdserverpb.Watch/Watch} over gRPC, framed by us on Armeria's HTTP/2 rather than by
 * Armeria's gRPC layer, which writes one DATA frame per message and waits for each to reach the
 * socket before taking the next. Here every response a drain finds queued leaves in one DATA frame
 * (gRPC's length-prefixed messages may share frames), so one revision seen by ten watchers on a
 * stream costs one write instead of ten, as grpc-go's writer batches them for etcd. Requests and
 * the stream's life are handled by {@link WatchGrpcService}, which the JSON gateway also uses.
 *
 * <p>Flow control: at most one chunk is waiting to be consumed by the connection; until it is, the
 * stream's deliveries wait in its bounded queue (a slow reader's watchers then fall back to catch-up).
 * grpc-java interceptors do not run here; {@link CallGuard}s stand in for them.
 */
public final class WatchHttpService implements HttpService {
    private static final String METHOD = WatchGrpc.getWatchMethod().getFullMethodName();
    /** The route this service takes from Armeria's gRPC service. */
    public static final String PATH = "/" + METHOD;
    /** A drain stops adding responses to a chunk past this size; the rest go in the next one. */
    static final int CHUNK_BYTES = 64 * 1024;

    private final WatchGrpcService watches;
    private final int maxRequestMessageBytes;
    private final List<CallGuard> guards;

    /** @param guards asked before each stream opens, in order; the first refusal ends it */
    public WatchHttpService(WatchGrpcService watches, int maxRequestMessageBytes, List<CallGuard> guards) {
        this.watches = Objects.requireNonNull(watches, "watches");
        this.maxRequestMessageBytes = maxRequestMessageBytes;
        this.guards = List.copyOf(guards);
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        HttpResponse notGrpc = GrpcFrames.refuseContentType(req);
        if (notGrpc != null) {
            return notGrpc;
        }
        String encoding = req.headers().get("grpc-encoding");
        boolean gzip = "gzip".equals(encoding);
        HttpResponseWriter res = HttpResponse.streaming();
        res.write(ResponseHeaders.of(HttpStatus.OK, HttpHeaderNames.CONTENT_TYPE, GrpcFrames.CONTENT_TYPE));
        Status unsupported = GrpcFrames.unsupportedEncoding(encoding);
        if (unsupported != null) {
            end(res, unsupported);
            return res;
        }
        for (CallGuard guard : guards) {
            Status refused = guard.refuseStream(METHOD);
            if (refused != null) {
                end(res, refused);
                return res;
            }
        }
        // A watch stream lives as long as the client wants and may send any number of requests.
        ctx.setMaxRequestLength(0);
        ChunkSink sink = new ChunkSink(res);
        WatchGrpcService.Call call = watches.open(sink, ctx);
        sink.onConsumed(call::schedule);
        res.whenComplete().handle((ok, failure) -> {
            call.cancel();
            return null;
        });
        req.subscribe(new Requests(call, res, gzip), ctx.eventLoop());
        return res;
    }

    /** Trailers with the status, then the end of the response (no-op when it already ended). */
    static void end(HttpResponseWriter res, Status status) {
        if (res.tryWrite(GrpcFrames.trailers(status))) {
            res.close();
        }
    }

    /** Responses framed into one chunk per drain; one chunk at a time waits for the connection. */
    static final class ChunkSink implements WatchGrpcService.Sink {
        private final HttpResponseWriter res;
        private byte[] buf = new byte[1024];
        private int len;
        private volatile boolean waiting;
        private Runnable onConsumed = () -> { };

        ChunkSink(HttpResponseWriter res) {
            this.res = res;
        }

        /** Run (on the connection's event loop) when the chunk in flight was taken by the connection. */
        void onConsumed(Runnable r) {
            onConsumed = r;
        }

        @Override
        public boolean isReady() {
            return !waiting && len < CHUNK_BYTES && res.isOpen();
        }

        @Override
        public void send(WatchResponse response) {
            int size = response.getSerializedSize();
            ensure(GrpcFrames.PREFIX + size);
            GrpcFrames.write(response, size, buf, len);
            len += GrpcFrames.PREFIX + size;
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }

        @Override
        public void flush() {
            if (len == 0) {
                return;
            }
            HttpData chunk = HttpData.wrap(Arrays.copyOf(buf, len));
            len = 0;
            if (buf.length > CHUNK_BYTES * 2) {
                buf = new byte[1024]; // a huge response passed; do not hold its buffer
            }
            if (!res.tryWrite(chunk)) {
                return; // the client is gone; whenComplete cancels the call
            }
            waiting = true;
            res.whenConsumed().thenRun(() -> {
                waiting = false;
                onConsumed.run();
            });
        }

        @Override
        public void fail(Status status) {
            end(res, status);
        }
    }

    /** The request body: gRPC length-prefixed messages, possibly split across or sharing frames. */
    private final class Requests implements Subscriber<HttpObject> {
        private final WatchGrpcService.Call call;
        private final HttpResponseWriter res;
        private final boolean gzip;
        private Subscription subscription;
        private byte[] buf = new byte[256];
        private int len;
        private boolean failed;

        Requests(WatchGrpcService.Call call, HttpResponseWriter res, boolean gzip) {
            this.call = call;
            this.res = res;
            this.gzip = gzip;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(HttpObject obj) {
            if (obj instanceof HttpData data && !failed) {
                append(data.array());
                try {
                    deframe();
                } catch (RuntimeException e) {
                    failed = true;
                    subscription.cancel();
                    call.cancel();
                    end(res, GrpcErrors.toStatus(e));
                    return;
                }
            }
            if (!failed) {
                subscription.request(1);
            }
        }

        private void append(byte[] bytes) {
            if (len + bytes.length > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + bytes.length));
            }
            System.arraycopy(bytes, 0, buf, len, bytes.length);
            len += bytes.length;
        }

        private void deframe() {
            int pos = 0;
            while (len - pos >= GrpcFrames.PREFIX) {
                int size = GrpcFrames.messageLength(buf, pos, maxRequestMessageBytes);
                if (len - pos - GrpcFrames.PREFIX < size) {
                    break;
                }
                call.onNext(GrpcFrames.parse(WatchRequest.parser(), buf, pos + GrpcFrames.PREFIX, size, gzip,
                        maxRequestMessageBytes));
                pos += GrpcFrames.PREFIX + size;
            }
            System.arraycopy(buf, pos, buf, 0, len - pos);
            len -= pos;
        }

        @Override
        public void onError(Throwable t) {
            // The client reset the stream or the connection went away.
            call.cancel();
        }

        @Override
        public void onComplete() {
            call.onCompleted();
        }
    }
}
