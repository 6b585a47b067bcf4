package io.etcdjava.bench.tool;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.WatchGrpc;
import io.etcdjava.api.etcdserverpb.WatchRequest;
import io.etcdjava.api.etcdserverpb.WatchResponse;
import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.api.mvccpb.KeyValue;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class WatchLatencyTest {
    /** Answers every put with one event to every watcher created so far, before the put's reply. */
    private static final class FakeServer {
        final AtomicInteger puts = new AtomicInteger();
        final List<Watch> watches = new ArrayList<>();

        record Watch(StreamObserver<WatchResponse> out, long id) {
        }

        KVGrpc.KVImplBase kv() {
            return new KVGrpc.KVImplBase() {
                @Override
                public void put(PutRequest req, StreamObserver<PutResponse> out) {
                    long rev = puts.incrementAndGet() + 1;
                    Event e = Event.newBuilder().setType(Event.EventType.PUT).setKv(KeyValue.newBuilder()
                            .setKey(req.getKey()).setValue(req.getValue()).setModRevision(rev)).build();
                    synchronized (watches) {
                        for (Watch w : watches) {
                            w.out().onNext(WatchResponse.newBuilder().setWatchId(w.id()).addEvents(e).build());
                        }
                    }
                    out.onNext(PutResponse.getDefaultInstance());
                    out.onCompleted();
                }
            };
        }

        WatchGrpc.WatchImplBase watch() {
            return new WatchGrpc.WatchImplBase() {
                @Override
                public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> out) {
                    return new StreamObserver<>() {
                        @Override
                        public void onNext(WatchRequest r) {
                            if (r.hasCreateRequest()) {
                                synchronized (watches) {
                                    long id = watches.size();
                                    watches.add(new Watch(out, id));
                                    out.onNext(WatchResponse.newBuilder().setWatchId(id).setCreated(true).build());
                                }
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            synchronized (watches) {
                                watches.removeIf(w -> w.out() == out);
                            }
                        }

                        @Override
                        public void onCompleted() {
                        }
                    };
                }
            };
        }
    }

    private Server server;
    private ManagedChannel channel;

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void warmUpRoundsAreNeitherSampledNorCounted() throws Exception {
        FakeServer fake = new FakeServer();
        server = ServerBuilder.forPort(0).addService(fake.kv()).addService(fake.watch()).build().start();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        Cli.Options o = Cli.parse("watch-latency", "--streams=2", "--watchers-per-stream=3", "--put-total=5",
                "--put-rate=0", "--warmup=4");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();

        int rc = new WatchLatency(o).run(List.of(channel), new PrintStream(buf, true, StandardCharsets.UTF_8));

        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(rc).as(out).isZero();
        assertThat(fake.puts.get()).as("warm-up rounds plus measured rounds").isEqualTo(9);
        assertThat(out).contains("Events delivered: 30 of 30 (6 watchers x 5 puts)");
    }
}
