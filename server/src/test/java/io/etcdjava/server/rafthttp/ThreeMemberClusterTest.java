package io.etcdjava.server.rafthttp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.server.config.ServerConfig;
import io.etcdjava.server.embed.EmbeddedEtcd;
import io.etcdjava.server.testing.FreePorts;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three in-process members on loopback, talking raft over their peer ports. */
@Timeout(120)
class ThreeMemberClusterTest {
    private static final String[] NAMES = {"a", "b", "c"};

    @TempDir
    Path dir;

    private final EmbeddedEtcd[] members = new EmbeddedEtcd[3];
    private final ManagedChannel[] channels = new ManagedChannel[3];

    @AfterEach
    void closeAll() throws Exception {
        for (ManagedChannel ch : channels) {
            if (ch != null) {
                ch.shutdownNow();
            }
        }
        Exception first = null;
        for (int i = 0; i < members.length; i++) {
            if (members[i] != null) {
                try {
                    members[i].close();
                } catch (Exception e) {
                    first = first == null ? e : first;
                }
                members[i] = null;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Test
    void aClusterElectsALeaderReplicatesWritesAndSurvivesLosingIt() throws Exception {
        startCluster();

        int leader = awaitAgreedLeader(Set.of(0, 1, 2), 0);
        long clusterId = members[0].server().clusterId();
        Set<Long> ids = new HashSet<>();
        for (EmbeddedEtcd m : members) {
            assertThat(m.server().clusterId()).isEqualTo(clusterId);
            ids.add(m.server().memberId());
        }
        assertThat(ids).hasSize(3);

        PutResponse put = kv(0).put(PutRequest.newBuilder().setKey(bytes("foo")).setValue(bytes("bar")).build());
        assertThat(put.getHeader().getClusterId()).isEqualTo(clusterId);
        for (int i = 1; i < 3; i++) {
            RangeResponse r = kv(i).range(RangeRequest.newBuilder().setKey(bytes("foo")).build());
            assertThat(r.getKvsList()).hasSize(1);
            assertThat(r.getKvs(0).getValue().toStringUtf8()).isEqualTo("bar");
            assertThat(r.getHeader().getClusterId()).isEqualTo(clusterId);
            assertThat(r.getHeader().getMemberId()).isEqualTo(members[i].server().memberId());
            assertThat(r.getHeader().getRevision()).isEqualTo(put.getHeader().getRevision());
        }

        long oldLeaderId = members[leader].server().memberId();
        channels[leader].shutdownNow();
        channels[leader] = null;
        members[leader].close();
        members[leader] = null;

        Set<Integer> survivors = new HashSet<>(Set.of(0, 1, 2));
        survivors.remove(leader);
        int newLeader = awaitAgreedLeader(survivors, oldLeaderId);
        assertThat(members[newLeader].server().memberId()).isNotEqualTo(oldLeaderId);

        int other = survivors.stream().filter(i -> i != newLeader).findFirst().orElseThrow();
        PutResponse after = putWithRetry(other, "after", "failover");
        assertThat(after.getHeader().getClusterId()).isEqualTo(clusterId);
        RangeResponse r = kv(newLeader).range(RangeRequest.newBuilder().setKey(bytes("after")).build());
        assertThat(r.getKvs(0).getValue().toStringUtf8()).isEqualTo("failover");
        assertThat(kv(newLeader).range(RangeRequest.newBuilder().setKey(bytes("foo")).build()).getKvs(0)
                .getValue().toStringUtf8()).isEqualTo("bar");
    }

    private void startCluster() throws Exception {
        int[] clientPorts = new int[3];
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
                        .initialClusterToken("three-member-test")
                        .build();
                // Each start returns only once a leader exists, so all three must start together.
                started.add(starters.submit(() -> EmbeddedEtcd.start(cfg)));
            }
            Exception failure = null;
            for (int i = 0; i < 3; i++) {
                try {
                    members[i] = started.get(i).get(60, TimeUnit.SECONDS);
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

    /** The index of the member all of {@code among} agree leads, once they do (and it is not {@code notId}). */
    private int awaitAgreedLeader(Set<Integer> among, long notId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Set<Long> seen = new HashSet<>();
            for (int i : among) {
                seen.add(members[i].server().raftStatus().leader());
            }
            if (seen.size() == 1) {
                long lead = seen.iterator().next();
                for (int i : among) {
                    if (lead != 0 && lead != notId && members[i].server().memberId() == lead) {
                        return i;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no agreed leader among " + among + " within 20 s");
    }

    private PutResponse putWithRetry(int member, String key, String value) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            try {
                return kv(member).put(PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(value)).build());
            } catch (StatusRuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private KVGrpc.KVBlockingStub kv(int i) {
        return KVGrpc.newBlockingStub(channels[i]).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static ByteString bytes(String s) {
        return ByteString.copyFromUtf8(s);
    }

}
