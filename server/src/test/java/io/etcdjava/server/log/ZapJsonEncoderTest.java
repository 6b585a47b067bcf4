package io.etcdjava.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class ZapJsonEncoderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Logger log = LoggerFactory.getLogger("io.etcdjava.server.embed.Etcd");

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                nodes.add(JSON.readTree(line));
            }
        }
        return nodes;
    }

    private static List<String> keys(JsonNode n) {
        List<String> keys = new ArrayList<>();
        Iterator<String> it = n.fieldNames();
        it.forEachRemaining(keys::add);
        return keys;
    }

    @AfterEach
    void restoreDefault() {
        EtcdLogging.configure("info", List.of("stderr"));
    }

    @Test
    void a_line_has_level_ts_caller_msg_first_then_the_fields_in_order() throws Exception {
        EtcdLogging.configure("info", out);
        Instant before = Instant.now().minusMillis(1);
        log.atInfo().addKeyValue("address", "127.0.0.1:2379").log("ready to serve client requests");
        String raw = out.toString(StandardCharsets.UTF_8);
        assertThat(raw).matches("\\{\"level\":\"info\",\"ts\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\","
                + "\"caller\":\"embed/Etcd\",\"msg\":\"ready to serve client requests\",\"address\":\"127.0.0.1:2379\"\\}\n");
        JsonNode n = lines().get(0);
        assertThat(keys(n)).containsExactly("level", "ts", "caller", "msg", "address");
        Instant ts = Instant.parse(n.get("ts").asText());
        assertThat(ts).isBetween(before.minusSeconds(1), Instant.now().plusSeconds(1));
    }

    @Test
    void strings_are_escaped_so_the_line_stays_one_json_object() throws Exception {
        EtcdLogging.configure("info", out);
        String nasty = "say \"hi\"\nback\\slash\ttab\r\u0001 unicode é ✓ 𝄞 </script>";
        Log.info(log, nasty, "k\"ey", nasty);
        String raw = out.toString(StandardCharsets.UTF_8);
        assertThat(raw.split("\n")).hasSize(1);
        assertThat(raw).contains("\\u0001").contains("\\n").contains("\\t").contains("\\\"hi\\\"").contains("</script>");
        JsonNode n = lines().get(0);
        assertThat(n.get("msg").asText()).isEqualTo(nasty);
        assertThat(n.get("k\"ey").asText()).isEqualTo(nasty);
    }

    @Test
    void field_values_keep_their_json_types() throws Exception {
        EtcdLogging.configure("info", out);
        Log.info(log, "types", "int", 42, "long", 4_294_967_295L, "bool", true, "list", List.of("a", "b"),
                "array", new int[] {1, 2}, "duration", Duration.ofMillis(1500), "null", null, "double", 1.5,
                "nan", Double.NaN, "object", new StringBuilder("sb"));
        JsonNode n = lines().get(0);
        assertThat(n.get("int").isInt()).isTrue();
        assertThat(n.get("long").asLong()).isEqualTo(4_294_967_295L);
        assertThat(n.get("bool").asBoolean()).isTrue();
        assertThat(n.get("list").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(n.get("array").toString()).isEqualTo("[1,2]");
        assertThat(n.get("duration").asText()).isEqualTo("1.5s");
        assertThat(n.get("null").isNull()).isTrue();
        assertThat(n.get("double").asDouble()).isEqualTo(1.5);
        assertThat(n.get("nan").asText()).isEqualTo("NaN");
        assertThat(n.get("object").asText()).isEqualTo("sb");
    }

    @Test
    void an_exception_becomes_the_error_field_and_a_stacktrace_at_error_level() throws Exception {
        EtcdLogging.configure("info", out);
        Exception boom = new IllegalStateException("disk \"full\"");
        Log.warn(log, "failed to verify flags", "error", boom);
        Log.error(log, "failed to save", boom, "path", "/x");
        List<JsonNode> l = lines();
        assertThat(keys(l.get(0))).containsExactly("level", "ts", "caller", "msg", "error");
        assertThat(l.get(0).get("error").asText()).isEqualTo("disk \"full\"");
        assertThat(keys(l.get(1))).containsExactly("level", "ts", "caller", "msg", "path", "error", "stacktrace");
        assertThat(l.get(1).get("level").asText()).isEqualTo("error");
        assertThat(l.get(1).get("stacktrace").asText()).startsWith("java.lang.IllegalStateException: disk \"full\"\n\tat ");
    }

    @Test
    void the_log_level_filters_including_zaps_levels_above_error() throws Exception {
        EtcdLogging.configure("warn", out);
        Log.debug(log, "d");
        Log.info(log, "i");
        Log.warn(log, "w");
        Log.error(log, "e");
        Log.fatal(log, "f");
        assertThat(lines()).extracting(n -> n.get("level").asText()).containsExactly("warn", "error", "fatal");

        out.reset();
        EtcdLogging.configure("panic", out);
        Log.error(log, "e");
        Log.panic(log, "p");
        Log.fatal(log, "f");
        assertThat(lines()).extracting(n -> n.get("msg").asText()).containsExactly("p", "f");

        out.reset();
        EtcdLogging.configure("debug", out);
        Log.debug(log, "d", "k", 1);
        assertThat(lines()).extracting(n -> n.get("level").asText()).containsExactly("debug");
    }

    @Test
    void slf4j_message_formatting_still_works() throws Exception {
        EtcdLogging.configure("info", out);
        log.info("applied {} entries", 3);
        assertThat(lines().get(0).get("msg").asText()).isEqualTo("applied 3 entries");
    }

    @Test
    void log_outputs_may_be_files_appended_to(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("etcd.log");
        Files.writeString(f, "earlier\n");
        EtcdLogging.configure("info", List.of(f.toString()));
        Log.info(log, "to a file", "n", 1);
        List<String> written = Files.readAllLines(f);
        assertThat(written).hasSize(2);
        assertThat(JSON.readTree(written.get(1)).get("msg").asText()).isEqualTo("to a file");
    }

    @Test
    void concurrent_loggers_never_interleave_lines() throws Exception {
        EtcdLogging.configure("info", out);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            int id = t;
            pool.execute(() -> {
                for (int i = 0; i < 500; i++) {
                    Log.info(log, "line", "thread", id, "i", i);
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(lines()).hasSize(2000).allSatisfy(n -> assertThat(n.get("msg").asText()).isEqualTo("line"));
    }

    @Test
    void callers_are_the_last_package_and_class() {
        assertThat(ZapJsonEncoder.shortCaller("io.etcdjava.server.config.ConfigParser")).isEqualTo("config/ConfigParser");
        assertThat(ZapJsonEncoder.shortCaller("raft")).isEqualTo("raft");
    }

    @Test
    void durations_print_like_go() {
        assertThat(GoDurations.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(GoDurations.format(Duration.ofMillis(100))).isEqualTo("100ms");
        assertThat(GoDurations.format(Duration.ofSeconds(1))).isEqualTo("1s");
        assertThat(GoDurations.format(Duration.ofHours(2))).isEqualTo("2h0m0s");
        assertThat(GoDurations.format(Duration.ofMinutes(10))).isEqualTo("10m0s");
        assertThat(GoDurations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(GoDurations.format(Duration.ofNanos(56_471_052))).isEqualTo("56.471052ms");
        assertThat(GoDurations.format(Duration.ofNanos(652_490))).isEqualTo("652.49µs");
        assertThat(GoDurations.format(Duration.ofNanos(5))).isEqualTo("5ns");
        assertThat(GoDurations.format(Duration.ofMillis(-1500))).isEqualTo("-1.5s");
    }
}
