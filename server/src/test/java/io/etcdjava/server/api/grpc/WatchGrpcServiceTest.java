package io.etcdjava.server.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.CompactionRequest;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.WatchCancelRequest;
import io.etcdjava.api.etcdserverpb.WatchCreateRequest;
import io.etcdjava.api.etcdserverpb.WatchGrpc;
import io.etcdjava.api.etcdserverpb.WatchProgressRequest;
import io.etcdjava.api.etcdserverpb.WatchRequest;
import io.etcdjava.api.etcdserverpb.WatchResponse;
import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.server.api.testing.LoopbackMember;
import io.etcdjava.server.embed.EmbeddedEtcd;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Watch service through our generated stubs against an embedded member. */
@Timeout(60)
class WatchGrpcServiceTest {
    @TempDir
    static Path dir;
    static EmbeddedEtcd member;
    static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        member = LoopbackMember.startFast(dir.resolve("m.etcd"));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", member.clientAddresses().get(0).getPort())
                .usePlaintext().maxInboundMessageSize(16 << 20).build();
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

    private static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static KVGrpc.KVBlockingStub kv() {
        return KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static long put(String k, ByteString v) {
        return kv().put(PutRequest.newBuilder().setKey(bs(k)).setValue(v).build()).getHeader().getRevision();
    }

    private static long put(String k, String v) {
        return put(k, bs(v));
    }

    /** One client Watch stream. */
    static final class Stream implements AutoCloseable {
        final BlockingQueue<Object> in = new LinkedBlockingQueue<>();
        final StreamObserver<WatchRequest> out;

        Stream() {
            out = WatchGrpc.newStub(channel).watch(new StreamObserver<>() {
                @Override
                public void onNext(WatchResponse r) {
                    in.add(r);
                }

                @Override
                public void onError(Throwable t) {
                    in.add(t);
                }

                @Override
                public void onCompleted() {
                    in.add("completed");
                }
            });
        }

        Stream create(WatchCreateRequest.Builder c) {
            out.onNext(WatchRequest.newBuilder().setCreateRequest(c).build());
            return this;
        }

        WatchResponse next() throws InterruptedException {
            Object o = in.poll(10, TimeUnit.SECONDS);
            assertThat(o).as("a response within 10 s").isInstanceOf(WatchResponse.class);
            return (WatchResponse) o;
        }

        /** Responses until {@code n} events arrived. */
        List<Event> events(int n) throws InterruptedException {
            List<Event> evs = new ArrayList<>();
            while (evs.size() < n) {
                evs.addAll(next().getEventsList());
            }
            return evs;
        }

        @Override
        public void close() {
            ((ClientCallStreamObserver<WatchRequest>) out).cancel("test done", null);
        }
    }

    @Test
    void aStreamThatNeverReadsFallsBackToCatchUpWhileAnotherStreamKeepsReceiving() throws Exception {
        // Its own connection: an unread stream must not stall the other one's connection window.
        ManagedChannel slowChannel = NettyChannelBuilder.forAddress("127.0.0.1",
                member.clientAddresses().get(0).getPort()).usePlaintext().maxInboundMessageSize(16 << 20).build();
        BlockingQueue<WatchResponse> slowIn = new LinkedBlockingQueue<>();
        ClientCallStreamObserver<WatchRequest>[] slowReq = new ClientCallStreamObserver[1];
        StreamObserver<WatchRequest> slowOut = WatchGrpc.newStub(slowChannel).watch(
                new io.grpc.stub.ClientResponseObserver<WatchRequest, WatchResponse>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<WatchRequest> r) {
                        slowReq[0] = r;
                        r.disableAutoRequestWithInitial(1); // the created answer, then nothing
                    }

                    @Override
                    public void onNext(WatchResponse r) {
                        slowIn.add(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        try (Stream fast = new Stream()) {
            slowOut.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                    .setKey(bs("slow/k"))).build());
            assertThat(slowIn.poll(10, TimeUnit.SECONDS)).isNotNull().matches(WatchResponse::getCreated);
            assertThat(fast.create(WatchCreateRequest.newBuilder().setKey(bs("slow/k"))).next().getCreated())
                    .isTrue();
            ByteString big = ByteString.copyFrom(new byte[64 * 1024]);
            int n = 300; // ~19 MiB: far beyond the HTTP/2 windows and the 128-message stream buffer
            long first = 0;
            for (int i = 0; i < n; i++) {
                long rev = put("slow/k", big);
                first = first == 0 ? rev : first;
            }
            List<Event> fastEvents = fast.events(n);
            assertThat(fastEvents).extracting(e -> e.getKv().getModRevision())
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(first, first + n).boxed().toList());
            assertThat(metric("etcd_debugging_mvcc_slow_watcher_total")).as("the unread watcher is unsynced")
                    .isGreaterThanOrEqualTo(1);
            assertThat(metric("etcd_debugging_mvcc_pending_events_total")).as("queued events stay bounded")
                    .isLessThanOrEqualTo(128);
            // Once it reads again it gets every event, in order, from the store.
            slowReq[0].request(Integer.MAX_VALUE);
            List<Long> revs = new ArrayList<>();
            while (revs.size() < n) {
                WatchResponse r = slowIn.poll(30, TimeUnit.SECONDS);
                assertThat(r).as("slow reader catches up (%d of %d)", revs.size(), n).isNotNull();
                r.getEventsList().forEach(e -> revs.add(e.getKv().getModRevision()));
            }
            assertThat(revs).containsExactlyElementsOf(
                    java.util.stream.LongStream.range(first, first + n).boxed().toList());
        } finally {
            slowReq[0].cancel("test done", null);
            slowChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static double metric(String name) throws Exception {
        String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + member.clientAddresses().get(0).getPort() + "/metrics"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError("no metric " + name);
    }

    @Test
    void aHalfClosedStreamKeepsDeliveringEventsAsEtcdDoes() throws Exception {
        try (Stream s = new Stream()) {
            WatchResponse created = s.create(WatchCreateRequest.newBuilder().setKey(bs("hc/k"))).next();
            assertThat(created.getCreated()).isTrue();
            s.out.onCompleted();
            long rev = put("hc/k", "v");
            List<Event> evs = s.events(1);
            assertThat(evs.get(0).getKv().getModRevision()).isEqualTo(rev);
        }
    }

    @Test
    void createdEventsAndCancelCarryEtcdsFields() throws Exception {
        long rev = put("w1/other", "x");
        try (Stream s = new Stream()) {
            WatchResponse created = s.create(WatchCreateRequest.newBuilder().setKey(bs("w1/k")).setPrevKv(true))
                    .next();
            assertThat(created.getCreated()).isTrue();
            assertThat(created.getCanceled()).isFalse();
            assertThat(created.getHeader().getRevision()).isEqualTo(rev);
            assertThat(created.getHeader().getMemberId()).isEqualTo(member.server().memberId());
            long id = created.getWatchId();

            long r1 = put("w1/k", "1");
            long r2 = put("w1/k", "2");
            kv().deleteRange(DeleteRangeRequest.newBuilder().setKey(bs("w1/k")).build());
            WatchResponse first = s.next();
            assertThat(first.getWatchId()).isEqualTo(id);
            assertThat(first.getHeader().getRevision()).isEqualTo(r1);
            assertThat(first.getEvents(0).hasPrevKv()).as("a create has no prev_kv").isFalse();
            List<Event> rest = s.events(2);
            assertThat(rest.get(0).getPrevKv().getValue().toStringUtf8()).isEqualTo("1");
            assertThat(rest.get(1).getType()).isEqualTo(Event.EventType.DELETE);
            assertThat(rest.get(1).getKv().getModRevision()).isEqualTo(r2 + 1);
            assertThat(rest.get(1).getPrevKv().getValue().toStringUtf8()).isEqualTo("2");

            s.out.onNext(WatchRequest.newBuilder().setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(id))
                    .build());
            WatchResponse canceled = s.next();
            assertThat(canceled.getCanceled()).isTrue();
            assertThat(canceled.getWatchId()).isEqualTo(id);
        }
    }

    @Test
    void aHistoricalPrefixWatchGetsPrevKvFromTheStoreThenLiveEvents() throws Exception {
        long r1 = put("w2/a", "1");
        put("w2/a", "2");
        put("w2b", "not in prefix");
        try (Stream s = new Stream()) {
            s.create(WatchCreateRequest.newBuilder().setKey(bs("w2/")).setRangeEnd(bs("w20")).setStartRevision(r1)
                    .setPrevKv(true));
            assertThat(s.next().getCreated()).isTrue();
            List<Event> caughtUp = s.events(2);
            assertThat(caughtUp.get(1).getPrevKv().getValue().toStringUtf8()).isEqualTo("1");
            long r4 = put("w2/c", "3");
            List<Event> live = s.events(1);
            assertThat(live.get(0).getKv().getModRevision()).isEqualTo(r4);
        }
    }

    @Test
    void aDuplicateClientIdIsRefusedWithEtcdsReasonAndIdMinusOne() throws Exception {
        try (Stream s = new Stream()) {
            s.create(WatchCreateRequest.newBuilder().setKey(bs("w3")).setWatchId(100));
            assertThat(s.next().getWatchId()).isEqualTo(100);
            s.create(WatchCreateRequest.newBuilder().setKey(bs("w3")).setWatchId(100));
            WatchResponse dup = s.next();
            assertThat(dup.getCreated()).isTrue();
            assertThat(dup.getCanceled()).isTrue();
            assertThat(dup.getWatchId()).isEqualTo(-1);
            assertThat(dup.getCancelReason()).isEqualTo("mvcc: duplicate watch ID provided on the WatchStream");
        }
    }

    @Test
    void progressRequestAndFromKeyAndNoPutFilter() throws Exception {
        try (Stream s = new Stream()) {
            s.create(WatchCreateRequest.newBuilder().setKey(bs("w4")).setRangeEnd(ByteString.copyFrom(new byte[] {0}))
                    .addFilters(WatchCreateRequest.FilterType.NOPUT));
            s.next();
            put("w4", "v");
            put("zz-w4", "v");
            kv().deleteRange(DeleteRangeRequest.newBuilder().setKey(bs("zz-w4")).build());
            List<Event> evs = s.events(1);
            assertThat(evs.get(0).getType()).isEqualTo(Event.EventType.DELETE);
            assertThat(evs.get(0).getKv().getKey().toStringUtf8()).isEqualTo("zz-w4");
            s.out.onNext(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance())
                    .build());
            WatchResponse p = s.next();
            assertThat(p.getWatchId()).isEqualTo(-1);
            assertThat(p.getEventsCount()).isZero();
            assertThat(p.getHeader().getRevision()).isEqualTo(evs.get(0).getKv().getModRevision());
        }
    }

