package io.etcdjava.server.embed;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.server.config.ServerConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(90)
class EmbeddedEtcdTest {
    @TempDir
    Path dir;

    @Test
    void anEmbeddedMemberServesTheGatewayAndEtcdsMetrics() throws Exception {
        ServerConfig cfg = ServerConfig.builder()
                .listenPeerUrls("http://127.0.0.1:0") // never 2380: a lone member binds its peer port too
                .dataDir(dir.resolve("m.etcd").toString())
                .listenClientUrls("http://127.0.0.1:0")
                .advertiseClientUrls("http://127.0.0.1:0")
                .build();
        try (EmbeddedEtcd member = EmbeddedEtcd.start(cfg)) {
            InetSocketAddress a = member.clientAddresses().get(0);
            String base = "http://127.0.0.1:" + a.getPort();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "/v3/kv/put"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"Zm9v\",\"value\":\"YmFy\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(put.body()).contains("\"revision\":\"2\"");

            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains(
                    "etcd_server_has_leader 1",
                    "etcd_server_is_leader 1",
                    "etcd_server_leader_changes_seen_total 1",
                    "etcd_server_proposals_committed_total",
                    "etcd_server_proposals_applied_total",
                    "etcd_server_proposals_pending 0",
                    "etcd_server_proposals_failed_total 0",
                    "etcd_disk_wal_fsync_duration_seconds_bucket",
                    "etcd_disk_backend_commit_duration_seconds_bucket",
                    "etcd_mvcc_db_total_size_in_bytes",
                    "etcd_debugging_mvcc_keys_total 1");
        }
    }

    @Test
    void aLoneMemberServesItsPeerPortFromTheStart() throws Exception {
        ServerConfig cfg = ServerConfig.builder()
                .dataDir(dir.resolve("lone.etcd").toString())
                .listenPeerUrls("http://127.0.0.1:0")
                .listenClientUrls("http://127.0.0.1:0")
                .advertiseClientUrls("http://127.0.0.1:0")
                .build();
        try (EmbeddedEtcd member = EmbeddedEtcd.start(cfg)) {
            assertThat(member.peerAddresses()).hasSize(1);
            String peerUrl = "http://127.0.0.1:" + member.peerAddresses().get(0).getPort();
            // What a member being added asks first: the peer port answers with the cluster.
            var info = io.etcdjava.server.rafthttp.PeerMembershipClient.fetchCluster(List.of(peerUrl),
                    cfg.initialClusterToken());
            assertThat(info.getClusterId()).isEqualTo(member.server().clusterId());
            assertThat(info.getMembersList()).extracting(m -> m.getID()).containsExactly(member.server().memberId());
        }
    }
}
