package io.etcdjava.server.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.server.api.ClientServer;
import io.etcdjava.server.api.testing.FakeKvService;
import io.etcdjava.server.api.testing.FakeMemberStatus;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.metrics.Metrics;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Our own gRPC framing of unary calls: what a gRPC client sends in, statuses and messages out. */
@Timeout(60)
class UnaryHttpServiceTest {
    private static final int MAX = 1024;
    private static final PutResponse ANSWER = PutResponse.newBuilder()
            .setHeader(ResponseHeader.newBuilder().setRevision(42).setMemberId(7)).build();

    private final List<PutRequest> seen = new ArrayList<>();

    private UnaryHttpService<PutRequest, PutResponse> put(Function<PutRequest, CompletableFuture<PutResponse>> call,
                                                          CallGuard... guards) {
        return new UnaryHttpService<>(KVGrpc.getPutMethod(), PutRequest.parser(), r -> {
            seen.add(r);
            return call.apply(r);
        }, MAX, List.of(guards));
    }

    private UnaryHttpService<PutRequest, PutResponse> answering() {
        return put(r -> CompletableFuture.completedFuture(ANSWER));
    }

    private static PutRequest request(String key) {
        return PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v")).build();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static AggregatedHttpResponse call(UnaryHttpService<?, ?> service, String contentType, String encoding,
                                               byte[] body) throws Exception {
        RequestHeaders headers = encoding == null
                ? RequestHeaders.of(HttpMethod.POST, service.path(), HttpHeaderNames.CONTENT_TYPE, contentType)
                : RequestHeaders.of(HttpMethod.POST, service.path(), HttpHeaderNames.CONTENT_TYPE, contentType,
                        "grpc-encoding", encoding);
        HttpRequest req = HttpRequest.of(headers, HttpData.wrap(body));
        return service.serve(ServiceRequestContext.of(req), req).aggregate().get(10, TimeUnit.SECONDS);
    }

    /** grpc-status and grpc-message, from the trailers or, for a trailers-only answer, the headers. */
    private static HttpHeaders status(AggregatedHttpResponse r) {
        return r.trailers().contains("grpc-status") ? r.trailers() : r.headers();
    }

    @Test
    void aRequestGetsOneFramedResponseAndStatusZero() throws Exception {
        AggregatedHttpResponse r = call(answering(), "application/grpc", null, TestFrames.frame(false, request("k").toByteArray()));

        assertThat(seen).containsExactly(request("k"));
        assertThat(r.headers().status().code()).isEqualTo(200);
        assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/grpc+proto");
        assertThat(r.content().array()).isEqualTo(TestFrames.frame(false, ANSWER.toByteArray()));
        assertThat(r.trailers().get("grpc-status")).isEqualTo("0");
        assertThat(UnaryHttpService.kv(new FakeKvService(), MAX, List.of())).extracting(UnaryHttpService::path)
                .containsExactly("/etcdserverpb.KV/Range", "/etcdserverpb.KV/Put", "/etcdserverpb.KV/DeleteRange",
                        "/etcdserverpb.KV/Txn", "/etcdserverpb.KV/Compact");
    }

    @Test
    void aGzipCompressedRequestIsRead() throws Exception {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
            gz.write(request("zipped").toByteArray());
        }
        AggregatedHttpResponse r = call(answering(), "application/grpc+proto", "gzip", TestFrames.frame(true, zipped.toByteArray()));

