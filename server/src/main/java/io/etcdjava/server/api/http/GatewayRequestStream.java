package io.etcdjava.server.api.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.HttpResponse;
import io.grpc.Metadata;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The request side of a client-streaming gateway call (Watch, LeaseKeepAlive), as etcd's
 * grpc-gateway reads it: the body is a sequence of JSON request messages, each handed to the call
 * as soon as it is complete; the end of the body is the client's half-close.
 *
 * <p>A first message that does not decode fails the whole request like a unary call (HTTP 500,
 * gRPC code 2, the call never starts); a later one only ends the sending side, and the responses
 * continue. Runs on the request's event loop; nothing here blocks.
 */
final class GatewayRequestStream implements Subscriber<HttpObject> {
    private final ServerMethodDefinition<Message, Message> method;
    private final GatewayCall<Message, Message> call;
    private final Metadata headers;
    private final int maxMessageBytes;
    private final JsonValueSplitter splitter;
    private final CompletableFuture<HttpResponse> response = new CompletableFuture<>();
    private Subscription subscription;
    private boolean started;
    private boolean stopped; // the sending side ended (error or half-close); the rest of the body is dropped

    GatewayRequestStream(ServerMethodDefinition<Message, Message> method, GatewayCall<Message, Message> call,
                         Metadata headers, int maxJsonBytes, int maxMessageBytes) {
        this.method = method;
        this.call = call;
        this.headers = headers;
        this.maxMessageBytes = maxMessageBytes;
        this.splitter = new JsonValueSplitter(maxJsonBytes, this::value);
    }

    CompletableFuture<HttpResponse> response() {
        return response;
    }

    @Override
    public void onSubscribe(Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(HttpObject obj) {
        try {
            if (!stopped && obj instanceof HttpData data && !data.isEmpty()) {
                splitter.feed(data.array());
            }
        } catch (JsonValueSplitter.TooLargeException e) {
            decodeFailed(e.getMessage());
        } finally {
            subscription.request(1);
        }
    }

    private void value(String json) {
        if (stopped) {
            return;
        }
        Message request;
        try {
            request = JsonGateway.parse(method.getMethodDescriptor(), json);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            decodeFailed(e.getMessage());
            return;
        }
        if (!started) {
            start(true);
        }
        int size = request.getSerializedSize();
        if (size > maxMessageBytes) {
            stopped = true;
            call.close(Status.RESOURCE_EXHAUSTED.withDescription(
                    "grpc: received message larger than max (" + size + " vs. " + maxMessageBytes + ")"),
                    new Metadata());
            return;
        }
        call.push(request);
    }

    private void start(boolean grpcMetadataHeader) {
        started = true;
        response.complete(call.response());
        call.startStreaming(method.getServerCallHandler(), headers, grpcMetadataHeader);
    }

    private void decodeFailed(String message) {
        stopped = true;
        if (!started) {
            // grpc-gateway returns the decoder's plain error: codes.Unknown, HTTP 500, unary shape.
            response.complete(GatewayErrors.response(Status.UNKNOWN.withDescription(message)));
        } else {
            call.halfClose();
        }
    }

    @Override
    public void onError(Throwable t) {
        // The client went away; the request context's cancellation cancels a started call.
        if (!started) {
            response.completeExceptionally(t);
        }
    }

    @Override
    public void onComplete() {
        if (stopped) {
            return;
        }
        if (!splitter.finish()) {
            decodeFailed("unexpected EOF"); // Go's words for a body cut inside a value
            return;
        }
        if (stopped) {
            return; // a trailing scalar did not decode
        }
        if (!started) {
            start(false);
        }
        stopped = true;
        call.halfClose();
    }
}
