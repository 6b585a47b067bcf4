package io.etcdjava.server.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.LeaseGrantResponse;
import io.etcdjava.api.etcdserverpb.LeaseGrpc;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.LeaseLeasesRequest;
import io.etcdjava.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdjava.api.etcdserverpb.LeaseRevokeResponse;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.server.config.ServerConfig;
import io.etcdjava.server.embed.EmbeddedEtcd;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Leases end to end through our gRPC stubs against an in-process member (10 ms heartbeat). */
@Timeout(120)
class LeaseEmbeddedTest {
    @TempDir
    Path dir;

    private EmbeddedEtcd member;
    private ManagedChannel channel;

    private void start() throws Exception {
        ServerConfig cfg = ServerConfig.builder()
                .listenPeerUrls("http://127.0.0.1:0") // never 2380: a lone member binds its peer port too
                .dataDir(dir.resolve("m.etcd").toString())
                .listenClientUrls("http://127.0.0.1:0")
                .advertiseClientUrls("http://127.0.0.1:0")
                .set("heartbeat-interval", 10L)
                .set("election-timeout", 100L)
                .set("max-txn-ops", 1000L)
                .build();
        member = EmbeddedEtcd.start(cfg);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", member.clientAddresses().get(0).getPort())
                .usePlaintext().build();
    }