        assertThat(status(r).get("grpc-status")).isEqualTo("0");
        assertThat(seen).containsExactly(request("zipped"));
    }

    @Test
    void badFramesAreRefusedWithGrpcsStatusesAndNeverReachTheMember() throws Exception {
        byte[] one = TestFrames.frame(false, request("k").toByteArray());
        assertRefused(call(answering(), "application/grpc", null, new byte[0]),
                13, "Half-closed without a request");
        assertRefused(call(answering(), "application/grpc", null, new byte[] {0, 0, 0}),
                13, "Encountered end-of-stream mid-frame");
        assertRefused(call(answering(), "application/grpc", null, Arrays.copyOf(one, one.length - 1)),
                13, "Encountered end-of-stream mid-frame");
        assertRefused(call(answering(), "application/grpc", null, concat(one, one)), 13, "Too many requests");
        assertRefused(call(answering(), "application/grpc", null, TestFrames.frame(true, request("k").toByteArray())),
                13, "grpc: compressed flag set with identity or empty encoding");
        assertRefused(call(answering(), "application/grpc", null, TestFrames.frame(false, new byte[] {(byte) 0xff, 1})),
                13, "grpc: failed to unmarshal the received message: ");
        assertRefused(call(answering(), "application/grpc", null, TestFrames.frame(false, new byte[MAX + 1])),
                8, "grpc: received message larger than max (" + (MAX + 1) + " vs. " + MAX + ")");
        assertRefused(call(answering(), "application/grpc", "snappy", one),
                12, "grpc: Decompressor is not installed for grpc-encoding \"snappy\"");

        AggregatedHttpResponse json = call(answering(), "application/json", null, one);
        assertThat(json.headers().status().code()).isEqualTo(415);
        assertThat(seen).isEmpty();
    }

    private static void assertRefused(AggregatedHttpResponse r, int code, String messagePrefix) {
        assertThat(r.headers().status().code()).isEqualTo(200);
        assertThat(status(r).get("grpc-status")).isEqualTo(Integer.toString(code));
        assertThat(status(r).get("grpc-message")).startsWith(GrpcFrames.percentEncode(messagePrefix));
    }

    @Test
    void theMembersFailuresKeepEtcdsCodeAndMessageAndOthersAreUnknown() throws Exception {
        byte[] one = TestFrames.frame(false, request("k").toByteArray());
        AggregatedHttpResponse etcd = call(put(r -> CompletableFuture.failedFuture(EtcdError.NO_LEADER.exception())),
                "application/grpc", null, one);
        assertThat(status(etcd).get("grpc-status")).isEqualTo("14");
        assertThat(status(etcd).get("grpc-message")).isEqualTo("etcdserver: no leader");

        AggregatedHttpResponse thrown = call(put(r -> {
            throw new IllegalStateException("boom");
        }), "application/grpc", null, one);
        assertThat(status(thrown).get("grpc-status")).isEqualTo("2");
        assertThat(status(thrown).get("grpc-message")).isEqualTo("boom");
    }

    @Test
    void aLearnerRefusesPutButServesSerializableRangeLikeItsInterceptor() throws Exception {
        AggregatedHttpResponse refused = call(answering(new LearnerGuard(() -> true)), "application/grpc", null,
                TestFrames.frame(false, request("k").toByteArray()));
        assertThat(status(refused).get("grpc-status")).isEqualTo("14");
        assertThat(status(refused).get("grpc-message")).isEqualTo("etcdserver: rpc not supported for learner");
        assertThat(seen).isEmpty();

        RangeRequest serializable = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
                .setSerializable(true).build();
        UnaryHttpService<RangeRequest, RangeResponse> range = new UnaryHttpService<>(KVGrpc.getRangeMethod(),
                RangeRequest.parser(), r -> CompletableFuture.completedFuture(RangeResponse.getDefaultInstance()),
                MAX, List.of(new LearnerGuard(() -> true)));
        assertThat(status(call(range, "application/grpc", null, TestFrames.frame(false, serializable.toByteArray())))
                .get("grpc-status")).isEqualTo("0");
        assertThat(status(call(range, "application/grpc", null,
                TestFrames.frame(false, serializable.toBuilder().setSerializable(false).build().toByteArray())))
                .get("grpc-status")).isEqualTo("14");
    }

    private UnaryHttpService<PutRequest, PutResponse> answering(CallGuard guard) {
        return put(r -> CompletableFuture.completedFuture(ANSWER), guard);
    }

    @Test
    void theClientPortServesKvHereOnlyWhileEveryInterceptorIsAGuard() throws Exception {
        AtomicReference<String> guarded = new AtomicReference<>();
        GuardInterceptor guard = new GuardInterceptor(guarded);
        assertThat(putThrough(guard)).isPositive();
        assertThat(guarded.get()).as("asked as a guard, on our transport").isEqualTo("etcdserverpb.KV/Put");

        AtomicReference<String> intercepted = new AtomicReference<>();
        ServerInterceptor plain = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                intercepted.set(call.getMethodDescriptor().getFullMethodName());
                return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) { }, headers);
            }
        };
        assertThat(putThrough(plain)).isPositive();
        assertThat(intercepted.get()).as("a plain interceptor keeps grpc-java's chain").isEqualTo("etcdserverpb.KV/Put");
    }

    /** A guard that is also an interceptor, as LearnerGuard; records what it was asked as a guard. */
    private static final class GuardInterceptor implements CallGuard, ServerInterceptor {
        private final AtomicReference<String> asked;

        GuardInterceptor(AtomicReference<String> asked) {
            this.asked = asked;
        }

        @Override
        public Status refuseStream(String fullMethodName) {
            return null;
        }

        @Override
        public Status refuseUnary(String fullMethodName, Object request) {
            asked.set(fullMethodName);
            return null;
        }

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                          ServerCallHandler<Q, R> next) {
            return next.startCall(call, headers);
        }
    }

    /** One put through a client server with {@code interceptor}; the revision it answered. */
    private static long putThrough(ServerInterceptor interceptor) throws IOException, InterruptedException {
        FakeKvService kv = new FakeKvService();
        ClientServer server = ClientServer.builder().listen("127.0.0.1", 0).kvService(kv)
                .memberStatus(new FakeMemberStatus(kv)).metrics(Metrics.create()).interceptor(interceptor)
                .ioThreads(1).build();
        server.start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try {
            return KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .put(request("through")).getHeader().getRevision();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.stop();
        }
    }
}
