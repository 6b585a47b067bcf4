package io.etcdjava.server.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.etcdjava.server.api.testing.LoopbackMember;
import io.etcdjava.server.api.testing.RealEtcd;
import io.etcdjava.server.embed.EmbeddedEtcd;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * POST /v3/lease/grant|revoke|timetolive|leases on Debian's etcd 3.4 and on our member, one
 * session each: status, content type and JSON must match field for field; only IDs and raft terms
 * may differ (and a remaining TTL by the second that may tick between the two calls).
 */
@Timeout(120)
class LeaseGatewayMatchesRealEtcdTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> IDS = Set.of("cluster_id", "member_id", "raft_term", "ID");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;
    private RealEtcd etcd;
    private EmbeddedEtcd ours;

    @AfterEach
    void stop() throws Exception {
        try {
            if (ours != null) {
                ours.close();
            }
        } finally {
            if (etcd != null) {
                etcd.close();
            }
        }
    }

    record Answer(int status, String contentType, String body) {
    }

    @Test
    void leaseEndpointsAnswerLikeEtcds() throws Exception {
        assumeTrue(RealEtcd.available(), "etcd not installed");
        etcd = RealEtcd.start(java.nio.file.Files.createDirectories(dir.resolve("real")));
        ours = EmbeddedEtcd.start(LoopbackMember.config(dir.resolve("ours.etcd")).build());
        String oursUrl = "http://127.0.0.1:" + ours.clientAddresses().get(0).getPort();

        same(oursUrl, "/v3/lease/grant", "{\"TTL\":60}", false);
        same(oursUrl, "/v3/lease/grant", "{\"TTL\":60,\"ID\":12345}", false);
        // Raised to the minimum, ceil(1.5 election timeouts) = 2 s with the default 1 s.
        same(oursUrl, "/v3/lease/grant", "{\"TTL\":1,\"ID\":777}", false);
        same(oursUrl, "/v3/lease/grant", "{\"TTL\":60,\"ID\":12345}", false);
        same(oursUrl, "/v3/lease/grant", "{\"TTL\":9000000001}", false);
        same(oursUrl, "/v3/kv/put", "{\"key\":\"" + b64("svc") + "\",\"value\":\"" + b64("up")
                + "\",\"lease\":\"12345\"}", false);
        same(oursUrl, "/v3/kv/put", "{\"key\":\"" + b64("bad") + "\",\"value\":\"" + b64("x")
                + "\",\"lease\":\"999\"}", false);
        same(oursUrl, "/v3/lease/timetolive", "{\"ID\":12345,\"keys\":true}", true);
        same(oursUrl, "/v3/lease/timetolive", "{\"ID\":12345}", true);
        same(oursUrl, "/v3/lease/timetolive", "{\"ID\":999}", false);
        same(oursUrl, "/v3/lease/revoke", "{\"ID\":777}", false);
        Answer real = call(etcd.url(), "/v3/lease/leases", "{}");
        Answer mine = call(oursUrl, "/v3/lease/leases", "{}");
        assertThat(mine.status()).isEqualTo(real.status());
        assertThat(masked(mine.body(), false)).as("real: %s\nours: %s", real.body(), mine.body())
                .isEqualTo(masked(real.body(), false));
        assertThat(JSON.readTree(mine.body()).get("leases")).hasSize(2);
        same(oursUrl, "/v3/lease/revoke", "{\"ID\":12345}", false);
        same(oursUrl, "/v3/kv/range", "{\"key\":\"" + b64("svc") + "\"}", false);
        same(oursUrl, "/v3/lease/revoke", "{\"ID\":12345}", false);
        same(oursUrl, "/v3/lease/timetolive", "{\"ID\":12345}", false);
    }

    private void same(String oursUrl, String path, String body, boolean ttlMayTick) throws Exception {
        Answer real = call(etcd.url(), path, body);
        Answer mine = call(oursUrl, path, body);
        assertThat(mine.status()).as("status of %s %s: real %s ours %s", path, body, real.body(), mine.body())
                .isEqualTo(real.status());
        assertThat(mine.contentType()).as("content type of %s", path).isEqualTo(real.contentType());
        assertThat(masked(mine.body(), ttlMayTick)).as("%s %s\nreal: %s\nours: %s", path, body, real.body(),
                mine.body()).isEqualTo(masked(real.body(), ttlMayTick));
        if (ttlMayTick) {
            long r = JSON.readTree(real.body()).path("TTL").asLong();
            long m = JSON.readTree(mine.body()).path("TTL").asLong();
            assertThat(Math.abs(r - m)).as("remaining TTLs real %d ours %d", r, m).isLessThanOrEqualTo(1);
        }
    }

    private static Answer call(String base, String path, String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> resp = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
        return new Answer(resp.statusCode(), resp.headers().firstValue("content-type").orElse(""), resp.body());
    }

    private static JsonNode masked(String body, boolean ttl) throws Exception {
        JsonNode n = JSON.readTree(body);
        mask(n, ttl);
        return n;
    }

    private static void mask(JsonNode n, boolean ttl) {
        if (n instanceof ObjectNode o) {
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (IDS.contains(e.getKey()) || (ttl && e.getKey().equals("TTL"))) {
                    e.setValue(TextNode.valueOf("*"));
                } else {
                    mask(e.getValue(), ttl);
                }
            }
        } else if (n != null && n.isArray()) {
            n.forEach(c -> mask(c, ttl));
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes());
    }
}
