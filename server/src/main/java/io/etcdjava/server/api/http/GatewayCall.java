package io.etcdjava.server.api.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.etcdjava.server.api.grpc.GrpcErrors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;

/**
 * One gateway request as an in-process gRPC server call: the method handler sees an ordinary
 * {@link ServerCall}; what it sends back becomes the HTTP response. A unary response is one JSON
 * object; a streamed one is grpc-gateway's newline-delimited {"result":...} chunks.
 *
 * <p>Flow control: {@link #isReady()} turns false once {@link #WINDOW} chunks wait unconsumed in
 * the HTTP response, and the handler's {@code onReady} runs when the connection took them, so a
 * client that stops reading holds at most a window of chunks here (watchers then fall back to
 * catching up from the store, as on the gRPC port).
 */
final class GatewayCall<ReqT extends Message, RespT extends Message> extends ServerCall<ReqT, RespT> {
    private final MethodDescriptor<ReqT, RespT> method;
    private final ServiceRequestContext ctx;
    private final JsonFormat.Printer printer;
    private final boolean unary;
    private final CompletableFuture<HttpResponse> unaryResponse = new CompletableFuture<>();
    private final HttpResponseWriter stream;
    private volatile boolean cancelled;
    private volatile Listener<ReqT> listener;
    private RespT single; // guarded by this
    private boolean wroteHeaders; // guarded by this
    private boolean closed; // guarded by this
    private boolean grpcMetadataHeader = true; // guarded by this
    private int unconsumed; // guarded by this
    private boolean awaitingConsumption; // guarded by this
    static final int WINDOW = 16;

    GatewayCall(MethodDescriptor<ReqT, RespT> method, ServiceRequestContext ctx, JsonFormat.Printer printer) {
        this.method = method;
        this.ctx = ctx;
        this.printer = printer;
        this.unary = method.getType().serverSendsOneMessage();
        this.stream = unary ? null : HttpResponse.streaming();
    }

    HttpResponse response() {
        return unary ? HttpResponse.of(unaryResponse) : stream;
    }

    void start(ServerCallHandler<ReqT, RespT> handler, Metadata headers, ReqT request) {
        try {
            Listener<ReqT> listener = handler.startCall(this, headers);
            this.listener = listener;
            ctx.whenRequestCancelling().thenRun(() -> {
                cancelled = true;
                listener.onCancel();
            });
            listener.onReady();
            listener.onMessage(request);
            listener.onHalfClose();
        } catch (RuntimeException e) {
            close(GrpcErrors.toStatus(e), new Metadata());
        }
    }

    /**
     * Starts a call whose request messages are {@link #push pushed} as the body is decoded.
     *
     * @param grpcMetadataHeader whether the response carries grpc-metadata-content-type, as etcd's
     *     gateway does only once it read a first request message and waited for the server's headers
     */
    void startStreaming(ServerCallHandler<ReqT, RespT> handler, Metadata headers, boolean grpcMetadataHeader) {
        synchronized (this) {
            this.grpcMetadataHeader = grpcMetadataHeader;
        }
        try {
            Listener<ReqT> listener = handler.startCall(this, headers);
            this.listener = listener;
            ctx.whenRequestCancelling().thenRun(() -> {
                cancelled = true;
                listener.onCancel();
            });
            listener.onReady();
        } catch (RuntimeException e) {
            close(GrpcErrors.toStatus(e), new Metadata());
        }
    }

    /** One more request message of a streaming call (decoding thread only). */
    void push(ReqT request) {
        Listener<ReqT> l = listener;
        if (l == null || isClosed()) {
            return;
        }
        try {
            l.onMessage(request);
        } catch (RuntimeException e) {
            close(GrpcErrors.toStatus(e), new Metadata());
        }
    }

    /** The request body ended: the client's half-close. */
    void halfClose() {
        Listener<ReqT> l = listener;
        if (l == null || isClosed()) {
            return;
        }
        try {
            l.onHalfClose();
        } catch (RuntimeException e) {
            close(GrpcErrors.toStatus(e), new Metadata());
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public void request(int numMessages) {
        // Request messages are pushed as they are decoded; the body's own flow control bounds them.
    }

    @Override
    public synchronized boolean isReady() {
        return !closed && unconsumed < WINDOW;
    }

    @Override
    public void sendHeaders(Metadata headers) {
    }

    @Override
    public synchronized void sendMessage(RespT message) {
        if (closed) {
            return;
        }
        if (unary) {
            single = message;
            return;
        }
        String chunk;
        try {
            chunk = "{\"result\":" + printer.print(message) + "}\n";
        } catch (InvalidProtocolBufferException e) {
            closeStream(Status.INTERNAL.withDescription(e.getMessage()));
            return;
        }
        writeStreamHeaders(HttpStatus.OK);
        stream.tryWrite(HttpData.ofUtf8(chunk));
        if (++unconsumed >= WINDOW && !awaitingConsumption) {
            awaitingConsumption = true;
            stream.whenConsumed().thenRun(this::consumed);
        }
    }

    /** The connection took what was written: the handler may send again. */
    private void consumed() {
        Listener<ReqT> l;
        synchronized (this) {
            awaitingConsumption = false;
            unconsumed = 0;
            if (closed) {
                return;
            }
            l = listener;
        }
        if (l != null) {
            l.onReady();
        }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
        if (closed) {
            return;
        }
        if (unary) {
            closed = true;
            unaryResponse.complete(unaryResponse(status));
        } else {
            closeStream(status);
        }
        Listener<ReqT> l = listener;
        if (status.isOk() && l != null) {
            l.onComplete();
        }
    }

    private HttpResponse unaryResponse(Status status) {
        if (!status.isOk()) {
            return GatewayErrors.response(status);
        }
        if (single == null) {
            return GatewayErrors.response(Status.INTERNAL.withDescription("no response message"));
        }
        try {
            return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK)
                    .contentType(MediaType.JSON)
                    .add("grpc-metadata-content-type", "application/grpc")
                    .build(), HttpData.ofUtf8(printer.print(single)));
        } catch (InvalidProtocolBufferException e) {
            return GatewayErrors.response(Status.INTERNAL.withDescription(e.getMessage()));
        }
    }

    private void closeStream(Status status) {
        closed = true;
        if (!status.isOk()) {
            writeStreamHeaders(HttpStatus.valueOf(GatewayErrors.httpStatus(status.getCode())));
            stream.tryWrite(HttpData.ofUtf8(GatewayErrors.streamChunk(status)));
        } else {
            writeStreamHeaders(HttpStatus.OK);
        }
        stream.close();
    }

    private void writeStreamHeaders(HttpStatus status) {
        if (!wroteHeaders) {
            wroteHeaders = true;
            ResponseHeadersBuilder h = ResponseHeaders.builder(status).contentType(MediaType.JSON);
            if (grpcMetadataHeader) {
                h.add("grpc-metadata-content-type", "application/grpc");
            }
            stream.tryWrite(h.build());
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
        return method;
    }

    @Override
    public String getAuthority() {
        return ctx.request().authority();
    }
}