    @Test
    void aWatchOnACompactedRevisionIsCanceledWithCompactRevision() throws Exception {
        put("w5", "1");
        long r = put("w5", "2");
        kv().compact(CompactionRequest.newBuilder().setRevision(r).setPhysical(true).build());
        try (Stream s = new Stream()) {
            s.create(WatchCreateRequest.newBuilder().setKey(bs("w5")).setStartRevision(r - 1));
            assertThat(s.next().getCreated()).isTrue();
            WatchResponse c = s.next();
            assertThat(c.getCanceled()).isTrue();
            assertThat(c.getCompactRevision()).isGreaterThanOrEqualTo(r);
            assertThat(c.getEventsCount()).isZero();
        }
    }

    @Test
    void eventsAboveTheMessageLimitAreFragmentedWhenAsked() throws Exception {
        ByteString mib = ByteString.copyFrom(new byte[1 << 20]);
        long r1 = put("w6", mib);
        put("w6", mib);
        put("w6", mib);
        try (Stream s = new Stream()) {
            s.create(WatchCreateRequest.newBuilder().setKey(bs("w6")).setStartRevision(r1).setFragment(true));
            assertThat(s.next().getCreated()).isTrue();
            List<WatchResponse> parts = new ArrayList<>();
            do {
                parts.add(s.next());
            } while (parts.get(parts.size() - 1).getFragment());
            assertThat(parts).hasSizeGreaterThan(1);
            assertThat(parts.stream().mapToInt(WatchResponse::getEventsCount).sum()).isEqualTo(3);
        }
    }

    @Test
    void fragmentsSplitLikeEtcdAndKeepAtLeastOneEventEach() {
        WatchResponse.Builder b = WatchResponse.newBuilder().setWatchId(3);
        for (int i = 0; i < 5; i++) {
            b.addEvents(Event.newBuilder().setKv(io.etcdjava.api.mvccpb.KeyValue.newBuilder().setKey(bs("k"))
                    .setValue(ByteString.copyFrom(new byte[100]))));
        }
        List<WatchResponse> sent = new ArrayList<>();
        WatchGrpcService.sendFragments(b.build(), 250, sent::add);
        assertThat(sent).extracting(WatchResponse::getEventsCount).containsExactly(2, 2, 1);
        assertThat(sent).extracting(WatchResponse::getFragment).containsExactly(true, true, false);
        assertThat(sent).allSatisfy(r -> assertThat(r.getWatchId()).isEqualTo(3));

        sent.clear();
        WatchGrpcService.sendFragments(b.build(), 50, sent::add);
        assertThat(sent).hasSize(5);
        sent.clear();
        WatchGrpcService.sendFragments(b.build(), 1 << 20, sent::add);
        assertThat(sent).singleElement().satisfies(r -> assertThat(r.getFragment()).isFalse());
    }
}
