package io.etcdjava.server.rafthttp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.server.config.ServerConfig;
import io.etcdjava.server.embed.EmbeddedEtcd;
import io.etcdjava.server.testing.FreePorts;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower that missed more than the leader's log still holds comes back through a database
 * snapshot over the peer port, serves every key, and keeps up afterwards; the leader stays leader
 * (heartbeats keep flowing) while tens of MB go out.
 */
@Timeout(300)
class SnapshotCatchUpTest {
    private static final String[] NAMES = {"a", "b", "c"};
    private static final int BIG_VALUES = 320;
    private static final int BIG_VALUE_BYTES = 100 * 1024;
    private static final int SMALL_KEYS = 2000;

    @TempDir
    Path dir;

    private final EmbeddedEtcd[] members = new EmbeddedEtcd[3];
    private final ManagedChannel[] channels = new ManagedChannel[3];
    private final ServerConfig[] configs = new ServerConfig[3];
    private final int[] clientPorts = new int[3];

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
    void aFollowerBehindTheCompactedLogCatchesUpFromASnapshotAndKeepsUp() throws Exception {
        startCluster();
        int leader = awaitAgreedLeader(Set.of(0, 1, 2));
        int follower = (leader + 1) % 3;
        int other = (leader + 2) % 3;
        long leaderId = members[leader].server().memberId();
        long followerId = members[follower].server().memberId();
        long term = members[leader].server().raftStatus().term();
        put(leader, "before", "stop");

        channels[follower].shutdownNow();
        channels[follower] = null;
        members[follower].close();
        members[follower] = null;

        // Tens of MB of values plus a few thousand entries: the leader snapshots every 100
        // entries and keeps only 50 behind each snapshot.
        // Random bytes, so RocksDB's compression leaves the database at tens of MB.
        writeConcurrently(leader, BIG_VALUES, i -> "big/" + i, i -> {
            byte[] v = new byte[BIG_VALUE_BYTES];
            new java.util.Random(i).nextBytes(v);
            return ByteString.copyFrom(v);
        });
        writeConcurrently(leader, SMALL_KEYS, i -> "small/" + i, i -> bs("v" + i));
        try (Stream<Path> snaps = Files.list(dir.resolve(NAMES[leader] + ".etcd/member/snap"))) {
            assertThat(snaps.count()).as("the leader took raft snapshots").isPositive();
        }

        members[follower] = EmbeddedEtcd.start(configs[follower]);
        channels[follower] = channel(follower);
        long target = members[leader].server().appliedIndex();
        await(() -> members[follower].server().appliedIndex() >= target, "follower applies up to " + target);

        assertThat(countSerializable(follower, "small/")).isEqualTo(SMALL_KEYS);
        assertThat(countSerializable(follower, "big/")).isEqualTo(BIG_VALUES);
        RangeResponse one = kv(follower).range(RangeRequest.newBuilder().setKey(bs("big/7")).setSerializable(true).build());
        assertThat(one.getKvs(0).getValue().size()).isEqualTo(BIG_VALUE_BYTES);
        assertThat(kv(follower).range(RangeRequest.newBuilder().setKey(bs("before")).setSerializable(true).build())
                .getKvs(0).getValue().toStringUtf8()).isEqualTo("stop");
        assertThat(one.getHeader().getRevision())
                .isEqualTo(kv(leader).range(RangeRequest.newBuilder().setKey(bs("big/7")).build()).getHeader().getRevision());

        assertThat(members[leader].peerMetrics().snapshotsSent(followerId)).isGreaterThanOrEqualTo(1);
        assertThat(members[follower].peerMetrics().snapshotBytesReceived(leaderId))
                .as("a database of tens of MB came over").isGreaterThan(20e6);
        assertThat(members[follower].peerMetrics().snapshotsReceived(leaderId)).isGreaterThanOrEqualTo(1);
        String leaderMetrics = scrape(leader);
        assertThat(leaderMetrics).contains("etcd_network_snapshot_send_success{To=\"" + Long.toHexString(followerId) + "\"}")
                .contains("etcd_network_snapshot_send_total_duration_seconds_count")
                .contains("etcd_network_peer_sent_bytes_total{To=")
                .contains("etcd_network_peer_round_trip_time_seconds_bucket{To=");
        assertThat(scrape(follower)).contains("etcd_network_snapshot_receive_success{From=\""
                + Long.toHexString(leaderId) + "\"} 1");

        // Heartbeats kept flowing while the database went out: nobody called an election.
        for (int i : new int[] {leader, other}) {
            assertThat(members[i].server().raftStatus().term()).as("term on member %s", NAMES[i]).isEqualTo(term);
            assertThat(members[i].server().raftStatus().leader()).isEqualTo(leaderId);
        }

        // And it keeps up with what comes next.
        writeConcurrently(leader, 300, i -> "after/" + i, i -> bs("a" + i));
        long after = members[leader].server().appliedIndex();
        await(() -> members[follower].server().appliedIndex() >= after, "follower keeps up");
        assertThat(countSerializable(follower, "after/")).isEqualTo(300);
        put(follower, "via-follower", "ok");
        assertThat(kv(leader).range(RangeRequest.newBuilder().setKey(bs("via-follower")).build()).getKvsCount()).isEqualTo(1);
        try (Stream<Path> snap = Files.list(dir.resolve(NAMES[follower] + ".etcd/member/snap"))) {
            assertThat(snap.map(p -> p.getFileName().toString())).as("received databases are cleaned up once installed")
                    .noneMatch(n -> n.contains(".snap.db"));
        }
    }

