package io.etcdjava.server.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.server.api.testing.TestServer;
import io.etcdjava.server.errors.EtcdError;
import io.prometheus.client.Gauge;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class HttpEndpointsTest {
    private static TestServer server;
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes());
    }

    static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** As curl -d sends it: a form content type. */
    static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(20))
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthIsTrueWithAnEmptyReasonWhenTheMemberIsHealthy() throws Exception {
        HttpResponse<String> r = get("/health");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"health\":\"true\",\"reason\":\"\"}");
    }

    @Test
    void healthWithoutALeaderIs503RaftNoLeader() throws Exception {
        server.member.hasLeader = false;
        try {
            HttpResponse<String> r = get("/health");

            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).isEqualTo("{\"health\":\"false\",\"reason\":\"RAFT NO LEADER\"}\n");
            assertThat(get("/health?serializable=true").statusCode()).isEqualTo(200);
        } finally {
            server.member.hasLeader = true;
        }
    }

    @Test
    void healthCarriesTheMembersReasonWhenItsCheckFails() throws Exception {
        server.member.health = () -> CompletableFuture.failedFuture(
                new IllegalStateException("QGET ERROR:" + EtcdError.NO_LEADER.message()));
        try {
            HttpResponse<String> r = get("/health");

            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).isEqualTo("{\"health\":\"false\",\"reason\":\"QGET ERROR:etcdserver: no leader\"}\n");
        } finally {
            server.member.health = () -> CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void healthChecksAreCounted() throws Exception {
        double before = server.metrics.healthSuccess().get();
        get("/health");
        assertThat(server.metrics.healthSuccess().get()).isEqualTo(before + 1);
    }

    @Test
    void healthAcceptsOnlyGet() throws Exception {
        HttpResponse<String> r = post("/health", "");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.body()).isEqualTo("Method Not Allowed\n");
    }

    @Test
    void versionReportsServerAndClusterVersions() throws Exception {
        HttpResponse<String> r = get("/version");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo("{\"etcdserver\":\"3.5.0\",\"etcdcluster\":\"3.5.0\"}");
    }

    @Test
    void metricsServesRegisteredMetricsAndProcessMetrics() throws Exception {
        Gauge.build("etcd_server_has_leader", "Whether or not a leader exists. 1 is existence, 0 is not.")
                .register(server.metrics.registry()).set(1);
        get("/health");

        HttpResponse<String> r = get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
        assertThat(r.body())
                .contains("# TYPE etcd_server_has_leader gauge\netcd_server_has_leader 1\n")
                .contains("# TYPE etcd_server_health_success counter\n")
                .containsPattern("(?m)^etcd_server_health_success [1-9]")
                .containsPattern("(?m)^process_resident_memory_bytes [0-9.e+]+$")
                .doesNotContain("_created");
    }

    @Test
    void putThenRangeSpeaksGrpcGatewayJson() throws Exception {
        HttpResponse<String> put = post("/v3/kv/put", "{\"key\":\"" + b64("gw/foo") + "\",\"value\":\"" + b64("bar") + "\"}");
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(put.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(put.body()).matches("\\{\"header\":\\{\"cluster_id\":\"\\d+\",\"member_id\":\"\\d+\","
                + "\"revision\":\"\\d+\",\"raft_term\":\"2\"}}");

        HttpResponse<String> range = post("/v3/kv/range", "{\"key\":\"" + b64("gw/foo") + "\"}");
        assertThat(range.statusCode()).isEqualTo(200);
        assertThat(range.body()).matches("\\{\"header\":\\{[^}]*},\"kvs\":\\[\\{\"key\":\"" + b64("gw/foo")
                + "\",\"create_revision\":\"\\d+\",\"mod_revision\":\"\\d+\",\"version\":\"1\",\"value\":\""
                + b64("bar") + "\"}],\"count\":\"1\"}");
    }

    @Test
    void aRequestWithoutContentTypeIsReadAsJson() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/v3/kv/put"))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + b64("noct") + "\",\"value\":\"" + b64("v") + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("{\"header\":{");
    }

    @Test
    void camelCaseAndUnknownFieldsAreAccepted() throws Exception {
        post("/v3/kv/put", "{\"key\":\"" + b64("cc/a") + "\",\"value\":\"" + b64("v") + "\"}");

        HttpResponse<String> r = post("/v3/kv/range",
                "{\"key\":\"" + b64("cc/") + "\",\"rangeEnd\":\"" + b64("cc0") + "\",\"count_only\":true,\"bogus\":1}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).endsWith(",\"count\":\"1\"}").doesNotContain("kvs");
    }

    @Test
    void deleteRangeReportsDeletedAsAString() throws Exception {
        post("/v3/kv/put", "{\"key\":\"" + b64("gw/del") + "\",\"value\":\"" + b64("x") + "\"}");

        HttpResponse<String> r = post("/v3/kv/deleterange", "{\"key\":\"" + b64("gw/del") + "\"}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).endsWith(",\"deleted\":\"1\"}");
    }

    @Test
    void txnAcceptsEnumNamesAndPrintsOneofsWithProtoNames() throws Exception {
        post("/v3/kv/put", "{\"key\":\"" + b64("gw/t") + "\",\"value\":\"" + b64("bar") + "\"}");

        HttpResponse<String> r = post("/v3/kv/txn", "{\"compare\":[{\"key\":\"" + b64("gw/t")
                + "\",\"result\":\"EQUAL\",\"target\":\"VALUE\",\"value\":\"" + b64("bar") + "\"}],"
                + "\"success\":[{\"requestPut\":{\"key\":\"" + b64("gw/t") + "\",\"value\":\"" + b64("baz") + "\"}}],"
                + "\"failure\":[{\"request_range\":{\"key\":\"" + b64("gw/t") + "\"}}]}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"succeeded\":true,\"responses\":[{\"response_put\":{\"header\":{\"revision\":\"");
    }

    @Test
    void anEtcdErrorHasGrpcGatewaysShapeAndStatus() throws Exception {
        HttpResponse<String> r = post("/v3/kv/put", "{\"value\":\"" + b64("v") + "\"}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo("{\"error\":\"etcdserver: key is not provided\","
                + "\"message\":\"etcdserver: key is not provided\",\"code\":3}");
    }

    @Test
    void compactedIsOutOfRangeOverTheGateway() throws Exception {
        server.kv.failNext(EtcdError.COMPACTED.exception());

        HttpResponse<String> r = post("/v3/kv/range", "{\"key\":\"" + b64("x") + "\",\"revision\":\"1\"}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo("{\"error\":\"etcdserver: mvcc: required revision has been compacted\","
                + "\"message\":\"etcdserver: mvcc: required revision has been compacted\",\"code\":11}");
    }

    @Test
    void malformedJsonIsInvalidArgument() throws Exception {
        HttpResponse<String> r = post("/v3/kv/range", "{bad");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("{\"error\":\"").endsWith("\"code\":3}");
    }

    @Test
    void unimplementedMethodsAre501WithCode12() throws Exception {
        HttpResponse<String> r = post("/v3/lease/grant", "{\"TTL\":\"10\"}");

        assertThat(r.statusCode()).isEqualTo(501);
        assertThat(r.body()).contains("\"code\":12}").contains("etcdserverpb.Lease/LeaseGrant");
    }

    @Test
    void additionalBindingsAreServedToo() throws Exception {
        assertThat(post("/v3/kv/lease/revoke", "{\"ID\":\"1\"}").statusCode()).isEqualTo(501);
    }

    @Test
    void maintenanceStatusIsServedOverTheGateway() throws Exception {
        HttpResponse<String> r = post("/v3/maintenance/status", "{}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"version\":\"3.5.0\"").contains("\"dbSize\":\"20480\"");
    }

    @Test
    void unknownGatewayPathsAre404AndGetIs405() throws Exception {
        HttpResponse<String> missing = post("/v3/nope", "{}");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("Not Found\n");

        HttpResponse<String> wrongMethod = get("/v3/kv/range");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
    }

    @Test
    void everyHttpAnswerCarriesEtcdsCorsHeaders() throws Exception {
        HttpResponse<String> r = get("/version");

        assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("*");
        assertThat(r.headers().firstValue("access-control-allow-methods")).hasValue("POST, GET, OPTIONS, PUT, DELETE");
        HttpResponse<String> preflight = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/v3/kv/put"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.statusCode()).isEqualTo(200);
    }

    @Test
    void http2ClientsAreServedOnTheSamePort() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> r = h2.send(HttpRequest.newBuilder(URI.create(server.url() + "/version")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    }

    @Test
    void aStreamingMethodAnswersWithGrpcGatewaysStreamErrorChunk() throws Exception {
        HttpResponse<String> r = post("/v3/watch", "{\"create_request\":{\"key\":\"" + b64("w") + "\"}}");

        assertThat(r.statusCode()).isEqualTo(501);
        assertThat(r.body()).startsWith("{\"error\":{\"grpc_code\":12,\"http_code\":501,\"message\":\"")
                .endsWith("\"http_status\":\"Not Implemented\"}}");
    }
}
