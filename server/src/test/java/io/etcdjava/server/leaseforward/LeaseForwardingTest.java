package io.etcdjava.server.leaseforward;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.LeaseGrpc;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.server.config.ServerConfig;
import io.etcdjava.server.embed.EmbeddedEtcd;
import io.etcdjava.server.testing.FreePorts;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three in-process members (etcd's default 100 ms heartbeat, 1 s election timeout): keep-alives and
 * time-to-live sent to a follower are answered by the leader's lessor over the peer port, also
 * across a leader change.
 */
@Timeout(180)
class LeaseForwardingTest {
    private static final String[] NAMES = {"a", "b", "c"};
    private static final String ETCDCTL = "/usr/bin/etcdctl";

    @TempDir
    Path dir;

    private final EmbeddedEtcd[] members = new EmbeddedEtcd[3];
    private final ManagedChannel[] channels = new ManagedChannel[3];
    private final int[] clientPorts = new int[3];

    @AfterEach
    void closeAll() throws Exception {
        for (int i = 0; i < 3; i++) {
            stop(i);
        }
    }

    @Test
    void keepAlivesAndTimeToLiveThroughAFollowerReachTheLeader() throws Exception {
        startCluster();
        int follower = (leader() + 1) % 3;
        long id = lease(follower).leaseGrant(LeaseGrantRequest.newBuilder().setTTL(2).build()).getID();
        kv(follower).put(PutRequest.newBuilder().setKey(bs("svc")).setValue(bs("up")).setLease(id).build());

        KeepAliveStream stream = new KeepAliveStream(follower);
        // Eight seconds of renewals, four TTLs.
        for (int i = 0; i < 16; i++) {
            LeaseKeepAliveResponse r = stream.renew(id);
            assertThat(r.getID()).isEqualTo(id);
            assertThat(r.getTTL()).isEqualTo(2);
            assertThat(r.getHeader().getMemberId()).isEqualTo(members[follower].server().memberId());
            Thread.sleep(500);
        }
        stream.close();
        assertThat(kv(follower).range(RangeRequest.newBuilder().setKey(bs("svc")).build()).getCount()).isEqualTo(1);

        LeaseTimeToLiveResponse t = lease(follower).leaseTimeToLive(
                LeaseTimeToLiveRequest.newBuilder().setID(id).setKeys(true).build());
        assertThat(t.getGrantedTTL()).isEqualTo(2);
        assertThat(t.getTTL()).isBetween(0L, 2L);
        assertThat(t.getKeysList()).containsExactly(bs("svc"));
        assertThat(t.getHeader().getMemberId()).isEqualTo(members[follower].server().memberId());

        awaitCount(follower, "svc", 0, Duration.ofSeconds(15));
        assertThat(lease(follower).leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id).build()).getTTL())
                .isEqualTo(-1);
        LeaseKeepAliveResponse gone = new KeepAliveStream(follower).renew(id);
        assertThat(gone.getTTL()).as("an unknown lease renews to TTL 0, as etcd").isZero();
    }

    /**
     * The TTL leaves room for a graceful stop of the old leader: it stops renewing when its lessor
     * closes but keeps leading until its raft stops (no leadership transfer on stop yet), and
     * keep-alives queued at the follower wait for the next leader meanwhile.
     */
    @Test
    void aFollowersKeepAlivesHoldALeaseAcrossALeaderChange() throws Exception {
        startCluster();
        int oldLeader = leader();
        int follower = (oldLeader + 1) % 3;
        long id = lease(follower).leaseGrant(LeaseGrantRequest.newBuilder().setTTL(10).build()).getID();
        kv(follower).put(PutRequest.newBuilder().setKey(bs("svc")).setValue(bs("up")).setLease(id).build());
        KeepAliveStream stream = new KeepAliveStream(follower);
        for (int i = 0; i < 4; i++) {
            assertThat(stream.renew(id).getTTL()).isEqualTo(10);
            Thread.sleep(500);
        }
        long oldLeaderId = members[oldLeader].server().memberId();
        stop(oldLeader);
        // Fifteen seconds (one and a half TTLs) of renewals while a new leader is elected and takes over.
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        int renewed = 0;
        while (System.nanoTime() < end) {
            assertThat(stream.renew(id).getTTL()).isEqualTo(10);
            renewed++;
            Thread.sleep(1000);
        }
        long newLeader = members[follower].server().raftStatus().leader();
        assertThat(newLeader).isNotZero().isNotEqualTo(oldLeaderId);
        assertThat(renewed).isGreaterThan(5);
        assertThat(kv(follower).range(RangeRequest.newBuilder().setKey(bs("svc")).build()).getCount()).isEqualTo(1);
        stream.close();
    }

    @Test
    void debiansEtcdctlKeepsALeaseAliveThroughAFollower() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of(ETCDCTL)), "no Debian etcdctl");
        startCluster();
        int follower = (leader() + 2) % 3;
        long id = lease(follower).leaseGrant(LeaseGrantRequest.newBuilder().setTTL(2).build()).getID();
        kv(follower).put(PutRequest.newBuilder().setKey(bs("svc")).setValue(bs("up")).setLease(id).build());
        ProcessBuilder pb = new ProcessBuilder(ETCDCTL, "--endpoints=127.0.0.1:" + clientPorts[follower],
                "lease", "keep-alive", Long.toHexString(id));
        pb.environment().put("ETCDCTL_API", "3");
        pb.redirectErrorStream(true);
        Path out = dir.resolve("keepalive.out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        try {
            // Eight seconds: four TTLs.
            assertThat(p.waitFor(8, TimeUnit.SECONDS)).as("etcdctl keeps running").isFalse();
            assertThat(kv(follower).range(RangeRequest.newBuilder().setKey(bs("svc")).build()).getCount()).isEqualTo(1);
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSizeGreaterThan(4);
        assertThat(lines).allSatisfy(l -> assertThat(l)
                .isEqualTo(String.format("lease %016x keepalived with TTL(2)", id)));
    }

    // ------------------------------------------------------------------ harness

    /** A keep-alive stream driven one request at a time. */
    private final class KeepAliveStream {
        private final LinkedBlockingQueue<Object> replies = new LinkedBlockingQueue<>();
        private final StreamObserver<LeaseKeepAliveRequest> requests;

        KeepAliveStream(int member) {
            requests = LeaseGrpc.newStub(channels[member]).leaseKeepAlive(new StreamObserver<>() {
                @Override
                public void onNext(LeaseKeepAliveResponse r) {
                    replies.add(r);
                }

                @Override
                public void onError(Throwable t) {
                    replies.add(t);
                }

                @Override
                public void onCompleted() {
                }
            });
        }

        LeaseKeepAliveResponse renew(long id) throws InterruptedException {
            requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(id).build());
            Object r = replies.poll(20, TimeUnit.SECONDS);
            assertThat(r).as("a keep-alive answer within 20 s").isInstanceOf(LeaseKeepAliveResponse.class);
            return (LeaseKeepAliveResponse) r;
        }

        void close() {
            requests.onCompleted();
        }
    }

    private void startCluster() throws Exception {
        int[] peerPorts = new int[3];
        StringBuilder initial = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            clientPorts[i] = FreePorts.next();
            peerPorts[i] = FreePorts.next();
            initial.append(i == 0 ? "" : ",").append(NAMES[i]).append("=http://127.0.0.1:").append(peerPorts[i]);
        }
        ExecutorService starters = Executors.newFixedThreadPool(3);
        try {
            List<Future<EmbeddedEtcd>> started = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String client = "http://127.0.0.1:" + clientPorts[i];
                String peer = "http://127.0.0.1:" + peerPorts[i];
                ServerConfig cfg = ServerConfig.builder()
                        .name(NAMES[i])
                        .dataDir(dir.resolve(NAMES[i] + ".etcd").toString())
                        .listenClientUrls(client)
                        .advertiseClientUrls(client)
                        .listenPeerUrls(peer)
                        .initialAdvertisePeerUrls(peer)
                        .initialCluster(initial.toString())
                        .initialClusterToken("lease-forwarding-test")
                        .set("heartbeat-interval", 100L)
                        .set("election-timeout", 1000L)
                        .build();
                started.add(starters.submit(() -> EmbeddedEtcd.start(cfg)));
            }
            Exception failure = null;
            for (int i = 0; i < 3; i++) {
                try {
                    members[i] = started.get(i).get(90, TimeUnit.SECONDS);
                    channels[i] = ManagedChannelBuilder.forAddress("127.0.0.1", clientPorts[i]).usePlaintext().build();
                } catch (Exception e) {
                    failure = failure == null ? e : failure;
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            starters.shutdownNow();
        }
    }

    private void stop(int i) throws Exception {
        if (channels[i] != null) {
            channels[i].shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            channels[i] = null;
        }
        if (members[i] != null) {
            members[i].close();
            members[i] = null;
        }
    }

    /** The index of the member every running member agrees leads. */
    private int leader() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            long lead = members[0].server().raftStatus().leader();
            boolean agreed = lead != 0;
            int index = -1;
            for (int i = 0; i < 3; i++) {
                agreed &= members[i].server().raftStatus().leader() == lead;
                if (members[i].server().memberId() == lead) {
                    index = i;
                }
            }
            if (agreed && index >= 0) {
                return index;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no agreed leader within 30 s");
    }

    private void awaitCount(int member, String key, long count, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        long seen;
        while ((seen = kv(member).range(RangeRequest.newBuilder().setKey(bs(key)).build()).getCount()) != count) {
            assertThat(System.nanoTime()).as("%s has %d keys within %s (saw %d)", key, count, within, seen)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private LeaseGrpc.LeaseBlockingStub lease(int i) {
        return LeaseGrpc.newBlockingStub(channels[i]).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private KVGrpc.KVBlockingStub kv(int i) {
        return KVGrpc.newBlockingStub(channels[i]).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static ByteString bs(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }

}
