package io.etcdjava.server.it;

import static io.etcdjava.server.it.SideBySide.b64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdjava.server.it.EtcdProcess.Kind;
import io.etcdjava.server.it.EtcdProcess.Outcome;
import io.etcdjava.server.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3, bad input: bad flags and a bad data dir make {@code bin/etcd} refuse to start as real
 * etcd refuses; bad requests (through etcdctl and the gateway) against two members started with
 * small limits ({@code --max-request-bytes 1024 --max-txn-ops 3}) fail with the same errors.
 */
@Timeout(180)
class BadInputIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path dir;
    private static SideBySide both;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(SideBySide.toolsInstalled(), "Debian's etcd and etcdctl are not installed");
        dir = EtcdProcess.workDir("BadInputIT");
        both = SideBySide.start(dir.resolve("limits"), "--max-request-bytes", "1024", "--max-txn-ops", "3");
    }

    @AfterAll
    static void stop() throws Exception {
        if (both != null) {
            both.close();
        }
    }

    // ---- bin/etcd refuses to start ----

    /** Both binaries, same arguments (and free ports, should either get as far as listening). */
    private static Outcome[] launchBoth(Map<String, String> env, String... args) throws Exception {
        Outcome[] out = new Outcome[2];
        int i = 0;
        for (Kind kind : new Kind[] {Kind.REAL, Kind.OURS}) {
            String client = "http://127.0.0.1:" + FreePorts.next();
            String peer = "http://127.0.0.1:" + FreePorts.next();
            List<String> argv = new ArrayList<>(List.of(args));
            argv.addAll(List.of("--listen-client-urls", client, "--advertise-client-urls", client,
                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                    "--initial-cluster", "default=" + peer));
            argv.addAll(kind.loggingArgs());
            out[i++] = EtcdProcess.runToExit(kind, env, argv.toArray(String[]::new));
        }
        return out;
    }

    @Test
    void anUnknownFlagPrintsEtcdsUsageAndExitsTwo() throws Exception {
        for (String flag : List.of("--bogus-flag", "--name")) {
            Outcome real = EtcdProcess.runToExit(Kind.REAL, Map.of(), flag);
            Outcome ours = EtcdProcess.runToExit(Kind.OURS, Map.of(), flag);

            assertThat(ours.exitCode()).as("%s\nreal: %s\nours: %s", flag, real, ours).isEqualTo(real.exitCode())
                    .isEqualTo(2);
            assertThat(ours.stderr()).as(flag).isEqualTo(real.stderr());
            assertThat(ours.stdout()).as(flag).isEqualTo(real.stdout());
        }
    }

    @Test
    void anInvalidInitialClusterStateIsRefusedLikeEtcd() throws Exception {
        String[] args = {"--initial-cluster-state", "bogus", "--data-dir", dir.resolve("state").toString()};
        Outcome real = EtcdProcess.runToExit(Kind.REAL, Map.of(), args);
        Outcome ours = EtcdProcess.runToExit(Kind.OURS, Map.of(), args);

        assertThat(ours.exitCode()).as("real: %s\nours: %s", real, ours).isEqualTo(real.exitCode()).isEqualTo(2);
        assertThat(ours.stderr()).isEqualTo(real.stderr())
                .startsWith("invalid value \"bogus\" for flag -initial-cluster-state: invalid value\n");
        assertThat(ours.stdout()).isEqualTo(real.stdout());
    }

    @Test
    void nameGivenAsFlagAndAsEtcdNameIsAConflict() throws Exception {
        Outcome[] o = launchBoth(Map.of("ETCD_NAME", "from-env"), "--name", "from-flag",
                "--data-dir", dir.resolve("conflict").toString());
        String msg = "conflicting environment variable \"ETCD_NAME\" is shadowed by corresponding command-line flag "
                + "(either unset environment variable or disable flag)";

        assertThat(o[1].exitCode()).as("real: %s\nours: %s", o[0], o[1]).isEqualTo(o[0].exitCode()).isEqualTo(1);
        // etcd 3.4 reports this through capnslog before its zap logger exists; we log etcd 3.5's zap line.
        assertThat(o[0].stderr()).contains(" C | pkg/flags: " + msg);
        assertThat(fatal(o[1].stderr()).path("msg").asText()).isEqualTo(msg);
        assertThat(Files.exists(dir.resolve("conflict"))).as("no data dir is created").isFalse();
    }

    @Test
    void aDataDirThatIsAFileIsFatal() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        Outcome[] o = launchBoth(Map.of(), "--data-dir", file.toString());

        assertThat(o[1].exitCode()).as("real: %s\nours: %s", o[0], o[1]).isEqualTo(o[0].exitCode()).isEqualTo(1);
        JsonNode real = fatal(o[0].stderr());
        JsonNode ours = fatal(o[1].stderr());
        assertThat(ours.path("msg").asText()).isEqualTo(real.path("msg").asText())
                .isEqualTo("failed to list data directory");
        assertThat(ours.path("error").asText()).isEqualTo(real.path("error").asText())
                .isEqualTo("readdirent " + file + ": not a directory");
        assertThat(ours.path("dir").asText()).isEqualTo(real.path("dir").asText());
    }

    /** The one zap line at level fatal in a process's stderr. */
    private static JsonNode fatal(String stderr) throws Exception {
        List<JsonNode> fatal = new ArrayList<>();
        for (String line : stderr.split("\n")) {
            if (line.startsWith("{")) {
                JsonNode n = JSON.readTree(line);
                if (n.path("level").asText().equals("fatal")) {
                    fatal.add(n);
                }
            }
        }
        assertThat(fatal).as(stderr).hasSize(1);
        return fatal.get(0);
    }

    // ---- bad requests ----

    @Test
    void emptyKeysAndImpossibleRevisions() throws Exception {
        both.same("put", "", "x");
        both.same("get", "");
        both.same("del", "");
        both.same("put", "bad/k", "v");
        both.same("get", "bad/k", "--rev", "-1"); // etcd reads a negative revision as "current"
        both.same("get", "bad/k", "--rev", "99999999");
        both.same("get", "bad/k", "--limit", "-1");
        both.same("compaction", "0");
        both.same("put", "bad/k", "v", "--lease=1234"); // no such lease
        both.same("get", "bad/k", "--sort-by=FOO");
        both.same("get", "bad/k", "--bogus");
        both.same("del", "bad/k", "--prefix", "--from-key");
        both.same("get", "bad/k", "--print-value-only");
    }

    @Test
    void aTxnOverMaxTxnOpsIsRefused() throws Exception {
        both.sameWithStdin("\nput bad/t1 1\nput bad/t2 2\nput bad/t3 3\n\n\n", "txn"); // 3: allowed
        both.sameWithStdin("\nput bad/t1 1\nput bad/t2 2\nput bad/t3 3\nput bad/t4 4\n\n\n", "txn");
        both.sameWithStdin("\nput bad/t1 1\n\nget bad/t1\nget bad/t2\nget bad/t3\nget bad/t4\n\n", "txn", "-w", "json");
        StringBuilder ops = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            ops.append(i == 0 ? "" : ",").append("{\"request_put\":{\"key\":\"").append(b64("bad/g" + i))
                    .append("\",\"value\":\"").append(b64("v")).append("\"}}");
        }
        SideBySide.Answer a = both.samePost("/v3/kv/txn", "{\"success\":[" + ops + "]}");
        assertThat(a.body()).contains("etcdserver: too many operations in txn request");
        both.same("get", "bad/", "--prefix", "--keys-only");
    }

    @Test
    void aValueOverMaxRequestBytesIsRefused() throws Exception {
        both.same("put", "bad/small", "a".repeat(900));
        Outcome tooLarge = both.same("put", "bad/large", "a".repeat(1100));
        assertThat(tooLarge.stderr()).contains("Error: etcdserver: request is too large");
        // over the gRPC transport limit too (1024 + 512 KiB): refused before it reaches the server
        both.sameWithStdin("a".repeat(600_000), "put", "bad/huge");
        both.samePost("/v3/kv/put", "{\"key\":\"" + b64("bad/gw") + "\",\"value\":\"" + b64("a".repeat(1100)) + "\"}");
        both.samePost("/v3/kv/put", "{\"key\":\"" + b64("bad/gw") + "\",\"value\":\""
                + b64("a".repeat(600_000)) + "\"}");
        both.same("get", "bad/", "--prefix", "--keys-only");
    }

    @Test
    void badGatewayRequests() throws Exception {
        both.samePost("/v3/kv/put", "{\"value\":\"" + b64("v") + "\"}");
        both.samePost("/v3/kv/range", "{\"key\":\"" + b64("bad/k") + "\",\"no_such_field\":1}");
        both.samePost("/v3/kv/range", "{\"key\":\"" + b64("bad/k") + "\",\"revision\":\"-1\"}");
        both.samePost("/v3/kv/deleterange", "{}");
        // an enum name the API does not have is refused, not silently read as the default
        both.samePost("/v3/kv/range", "{\"key\":\"" + b64("bad/k") + "\",\"sort_order\":\"DESCND\"}");
        both.samePost("/v3/kv/range", "{\"key\":\"" + b64("bad/k") + "\",\"sortTarget\":\"NOPE\"}");
        both.samePost("/v3/kv/txn", "{\"compare\":[{\"key\":\"" + b64("bad/k") + "\",\"result\":\"SAME\","
                + "\"target\":\"VALUE\",\"value\":\"" + b64("v") + "\"}]}");
        both.samePost("/v3/kv/range", "{\"key\":\"" + b64("bad/k") + "\",\"sort_order\":\"DESCEND\"}");
        both.samePost("/v3/kv/nope", "{}");
        // Go's JSON decoder and protobuf-java's word their complaint differently; status and code agree.
        SideBySide.Answer real = SideBySide.post(both.real, "/v3/kv/range", "{bad json");
        SideBySide.Answer ours = SideBySide.post(both.ours, "/v3/kv/range", "{bad json");
        assertThat(ours.status()).isEqualTo(real.status()).isEqualTo(400);
        assertThat(JSON.readTree(ours.body()).path("code")).isEqualTo(JSON.readTree(real.body()).path("code"));
    }
}
