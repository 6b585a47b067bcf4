package io.etcdjava.server.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.etcdjava.server.api.testing.RealEtcd;
import io.etcdjava.server.api.testing.TestServer;
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
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same HTTP requests to Debian's etcd 3.4 and to our client port (over the fake member): the
 * JSON must match field for field; only IDs and raft terms may differ. One test replays one
 * session so both stores see the same history (and so the same revisions).
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.MethodName.class)
class GatewayMatchesRealEtcdTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> IDS = Set.of("cluster_id", "member_id", "raft_term", "ID", "leader");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    private static RealEtcd etcd;
    private static TestServer ours;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(RealEtcd.available(), "etcd not installed");
        etcd = RealEtcd.start(dir);
        ours = new TestServer();
    }

    @AfterAll
    static void stop() throws Exception {
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

    private static Answer call(String base, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
        if (body != null) {
            b.header("content-type", "application/x-www-form-urlencoded");
            b.method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.headers().firstValue("content-type").orElse(""), r.body());
    }

    /** Sends the request to both and checks status, content type and JSON (IDs masked). */
    private static void same(String path, String body) throws Exception {
        Answer real = call(etcd.url(), "POST", path, body);
        Answer mine = call(ours.url(), "POST", path, body);
        assertThat(mine.status()).as("status of %s %s", path, body).isEqualTo(real.status());
        assertThat(mine.contentType()).as("content type of %s", path).isEqualTo(real.contentType());
        assertThat(masked(mine.body())).as("%s %s\nreal: %s\nours: %s", path, body, real.body(), mine.body())
                .isEqualTo(masked(real.body()));
    }

    private static JsonNode masked(String body) throws Exception {
        JsonNode n = JSON.readTree(body);
        mask(n);
        return n;
    }

    private static void mask(JsonNode n) {
        if (n instanceof ObjectNode o) {
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (IDS.contains(e.getKey())) {
                    e.setValue(TextNode.valueOf("*"));
                } else {
                    mask(e.getValue());
                }
            }
        } else if (n != null && n.isArray()) {
            n.forEach(GatewayMatchesRealEtcdTest::mask);
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes());
    }

    @Test
    void a_kvSessionReadsTheSameOnBoth() throws Exception {
        String foo = b64("foo");
        same("/v3/kv/put", "{\"key\":\"" + foo + "\",\"value\":\"" + b64("bar") + "\"}");
        same("/v3/kv/range", "{\"key\":\"" + foo + "\"}");
        same("/v3/kv/put", "{\"key\":\"" + b64("fop") + "\",\"value\":\"" + b64("x") + "\",\"prev_kv\":true}");
        same("/v3/kv/put", "{\"key\":\"" + foo + "\",\"value\":\"" + b64("baz") + "\",\"prev_kv\":true}");
        same("/v3/kv/range", "{\"key\":\"" + b64("fo") + "\",\"range_end\":\"" + b64("fp") + "\"}");
        same("/v3/kv/range", "{\"key\":\"" + b64("fo") + "\",\"range_end\":\"" + b64("fp") + "\",\"limit\":1}");
        same("/v3/kv/range", "{\"key\":\"" + b64("fo") + "\",\"rangeEnd\":\"" + b64("fp") + "\",\"count_only\":true}");
        same("/v3/kv/range", "{\"key\":\"" + b64("fo") + "\",\"range_end\":\"" + b64("fp") + "\",\"keys_only\":true}");
        same("/v3/kv/range", "{\"key\":\"" + b64("nothing") + "\"}");
        same("/v3/kv/txn", "{\"compare\":[{\"key\":\"" + foo + "\",\"result\":\"EQUAL\",\"target\":\"VALUE\","
                + "\"value\":\"" + b64("baz") + "\"}],\"success\":[{\"request_put\":{\"key\":\"" + foo
                + "\",\"value\":\"" + b64("qux") + "\"}},{\"requestRange\":{\"key\":\"" + foo + "\"}}],"
                + "\"failure\":[{\"request_range\":{\"key\":\"" + foo + "\"}}]}");
        same("/v3/kv/txn", "{\"compare\":[{\"key\":\"" + foo + "\",\"result\":\"EQUAL\",\"target\":\"VERSION\","
                + "\"version\":\"99\"}],\"failure\":[{\"request_range\":{\"key\":\"" + b64("nothing") + "\"}}]}");
        same("/v3/kv/deleterange", "{\"key\":\"" + b64("fop") + "\",\"prev_kv\":true}");
        same("/v3/kv/deleterange", "{\"key\":\"" + b64("nothing") + "\"}");
        same("/v3/kv/range", "{\"key\":\"" + foo + "\"}");
    }

    @Test
    void b_errorsReadTheSameOnBoth() throws Exception {
        same("/v3/kv/put", "{\"value\":\"" + b64("v") + "\"}");
        same("/v3/kv/range", "{}");
        same("/v3/kv/range", "");
        same("/v3/kv/compaction", "{\"revision\":\"3\"}");
        same("/v3/kv/range", "{\"key\":\"" + b64("foo") + "\",\"revision\":\"2\"}");
        same("/v3/kv/range", "{\"key\":\"" + b64("foo") + "\",\"revision\":\"1000\"}");
        same("/v3/kv/range", "{\"key\":\"" + b64("foo") + "\",\"sort_order\":\"DESCND\",\"unknown\":1}");
        same("/v3/kv/txn", "{\"compare\":[{\"key\":\"" + b64("foo") + "\",\"result\":\"SAME\"}]}");
    }

    @Test
    void c_malformedJsonIsInvalidArgumentOnBoth() throws Exception {
        Answer real = call(etcd.url(), "POST", "/v3/kv/range", "{bad");
        Answer mine = call(ours.url(), "POST", "/v3/kv/range", "{bad");

        assertThat(mine.status()).isEqualTo(real.status());
        // Go's and protobuf-java's parser messages differ; the shape and code do not.
        assertThat(fieldNames(JSON.readTree(mine.body()))).isEqualTo(fieldNames(JSON.readTree(real.body())));
        assertThat(JSON.readTree(mine.body()).get("code")).isEqualTo(JSON.readTree(real.body()).get("code"));
    }

    @Test
    void d_pathsAndMethodsOutsideTheApiAnswerTheSame() throws Exception {
        for (String[] req : new String[][] {{"POST", "/v3/nope"}, {"GET", "/v3/kv/range"}, {"GET", "/health"},
                {"POST", "/health"}, {"GET", "/version"}, {"PUT", "/version"}}) {
            Answer real = call(etcd.url(), req[0], req[1], req[0].equals("GET") ? null : "{}");
            Answer mine = call(ours.url(), req[0], req[1], req[0].equals("GET") ? null : "{}");
            assertThat(mine.status()).as("%s %s", req[0], req[1]).isEqualTo(real.status());
            assertThat(mine.contentType()).as("%s %s", req[0], req[1]).isEqualTo(real.contentType());
        }
    }

    @Test
    void e_versionAndHealthHaveEtcdsFields() throws Exception {
        assertThat(fieldNames(JSON.readTree(call(ours.url(), "GET", "/version", null).body())))
                .isEqualTo(fieldNames(JSON.readTree(call(etcd.url(), "GET", "/version", null).body())));
        JsonNode realHealth = JSON.readTree(call(etcd.url(), "GET", "/health", null).body());
        JsonNode ourHealth = JSON.readTree(call(ours.url(), "GET", "/health", null).body());
        // etcd 3.5 added "reason"; 3.4 has only "health".
        assertThat(ourHealth.get("health")).isEqualTo(realHealth.get("health"));
        assertThat(fieldNames(ourHealth)).containsAll(fieldNames(realHealth)).contains("reason");
    }

    private static Set<String> fieldNames(JsonNode n) {
        Set<String> out = new TreeSet<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
