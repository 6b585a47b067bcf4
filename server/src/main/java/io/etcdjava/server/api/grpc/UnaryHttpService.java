package io.etcdjava.server.api.grpc;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.etcdjava.api.etcdserverpb.CompactionRequest;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.server.etcdserver.KvService;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One unary gRPC method, framed by us on Armeria's HTTP/2 rather than by Armeria's gRPC layer: the
 * request is aggregated, its one message parsed, the member called, and the answer leaves as headers,
 * one DATA frame and trailers. Armeria's per-call gRPC machinery (call objects, listeners, metadata
 * copies, deframer and marshaller streams) is skipped: the leader's event loops use 4-7 us less per
 * put (bench/README.md, session 12).
 * Statuses and texts are those of the gRPC layer it replaces; the JSON gateway keeps using the gRPC
 * service definitions. grpc-java interceptors do not run here; {@link CallGuard}s stand in for them.
 */
public final class UnaryHttpService<Q extends MessageLite, R extends MessageLite> implements HttpService {
    private static final ResponseHeaders OK_HEADERS =
            ResponseHeaders.of(HttpStatus.OK, HttpHeaderNames.CONTENT_TYPE, GrpcFrames.CONTENT_TYPE);
    private static final HttpHeaders OK_TRAILERS = GrpcFrames.trailers(Status.OK);

    private final MethodDescriptor<Q, R> method;
    private final Parser<Q> parser;
    private final Function<Q, CompletableFuture<R>> call;
    private final int maxRequestMessageBytes;
    private final List<CallGuard> guards;

    /**
     * @param call answers a parsed request; its failures become statuses as {@link GrpcErrors} says
     * @param guards asked before each call, in order; the first refusal ends it
     */
    public UnaryHttpService(MethodDescriptor<Q, R> method, Parser<Q> parser, Function<Q, CompletableFuture<R>> call,
                            int maxRequestMessageBytes, List<CallGuard> guards) {
        if (method.getType() != MethodDescriptor.MethodType.UNARY) {
            throw new IllegalArgumentException("not a unary method: " + method.getFullMethodName());
        }
        this.method = method;
        this.parser = Objects.requireNonNull(parser, "parser");
        this.call = Objects.requireNonNull(call, "call");
        this.maxRequestMessageBytes = maxRequestMessageBytes;
        this.guards = List.copyOf(guards);
    }

    /** etcd's KV service (Range, Put, DeleteRange, Txn, Compact) over {@code kv}. */
    public static List<UnaryHttpService<?, ?>> kv(KvService kv, int maxRequestMessageBytes, List<CallGuard> guards) {
        return List.of(
                new UnaryHttpService<>(KVGrpc.getRangeMethod(), RangeRequest.parser(), kv::range,
                        maxRequestMessageBytes, guards),
                new UnaryHttpService<>(KVGrpc.getPutMethod(), PutRequest.parser(), kv::put,
                        maxRequestMessageBytes, guards),
                new UnaryHttpService<>(KVGrpc.getDeleteRangeMethod(), DeleteRangeRequest.parser(), kv::deleteRange,
                        maxRequestMessageBytes, guards),
                new UnaryHttpService<>(KVGrpc.getTxnMethod(), TxnRequest.parser(), kv::txn,
                        maxRequestMessageBytes, guards),
                new UnaryHttpService<>(KVGrpc.getCompactMethod(), CompactionRequest.parser(), kv::compact,
                        maxRequestMessageBytes, guards));
    }

    /** The route this service takes, e.g. {@code /etcdserverpb.KV/Put}. */
    public String path() {
        return "/" + method.getFullMethodName();
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        HttpResponse notGrpc = GrpcFrames.refuseContentType(req);
        if (notGrpc != null) {
            return notGrpc;
        }
        String encoding = req.headers().get("grpc-encoding");
        Status unsupported = GrpcFrames.unsupportedEncoding(encoding);
        if (unsupported != null) {
            req.abort();
            return failure(unsupported);
        }
        boolean gzip = "gzip".equals(encoding);
        return HttpResponse.of(req.aggregate().handle((body, failure) -> {
            if (failure != null) {
                return CompletableFuture.completedFuture(failure(readFailure(failure)));
            }
            return answer(body.content(), gzip);
        }).thenCompose(Function.identity()));
    }

    private CompletableFuture<HttpResponse> answer(HttpData body, boolean gzip) {
        Q request;
        try {
            request = read(body.array(), gzip);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(failure(GrpcErrors.toStatus(e)));
        }
        for (CallGuard guard : guards) {
            Status refused = guard.refuseUnary(method.getFullMethodName(), request);
            if (refused != null) {
                return CompletableFuture.completedFuture(failure(refused));
            }
        }
        CompletableFuture<R> answer;
        try {
            answer = call.apply(request);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(failure(GrpcErrors.toStatus(e)));
        }
        if (answer == null) {
            return CompletableFuture.completedFuture(failure(Status.UNKNOWN.withDescription("no response")));
        }
        return answer.handle((response, failure) -> failure != null
                ? failure(GrpcErrors.toStatus(failure))
                : HttpResponse.of(OK_HEADERS, HttpData.wrap(GrpcFrames.frame(response)), OK_TRAILERS));
    }

    /** The one message of a unary request body; the texts are grpc-java's, as before this transport. */
    private Q read(byte[] body, boolean gzip) {
        if (body.length == 0) {
            throw Status.INTERNAL.withDescription("Half-closed without a request").asRuntimeException();
        }
        if (body.length < GrpcFrames.PREFIX) {
            throw Status.INTERNAL.withDescription("Encountered end-of-stream mid-frame").asRuntimeException();
        }
        int size = GrpcFrames.messageLength(body, 0, maxRequestMessageBytes);
        int end = GrpcFrames.PREFIX + size;
        if (body.length < end) {
            throw Status.INTERNAL.withDescription("Encountered end-of-stream mid-frame").asRuntimeException();
        }
        if (body.length > end) {
            throw Status.INTERNAL.withDescription("Too many requests").asRuntimeException();
        }
        return GrpcFrames.parse(parser, body, GrpcFrames.PREFIX, size, gzip, maxRequestMessageBytes);
    }

    /** Why the body could not be read: too large for the HTTP limit, or the client went away. */
    private Status readFailure(Throwable failure) {
        Throwable t = GrpcErrors.unwrap(failure);
        if (t instanceof ContentTooLargeException e) {
            long size = e.contentLength() >= 0 ? e.contentLength() : e.transferred();
            return Status.RESOURCE_EXHAUSTED.withDescription("grpc: received message larger than max ("
                    + size + " vs. " + maxRequestMessageBytes + ")");
        }
        return Status.CANCELLED.withDescription("the request was not received in full");
    }

    private static HttpResponse failure(Status status) {
        return HttpResponse.of(GrpcFrames.trailersOnly(status));
    }
}