    private void writeConcurrently(int member, int n, java.util.function.IntFunction<String> key,
                                   java.util.function.IntFunction<ByteString> value) throws Exception {
        int writers = 16;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < writers; t++) {
                int start = t;
                fs.add(pool.submit(() -> {
                    for (int i = start; i < n; i += writers) {
                        put(member, key.apply(i), value.apply(i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(200, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private long countSerializable(int member, String prefix) {
        ByteString from = bs(prefix);
        ByteString end = bs(prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1));
        return kv(member).range(RangeRequest.newBuilder().setKey(from).setRangeEnd(end).setCountOnly(true)
                .setSerializable(true).build()).getCount();
    }

    private String scrape(int member) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + clientPorts[member] + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private void startCluster() throws Exception {
        int[] peerPorts = new int[3];
        StringBuilder initial = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            clientPorts[i] = FreePorts.next();
            peerPorts[i] = FreePorts.next();
            initial.append(i == 0 ? "" : ",").append(NAMES[i]).append("=http://127.0.0.1:").append(peerPorts[i]);
        }
        for (int i = 0; i < 3; i++) {
            String client = "http://127.0.0.1:" + clientPorts[i];
            String peer = "http://127.0.0.1:" + peerPorts[i];
            configs[i] = ServerConfig.builder()
                    .name(NAMES[i])
                    .dataDir(dir.resolve(NAMES[i] + ".etcd").toString())
                    .listenClientUrls(client)
                    .advertiseClientUrls(client)
                    .listenPeerUrls(peer)
                    .initialAdvertisePeerUrls(peer)
                    .initialCluster(initial.toString())
                    .initialClusterToken("snapshot-test")
                    .snapshotCount(100)
                    .set("experimental-snapshot-catchup-entries", 50L)
                    // The restarted follower may time out before the leader's stream reaches it on a
                    // loaded machine; pre-vote keeps that from deposing a leader the others still
                    // hear, so a term change below means heartbeats really stopped.
                    .set("pre-vote", true)
                    .build();
        }
        ExecutorService starters = Executors.newFixedThreadPool(3);
        try {
            List<Future<EmbeddedEtcd>> started = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ServerConfig cfg = configs[i];
                started.add(starters.submit(() -> EmbeddedEtcd.start(cfg)));
            }
            Exception failure = null;
            for (int i = 0; i < 3; i++) {
                try {
                    members[i] = started.get(i).get(60, TimeUnit.SECONDS);
                    channels[i] = channel(i);
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

    private ManagedChannel channel(int i) {
        return ManagedChannelBuilder.forAddress("127.0.0.1", clientPorts[i]).usePlaintext()
                .maxInboundMessageSize(64 * 1024 * 1024).build();
    }

    private int awaitAgreedLeader(Set<Integer> among) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Set<Long> seen = new HashSet<>();
            for (int i : among) {
                seen.add(members[i].server().raftStatus().leader());
            }
            if (seen.size() == 1) {
                long lead = seen.iterator().next();
                for (int i : among) {
                    if (lead != 0 && members[i].server().memberId() == lead) {
                        return i;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no agreed leader among " + among);
    }

    private static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!cond.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting: %s", what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private void put(int member, String key, String value) throws InterruptedException {
        put(member, key, bs(value));
    }

    private void put(int member, String key, ByteString value) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                kv(member).put(PutRequest.newBuilder().setKey(bs(key)).setValue(value).build());
                return;
            } catch (StatusRuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private KVGrpc.KVBlockingStub kv(int i) {
        return KVGrpc.newBlockingStub(channels[i]).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

}
