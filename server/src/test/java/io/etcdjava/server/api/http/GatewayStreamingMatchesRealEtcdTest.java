package io.etcdjava.server.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.etcdjava.server.api.testing.LoopbackMember;
import io.etcdjava.server.api.testing.RealEtcd;
import io.etcdjava.server.embed.EmbeddedEtcd;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming gateway paths ({@code /v3/watch}, {@code /v3/lease/keepalive}) against Debian's
 * etcd 3.4 and an embedded member: same status, grpc-metadata header and newline-delimited
 * {"result":..} lines (IDs masked; each test gives both stores the same history first).
 */
@Timeout(120)
class GatewayStreamingMatchesRealEtcdTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> IDS = Set.of("cluster_id", "member_id", "raft_term", "revision",
            "create_revision", "mod_revision", "version");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    private static RealEtcd etcd;
    private static EmbeddedEtcd ours;
    private static String oursUrl;
    private static final ExecutorService readers = Executors.newCachedThreadPool();

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(RealEtcd.available(), "etcd not installed");
        java.nio.file.Files.createDirectories(dir.resolve("real"));
        etcd = RealEtcd.start(dir.resolve("real"));
        ours = LoopbackMember.startFast(dir.resolve("ours.etcd"));
        oursUrl = "http://127.0.0.1:" + ours.clientAddresses().get(0).getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        readers.shutdownNow();
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

    /** What a streamed answer looked like: status, whether grpc-metadata came, the first lines. */
    record Answer(int status, boolean grpcMetadata, String contentType, List<String> lines) {
    }

    /**
     * Posts {@code body} and reads {@code lines} lines (or to the end, if fewer), running
     * {@code during} once the response headers arrived; the connection is then dropped.
     */
    private static Answer stream(String base, String path, String body, int lines, Runnable during)
            throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<InputStream> r = HTTP.send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            Future<List<String>> read = readers.submit(() -> {
                List<String> out = new ArrayList<>();
                BufferedReader br = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                String line;
                while (out.size() < lines && (line = br.readLine()) != null) {
                    out.add(line);
                }
                return out;
            });
            during.run();
            List<String> got = read.get(20, TimeUnit.SECONDS);
            return new Answer(r.statusCode(), r.headers().firstValue("grpc-metadata-content-type").isPresent(),
                    r.headers().firstValue("content-type").orElse(""), got);
        }
    }

    private static void put(String base, String key, String value) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v3/kv/put"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + b64(key) + "\",\"value\":\""
                        + b64(value) + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static void post(String base, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static void same(Answer real, Answer mine) throws Exception {
        assertThat(mine.status()).as("status").isEqualTo(real.status());
        assertThat(mine.grpcMetadata()).as("grpc-metadata-content-type header").isEqualTo(real.grpcMetadata());
        assertThat(mine.contentType()).isEqualTo(real.contentType());
        assertThat(mine.lines()).as("lines\nreal: %s\nours: %s", real.lines(), mine.lines())
                .hasSameSizeAs(real.lines());
        for (int i = 0; i < real.lines().size(); i++) {
            assertThat(masked(mine.lines().get(i))).as("line %d\nreal: %s\nours: %s", i, real.lines().get(i),
                    mine.lines().get(i)).isEqualTo(masked(real.lines().get(i)));
        }
    }

    private static JsonNode masked(String line) throws Exception {
        JsonNode n = JSON.readTree(line);
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
            n.forEach(GatewayStreamingMatchesRealEtcdTest::mask);
        }
    }

    @Test
    void aWatchBodyOfOneCreateStreamsCreatedThenEventsAndStaysOpen() throws Exception {
        String body = "{\"create_request\":{\"key\":\"" + b64("gw/w1") + "\"}}";
        List<Answer> answers = new ArrayList<>();
        for (String base : List.of(etcd.url(), oursUrl)) {
            answers.add(stream(base, "/v3/watch", body, 3, () -> {
                try {
                    put(base, "gw/w1", "a");
                    put(base, "gw/w1", "b");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        same(answers.get(0), answers.get(1));
        assertThat(answers.get(1).lines()).hasSize(3);
        assertThat(answers.get(1).lines().get(0)).contains("\"created\":true");
    }

    @Test
    void severalWatchCreatesInOneBodyGetTheirOwnIdsAndHistory() throws Exception {
        String body = "{\"create_request\":{\"key\":\"" + b64("gw/w2") + "\",\"start_revision\":1}}\n"
                + "{\"create_request\":{\"key\":\"" + b64("gw/w2/") + "\",\"range_end\":\"" + b64("gw/w20")
                + "\",\"prev_kv\":true}}";
        List<List<String>> lines = new ArrayList<>();
        Answer last = null;
        for (String base : List.of(etcd.url(), oursUrl)) {
            put(base, "gw/w2", "old");
            Answer a = stream(base, "/v3/watch", body, 3, () -> { });
            if (last != null) {
                assertThat(a.status()).isEqualTo(last.status());
                assertThat(a.grpcMetadata()).isEqualTo(last.grpcMetadata());
            }
            last = a;
            // Two watchers: the second's created may overtake the first's history; compare as sets.
            List<String> masked = new ArrayList<>();
            for (String l : a.lines()) {
                masked.add(masked(l).toString());
            }
            masked.sort(null);
            lines.add(masked);
        }
        assertThat(lines.get(1)).isEqualTo(lines.get(0));
    }

    @Test
    void aFirstMessageThatDoesNotDecodeIsAPlain500() throws Exception {
        Answer real = stream(etcd.url(), "/v3/watch", "{\"create_request\":", 5, () -> { });
        Answer mine = stream(oursUrl, "/v3/watch", "{\"create_request\":", 5, () -> { });
        same(real, mine);
        assertThat(mine.status()).isEqualTo(500);
    }

    @Test
    void aLaterMessageThatDoesNotDecodeOnlyEndsTheSendingSide() throws Exception {
        String body = "{\"create_request\":{\"key\":\"" + b64("gw/w3") + "\"}} xx";
        List<Answer> answers = new ArrayList<>();
        for (String base : List.of(etcd.url(), oursUrl)) {
            answers.add(stream(base, "/v3/watch", body, 2, () -> {
                try {
                    put(base, "gw/w3", "v");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        same(answers.get(0), answers.get(1));
    }

    @Test
    void keepAliveAnswersEachRequestThenEndsWithTheBody() throws Exception {
        List<Answer> answers = new ArrayList<>();
        for (String base : List.of(etcd.url(), oursUrl)) {
            post(base, "/v3/lease/grant", "{\"TTL\":60,\"ID\":4242}");
            answers.add(stream(base, "/v3/lease/keepalive", "{\"ID\":4242}{\"ID\":4242} {\"ID\":4243}", 10,
                    () -> { }));
        }
        same(answers.get(0), answers.get(1));
        assertThat(answers.get(1).lines()).hasSize(3);
    }

    @Test
    void anEmptyKeepAliveBodyIsAnEmptyStreamWithoutGrpcMetadata() throws Exception {
        Answer real = stream(etcd.url(), "/v3/lease/keepalive", "", 10, () -> { });
        Answer mine = stream(oursUrl, "/v3/lease/keepalive", "", 10, () -> { });
        same(real, mine);
        assertThat(mine.lines()).isEmpty();
    }
}
