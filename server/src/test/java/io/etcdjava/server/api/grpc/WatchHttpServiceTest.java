package io.etcdjava.server.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpRequestWriter;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.api.etcdserverpb.WatchCreateRequest;
import io.etcdjava.api.etcdserverpb.WatchRequest;
import io.etcdjava.api.etcdserverpb.WatchResponse;
import io.etcdjava.server.api.testing.LoopbackMember;
import io.etcdjava.server.embed.EmbeddedEtcd;
import io.etcdjava.server.mvcc.MvccStore;
import io.etcdjava.server.watch.WatchableStore;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/** Our own gRPC framing of Watch: chunks of several responses, and requests as gRPC clients frame them. */
@Timeout(60)
class WatchHttpServiceTest {
    @TempDir
    static Path dir;
    static EmbeddedEtcd member;
    static ManagedChannel channel;
    static WebClient http;

    @BeforeAll
    static void start() throws Exception {
        member = LoopbackMember.startFast(dir.resolve("m.etcd"));
        int port = member.clientAddresses().get(0).getPort();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        http = WebClient.of("h2c://127.0.0.1:" + port);
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (member != null) {
            member.close();
        }
    }

    private static long put(String k) {
        return KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(k)).setValue(ByteString.copyFromUtf8("v"))
                        .build()).getHeader().getRevision();
    }

    private static WatchResponse response(long id, int events) {
        WatchResponse.Builder b = WatchResponse.newBuilder().setWatchId(id);
        for (int i = 0; i < events; i++) {
            b.addEventsBuilder().getKvBuilder().setKey(ByteString.copyFromUtf8("k" + i)).setModRevision(id);
        }
        return b.build();
    }

    private static WatchRequest create(String key, long id) {
        return WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8(key)).setWatchId(id)).build();
    }

    /** Every length-prefixed message in {@code bytes}, which must end on a message boundary. */
    private static List<WatchResponse> messages(byte[] bytes) throws IOException {
        List<WatchResponse> out = new ArrayList<>();
        int pos = 0;
        while (pos < bytes.length) {
            assertThat(bytes[pos]).as("compressed flag").isZero();
            int size = ((bytes[pos + 1] & 0xff) << 24) | ((bytes[pos + 2] & 0xff) << 16)
                    | ((bytes[pos + 3] & 0xff) << 8) | (bytes[pos + 4] & 0xff);
            out.add(WatchResponse.parseFrom(CodedInputStream.newInstance(bytes, pos + 5, size)));
            pos += 5 + size;
        }
        assertThat(pos).isEqualTo(bytes.length);
        return out;
    }

    @Test
    void responsesSentInOneDrainLeaveInOneChunkAndTheNextWaitsUntilItIsConsumed() throws Exception {
        HttpResponseWriter res = HttpResponse.streaming();
        WatchHttpService.ChunkSink sink = new WatchHttpService.ChunkSink(res);
        AtomicInteger consumed = new AtomicInteger();
        sink.onConsumed(consumed::incrementAndGet);

        List<WatchResponse> sent = List.of(response(1, 1), response(2, 3), response(3, 0));
        sent.forEach(sink::send);
        assertThat(sink.isReady()).isTrue();
        sink.flush();
        assertThat(sink.isReady()).as("a chunk is waiting for the connection").isFalse();
        sink.flush(); // nothing buffered: no empty chunk

        BlockingQueue<HttpObject> got = new LinkedBlockingQueue<>();
        res.subscribe(new Subscriber<>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(HttpObject o) {
                got.add(o);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        });
        HttpObject chunk = got.poll(10, TimeUnit.SECONDS);
        assertThat(chunk).isInstanceOf(HttpData.class);
        assertThat(messages(((HttpData) chunk).array())).containsExactlyElementsOf(sent);
        res.whenConsumed().get(10, TimeUnit.SECONDS);
        assertThat(consumed.get()).isEqualTo(1);
        assertThat(sink.isReady()).isTrue();
        assertThat(got).isEmpty();

        // A chunk is cut once it passes CHUNK_BYTES: the drain stops asking for more.
        while (sink.isReady()) {
            sink.send(response(9, 50));
        }
        sink.flush();
        HttpData big = (HttpData) got.poll(10, TimeUnit.SECONDS);
        assertThat(big.length()).isGreaterThanOrEqualTo(WatchHttpService.CHUNK_BYTES)
                .isLessThan(WatchHttpService.CHUNK_BYTES + response(9, 50).getSerializedSize() + 5);
        res.close();
    }

    @Test
    void grpcMessageIsPercentEncodedAsGrpcSpecifies() {
        assertThat(GrpcFrames.percentEncode("etcdserver: mvcc: 100% done")).isEqualTo(
                "etcdserver: mvcc: 100%25 done");
        assertThat(GrpcFrames.percentEncode("é\n")).isEqualTo("%C3%A9%0A");
    }

    /** A raw HTTP/2 stream to the Watch path: framed bytes in, response bytes and trailers out. */
    private static final class RawStream implements Subscriber<HttpObject> {
        final HttpRequestWriter req;
        final CompletableFuture<ResponseHeaders> headers = new CompletableFuture<>();
        final CompletableFuture<HttpHeaders> trailers = new CompletableFuture<>();
        final BlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        RawStream(String contentType, String encoding) {
            RequestHeaders h = encoding == null
                    ? RequestHeaders.of(HttpMethod.POST, WatchHttpService.PATH, HttpHeaderNames.CONTENT_TYPE,
                            contentType, HttpHeaderNames.TE, "trailers")
                    : RequestHeaders.of(HttpMethod.POST, WatchHttpService.PATH, HttpHeaderNames.CONTENT_TYPE,
                            contentType, HttpHeaderNames.TE, "trailers", "grpc-encoding", encoding);
            req = HttpRequest.streaming(h);
            http.execute(req).subscribe(this);
        }

        @Override
        public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(HttpObject o) {
            if (o instanceof ResponseHeaders h && !headers.isDone()) {
                headers.complete(h);
            } else if (o instanceof HttpHeaders t) {
                trailers.complete(t);
            } else if (o instanceof HttpData d) {
                pending.writeBytes(d.array());
                byte[] b = pending.toByteArray();
                int pos = 0;
                while (b.length - pos >= 5) {
                    int size = ((b[pos + 1] & 0xff) << 24) | ((b[pos + 2] & 0xff) << 16)
                            | ((b[pos + 3] & 0xff) << 8) | (b[pos + 4] & 0xff);
                    if (b.length - pos - 5 < size) {
                        break;
                    }
                    try {
                        responses.add(WatchResponse.parseFrom(CodedInputStream.newInstance(b, pos + 5, size)));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    pos += 5 + size;
                }
                pending.reset();
                pending.write(b, pos, b.length - pos);
            }
        }

        @Override
        public void onError(Throwable t) {
            headers.completeExceptionally(t);
            trailers.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            trailers.complete(HttpHeaders.of());
        }

        WatchResponse next() throws InterruptedException {
            WatchResponse r = responses.poll(10, TimeUnit.SECONDS);
            assertThat(r).as("a watch response within 10 s").isNotNull();
            return r;
        }
    }

    @Test
    void requestsSharingAFrameOrSplitAcrossFramesAreAllServed() throws Exception {
        RawStream s = new RawStream("application/grpc", null);
        byte[] a = TestFrames.frame(false, create("raw-a", 11).toByteArray());
        byte[] b = TestFrames.frame(false, create("raw-b", 12).toByteArray());
        byte[] c = TestFrames.frame(false, create("raw-c", 13).toByteArray());
        byte[] ab = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, ab, a.length, b.length);
        s.req.write(HttpData.wrap(ab));
        s.req.write(HttpData.wrap(Arrays.copyOfRange(c, 0, 3))); // inside the 5-byte prefix
        s.req.write(HttpData.wrap(Arrays.copyOfRange(c, 3, c.length)));

        List<Long> created = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            WatchResponse r = s.next();
            assertThat(r.getCreated()).isTrue();
            created.add(r.getWatchId());
        }
        assertThat(created).containsExactly(11L, 12L, 13L);
        assertThat(s.headers.get(10, TimeUnit.SECONDS).contentType().toString()).startsWith("application/grpc");

        long rev = put("raw-c");
        WatchResponse ev = s.next();
        assertThat(ev.getWatchId()).isEqualTo(13);
        assertThat(ev.getEvents(0).getKv().getModRevision()).isEqualTo(rev);
        s.req.close(); // half-close: events keep coming, as etcd does
        long rev2 = put("raw-a");
        WatchResponse ev2 = s.next();
        assertThat(ev2.getWatchId()).isEqualTo(11);
        assertThat(ev2.getHeader().getRevision()).isEqualTo(rev2);
    }

    @Test
    void aGzipCompressedRequestIsAccepted() throws Exception {
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(z)) {
            gz.write(create("raw-gz", 21).toByteArray());
        }
        RawStream s = new RawStream("application/grpc+proto", "gzip");
        s.req.write(HttpData.wrap(TestFrames.frame(true, z.toByteArray())));
        WatchResponse r = s.next();
        assertThat(r.getCreated()).isTrue();
        assertThat(r.getWatchId()).isEqualTo(21);
        s.req.abort();
    }

    @Test
    void anOversizedMessageEndsTheStreamWithResourceExhausted() throws Exception {
        RawStream s = new RawStream("application/grpc", null);
        byte[] prefix = {0, 0x7f, 0, 0, 0}; // claims ~2 GiB
        s.req.write(HttpData.wrap(prefix));
        HttpHeaders t = s.trailers.get(10, TimeUnit.SECONDS);
        assertThat(t.get("grpc-status")).isEqualTo("8");
        assertThat(t.get("grpc-message")).contains("received message larger than max");
    }

    @Test
    void aGarbledMessageEndsTheStreamWithInternal() throws Exception {
        RawStream s = new RawStream("application/grpc", null);
        s.req.write(HttpData.wrap(TestFrames.frame(false, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff})));
        HttpHeaders t = s.trailers.get(10, TimeUnit.SECONDS);
        assertThat(t.get("grpc-status")).isEqualTo("13");
    }

    @Test
    void aGuardsRefusalEndsTheStreamWithItsStatusLikeTheLearnerInterceptor() throws Exception {
        try (MvccStore mvcc = MvccStore.open(dir.resolve("guard-db"));
             WatchableStore store = WatchableStore.open(mvcc, WatchableStore.Options.DEFAULT, null)) {
            WatchGrpcService watches = new WatchGrpcService(store, rev -> ResponseHeader.getDefaultInstance(), 1 << 20);
            HttpRequest req = HttpRequest.of(RequestHeaders.of(HttpMethod.POST, WatchHttpService.PATH,
                    HttpHeaderNames.CONTENT_TYPE, "application/grpc"));
            AtomicInteger asked = new AtomicInteger();
            CallGuard lets = method -> {
                asked.incrementAndGet();
                assertThat(method).isEqualTo("etcdserverpb.Watch/Watch");
                return null;
            };
            WatchHttpService learner = new WatchHttpService(watches, 1 << 20,
                    List.of(lets, new LearnerGuard(() -> true)));
            AggregatedHttpResponse r = learner.serve(ServiceRequestContext.of(req), req).aggregate()
                    .get(10, TimeUnit.SECONDS);
            assertThat(asked.get()).isEqualTo(1);
            assertThat(r.trailers().get("grpc-status")).isEqualTo("14");
            assertThat(r.trailers().get("grpc-message")).isEqualTo("etcdserver: rpc not supported for learner");
        }
    }

    @Test
    void anUnknownEncodingIsUnimplementedAndANonGrpcContentTypeIsRefused() throws Exception {
        RawStream s = new RawStream("application/grpc", "snappy");
        HttpHeaders t = s.trailers.get(10, TimeUnit.SECONDS);
        assertThat(t.get("grpc-status")).isEqualTo("12");
        assertThat(t.get("grpc-message")).contains("snappy");

        RawStream json = new RawStream("application/json", null);
        assertThat(json.headers.get(10, TimeUnit.SECONDS).status().code()).isEqualTo(415);
    }
}