    private void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            channel = null;
        }
        if (member != null) {
            member.close();
            member = null;
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        stop();
    }

    private LeaseGrpc.LeaseBlockingStub leases() {
        return LeaseGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private KVGrpc.KVBlockingStub kv() {
        return KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static ByteString bs(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }

    private long count(String key) {
        return kv().range(RangeRequest.newBuilder().setKey(bs(key)).build()).getCount();
    }

    private static void await(BooleanSupplier cond, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!cond.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within %d ms", millis).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void aGrantedLeaseCarriesKeysUntilRevokedAndTheRevokeDeletesThem() throws Exception {
        start();
        LeaseGrantResponse g = leases().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build());
        assertThat(g.getID()).isPositive();
        assertThat(g.getTTL()).isEqualTo(60);
        kv().put(PutRequest.newBuilder().setKey(bs("a")).setValue(bs("1")).setLease(g.getID()).build());
        kv().put(PutRequest.newBuilder().setKey(bs("b")).setValue(bs("2")).setLease(g.getID()).build());

        LeaseTimeToLiveResponse t = leases().leaseTimeToLive(
                LeaseTimeToLiveRequest.newBuilder().setID(g.getID()).setKeys(true).build());
        assertThat(t.getGrantedTTL()).isEqualTo(60);
        assertThat(t.getTTL()).isBetween(58L, 60L);
        assertThat(t.getKeysList()).containsExactly(bs("a"), bs("b"));
        assertThat(leases().leaseLeases(LeaseLeasesRequest.getDefaultInstance()).getLeasesList())
                .extracting(l -> l.getID()).containsExactly(g.getID());

        leases().leaseRevoke(LeaseRevokeRequest.newBuilder().setID(g.getID()).build());
        assertThat(count("a") + count("b")).isZero();
        assertThat(leases().leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(g.getID()).build()).getTTL())
                .isEqualTo(-1);
        assertThatThrownBy(() -> leases().leaseRevoke(LeaseRevokeRequest.newBuilder().setID(g.getID()).build()))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("requested lease not found");
    }

    @Test
    void grantErrorsAndTheMinimumTtlAreEtcds() throws Exception {
        start();
        // ceil(1.5 × 100 ms) = 1 s.
        assertThat(leases().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(0).setID(7).build()).getTTL())
                .isEqualTo(1);
        assertThatThrownBy(() -> leases().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(5).setID(7).build()))
                .hasMessageContaining("FAILED_PRECONDITION: etcdserver: lease already exists");
        assertThatThrownBy(() -> leases().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(9_000_000_001L).build()))
                .hasMessageContaining("OUT_OF_RANGE: etcdserver: too large lease TTL");
        assertThatThrownBy(() -> kv().put(PutRequest.newBuilder().setKey(bs("k")).setLease(12345).build()))
                .hasMessageContaining("NOT_FOUND: etcdserver: requested lease not found");
    }

    @Test
    void anExpiredLeaseDeletesItsKeysAndIgnoreLeaseKeepsTheLease() throws Exception {
        start();
        long id = leases().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(1).build()).getID();
        kv().put(PutRequest.newBuilder().setKey(bs("ephemeral")).setValue(bs("x")).setLease(id).build());
        kv().put(PutRequest.newBuilder().setKey(bs("ephemeral")).setValue(bs("y")).setIgnoreLease(true).build());
        assertThat(kv().range(RangeRequest.newBuilder().setKey(bs("ephemeral")).build()).getKvs(0).getLease())
                .isEqualTo(id);
        await(() -> count("ephemeral") == 0, 5_000);
        assertThat(leases().leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id).build()).getTTL())
                .isEqualTo(-1);
        assertThat(member.server().leaseMetrics().revokedTotal()).isEqualTo(1);
    }

    @Test
    void aWatcherSeesEveryKeyOfAnExpiringLeaseDeletedInOneRevision() throws Exception {
        start();
        LinkedBlockingQueue<io.etcdjava.api.mvccpb.Event> events = new LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch created = new java.util.concurrent.CountDownLatch(1);
        StreamObserver<io.etcdjava.api.etcdserverpb.WatchRequest> watch = io.etcdjava.api.etcdserverpb.WatchGrpc
                .newStub(channel).watch(new StreamObserver<>() {
                    @Override
                    public void onNext(io.etcdjava.api.etcdserverpb.WatchResponse r) {
                        if (r.getCreated()) {
                            created.countDown();
                        }
                        events.addAll(r.getEventsList());
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        watch.onNext(io.etcdjava.api.etcdserverpb.WatchRequest.newBuilder().setCreateRequest(
                io.etcdjava.api.etcdserverpb.WatchCreateRequest.newBuilder().setKey(bs("svc/")).setRangeEnd(bs("svc0")))
                .build());
        assertThat(created.await(10, TimeUnit.SECONDS)).isTrue();
        long id = leases().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(1).build()).getID();
        for (String k : new String[] {"svc/a", "svc/b", "svc/c"}) {
            kv().put(PutRequest.newBuilder().setKey(bs(k)).setValue(bs("up")).setLease(id).build());
        }
        java.util.List<io.etcdjava.api.mvccpb.Event> seen = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (seen.size() < 6 && System.nanoTime() < deadline) {
            io.etcdjava.api.mvccpb.Event e = events.poll(100, TimeUnit.MILLISECONDS);
            if (e != null) {
                seen.add(e);
            }
        }
        watch.onCompleted();
        assertThat(seen).hasSize(6);
        java.util.List<io.etcdjava.api.mvccpb.Event> deletes = seen.subList(3, 6);
        assertThat(deletes).allSatisfy(e -> assertThat(e.getType()).isEqualTo(io.etcdjava.api.mvccpb.Event.EventType.DELETE));
        assertThat(deletes).extracting(e -> e.getKv().getKey().toStringUtf8()).containsExactly("svc/a", "svc/b", "svc/c");
        long rev = deletes.get(0).getKv().getModRevision();
        assertThat(deletes).allSatisfy(e -> assertThat(e.getKv().getModRevision()).isEqualTo(rev));
        assertThat(rev).isEqualTo(seen.get(2).getKv().getModRevision() + 1);
    }

    @Test
    void keepAlivesHoldALeaseOverManyTtls() throws Exception {
        start();
        long id = leases().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(1).build()).getID();
        kv().put(PutRequest.newBuilder().setKey(bs("alive")).setValue(bs("x")).setLease(id).build());
        LinkedBlockingQueue<LeaseKeepAliveResponse> answers = new LinkedBlockingQueue<>();
        StreamObserver<LeaseKeepAliveRequest> stream = LeaseGrpc.newStub(channel).leaseKeepAlive(new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse r) {
                answers.add(r);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        // at least 3.5 TTLs and at least 10 keep-alives (a loaded machine makes each round slower)
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3500);
        for (int sent = 0; System.nanoTime() < end || sent < 10; sent++) {
            stream.onNext(LeaseKeepAliveRequest.newBuilder().setID(id).build());
            LeaseKeepAliveResponse r = answers.poll(5, TimeUnit.SECONDS);
            assertThat(r).isNotNull();
            assertThat(r.getID()).isEqualTo(id);
            assertThat(r.getTTL()).isEqualTo(1);
            assertThat(count("alive")).isEqualTo(1);
            Thread.sleep(250); // the client's keep-alive period, not synchronisation
        }
        stream.onCompleted();
        assertThat(member.server().leaseMetrics().renewedTotal()).isGreaterThanOrEqualTo(10);
        // Keep-alive of an unknown lease answers TTL 0.
        StreamObserver<LeaseKeepAliveRequest> s2 = LeaseGrpc.newStub(channel).leaseKeepAlive(new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse r) {
                answers.add(r);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        s2.onNext(LeaseKeepAliveRequest.newBuilder().setID(424242).build());
        LeaseKeepAliveResponse gone = answers.poll(5, TimeUnit.SECONDS);
        assertThat(gone.getID()).isEqualTo(424242);
        assertThat(gone.getTTL()).isZero();
        s2.onCompleted();
    }

    @Test
    void revokingALeaseWithTenThousandKeysIsOneRevision() throws Exception {
        start();
        long id = leases().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(600).build()).getID();
        for (int batch = 0; batch < 10; batch++) {
            TxnRequest.Builder t = TxnRequest.newBuilder();
            for (int i = 0; i < 1000; i++) {
                t.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                        .setKey(bs(String.format("many/%05d", batch * 1000 + i))).setValue(bs("v")).setLease(id)));
            }
            kv().txn(t.build());
        }
        long before = kv().range(RangeRequest.newBuilder().setKey(bs("many/")).setRangeEnd(bs("many0"))
                .setCountOnly(true).build()).getHeader().getRevision();
        assertThat(leases().leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id).setKeys(true).build())
                .getKeysCount()).isEqualTo(10_000);
        LeaseRevokeResponse r = leases().leaseRevoke(LeaseRevokeRequest.newBuilder().setID(id).build());
        assertThat(r.getHeader().getRevision()).isEqualTo(before + 1);
        assertThat(kv().range(RangeRequest.newBuilder().setKey(bs("many/")).setRangeEnd(bs("many0"))
                .setCountOnly(true).build()).getCount()).isZero();
    }

    @Test
    void aRestartKeepsTheRemainingTtlInsteadOfResettingIt() throws Exception {
        start();
        long id = leases().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(30).build()).getID();
        kv().put(PutRequest.newBuilder().setKey(bs("survivor")).setValue(bs("x")).setLease(id).build());
        // Checkpoints run every second: by 25 s left, one recorded at most 28 s.
        await(() -> leases().leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id).build()).getTTL() <= 25,
                15_000);
        stop();
        start();
        LeaseTimeToLiveResponse t = leases().leaseTimeToLive(
                LeaseTimeToLiveRequest.newBuilder().setID(id).setKeys(true).build());
        assertThat(t.getGrantedTTL()).isEqualTo(30);
        // Checkpointed remainder (≤ 28) plus at most one election timeout, never the full 30.
        assertThat(t.getTTL()).isBetween(20L, 28L);
        assertThat(t.getKeysList()).containsExactly(bs("survivor"));
    }
}
