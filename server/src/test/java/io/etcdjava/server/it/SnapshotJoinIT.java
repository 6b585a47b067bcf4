package io.etcdjava.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.server.it.EtcdProcess.Outcome;
import io.etcdjava.server.testing.FreePorts;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 4: a member added with {@code etcdctl member add} and started with
 * --initial-cluster-state existing, after the leader's raft log was compacted past the entries it
 * would need (small --snapshot-count and --experimental-snapshot-catchup-entries), catches up
 * through a database snapshot over the peer port: the leader logs and counts a snapshot sent to
 * it, the new member logs and counts it received and installed, and its data equals the others'.
 */
@Timeout(600)
class SnapshotJoinIT {
    private static final int KEYS = 400;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void aMemberAddedAfterTheLogWasCompactedCatchesUpByDatabaseSnapshot() throws Exception {
        assumeTrue(Etcdctl.installed(), "Debian's etcdctl is not installed");
        String[] small = {"--snapshot-count=100", "--experimental-snapshot-catchup-entries=10"};
        Path dir = EtcdProcess.workDir("SnapshotJoinIT");
        try (ProcessCluster cluster = ProcessCluster.start(dir, 3, "snapshot-join-it", small)) {
            int leader = cluster.awaitLeader();
            EtcdProcess lead = cluster.get(leader);
            // Several snapshots' worth of writes: the leader keeps only the last 10 entries before each.
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", lead.clientPort).usePlaintext().build();
            try {
                KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(ch);
                byte[] value = new byte[1024];
                for (int i = 0; i < KEYS; i++) {
                    value[i % value.length] = (byte) i;
                    kv.withDeadlineAfter(30, TimeUnit.SECONDS).put(PutRequest.newBuilder()
                            .setKey(ByteString.copyFromUtf8(String.format("snap/%04d", i)))
                            .setValue(ByteString.copyFrom(value)).build());
                }
            } finally {
                ch.shutdownNow();
            }
            Outcome status = Etcdctl.at(lead, "endpoint", "status", "-w", "json");
            long raftIndex = Etcdctl.json(status.stdout()).get(0).path("Status").path("raftIndex").asLong();
            assertThat(raftIndex).as("the log went past several snapshots").isGreaterThan(KEYS);

            int client = FreePorts.next();
            int peer = FreePorts.next();
            Outcome add = Etcdctl.at(lead, "member", "add", "m4", "--peer-urls=http://127.0.0.1:" + peer);
            assertThat(add.exitCode()).as(add.toString()).isZero();
            String newId = add.stdout().replaceAll("(?s).*Member ([0-9a-f]+) added to cluster.*", "$1");
            EtcdProcess joined = cluster.launchJoining("m4", client, peer, small);
            joined.awaitReady(ProcessCluster.BOOT_TIMEOUT);

            // Whoever leads now sent the database; the new member received and installed it.
            ProcessCluster.await("a snapshot sent to the new member is counted", () -> sentTo(cluster, newId) >= 1);
            assertThat(cluster.members().stream().anyMatch(m -> m.logText().contains("\"msg\":\"sent database snapshot\"")
                    && m.logText().contains("\"remote-peer-id\":\"" + newId + "\""))).as("a member logged the send")
                    .isTrue();
            String log = joined.logText();
            assertThat(log).contains("\"msg\":\"received and saved database snapshot\"");
            assertThat(log).contains("\"msg\":\"applied snapshot\"");
            assertThat(metric(joined, "etcd_network_snapshot_receive_success")).isGreaterThanOrEqualTo(1);

            cluster.awaitConverged("snap/");
            Outcome all = Etcdctl.at(joined, "get", "snap/", "--prefix", "--keys-only", "--consistency=s", "-w", "json");
            assertThat(Etcdctl.json(all.stdout()).path("count").asInt()).as(all.toString()).isEqualTo(KEYS);
            // Its own store (a serializable read) is at the leader's revision: nothing the snapshot skipped.
            EtcdProcess nowLeading = cluster.get(cluster.awaitLeader());
            long leaderRevision = Etcdctl.json(Etcdctl.at(nowLeading, "get", "snap/0000", "-w", "json").stdout())
                    .path("header").path("revision").asLong();
            long joinedRevision = Etcdctl.json(Etcdctl.at(joined, "get", "snap/0000", "--consistency=s", "-w", "json")
                    .stdout()).path("header").path("revision").asLong();
            assertThat(joinedRevision).as("serializable revision on the new member").isEqualTo(leaderRevision)
                    .isGreaterThanOrEqualTo(KEYS);
            // It takes part from then on: a write through it is read back everywhere.
            assertThat(Etcdctl.awaitSuccess(() -> Etcdctl.at(joined, "put", "snap/after", "joined")).stdout())
                    .isEqualTo("OK\n");
            cluster.awaitConverged("snap/");
        }
    }

    private static double sentTo(ProcessCluster cluster, String peerId) throws Exception {
        double sum = 0;
        for (EtcdProcess m : cluster.members()) {
            sum += metric(m, "etcd_network_snapshot_send_success{To=\"" + peerId + "\"}");
        }
        return sum;
    }

    /** Sum of the samples of {@code series} (a name, or a name with labels) on the member's /metrics. */
    private static double metric(EtcdProcess m, String series) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(m.url() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        double sum = 0;
        String name = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
        String labels = series.contains("{") ? series.substring(series.indexOf('{') + 1, series.length() - 1) : "";
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(r.body());
        while (line.find()) {
            String got = line.group(1) == null ? "" : line.group(1);
            if (got.contains(labels)) {
                sum += Double.parseDouble(line.group(2));
            }
        }
        return sum;
    }
}
