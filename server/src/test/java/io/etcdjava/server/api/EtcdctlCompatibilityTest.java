package io.etcdjava.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcdjava.server.api.testing.Etcdctl;
import io.etcdjava.server.api.testing.Etcdctl.Result;
import io.etcdjava.server.api.testing.TestServer;
import io.etcdjava.server.errors.EtcdError;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Debian's real etcdctl 3.4 against our client port (over the in-memory fake member). */
@Timeout(120)
class EtcdctlCompatibilityTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        assumeTrue(Etcdctl.available(), "etcdctl not installed");
        server = new TestServer(1024);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void putGetDelPrintWhatTheyPrintAgainstEtcd() throws Exception {
        Result put = Etcdctl.run(server.endpoint(), "put", "foo", "bar");
        assertThat(put.exitCode()).as(put.stderr()).isZero();
        assertThat(put.stdout()).isEqualTo("OK\n");

        Result get = Etcdctl.run(server.endpoint(), "get", "foo");
        assertThat(get.stdout()).isEqualTo("foo\nbar\n");

        Result del = Etcdctl.run(server.endpoint(), "del", "foo");
        assertThat(del.stdout()).isEqualTo("1\n");

        assertThat(Etcdctl.run(server.endpoint(), "get", "foo").stdout()).isEmpty();
    }

    @Test
    void getWithPrefixAndJsonOutput() throws Exception {
        Etcdctl.run(server.endpoint(), "put", "p/a", "1");
        Etcdctl.run(server.endpoint(), "put", "p/b", "2");

        Result r = Etcdctl.run(server.endpoint(), "get", "p/", "--prefix", "-w", "json");

        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).contains("\"count\":2").contains("\"key\":\"cC9h\"").contains("\"value\":\"MQ==\"");
    }

    @Test
    void txnFromStdin(@TempDir Path dir) throws Exception {
        Etcdctl.run(server.endpoint(), "put", "t", "v1");
        Path script = dir.resolve("txn");
        Files.writeString(script, "value(\"t\") = \"v1\"\n\nput t v2\n\nput t other\n\n");

        Result r = Etcdctl.run(server.endpoint(), script, "txn");

        assertThat(r.stdout()).isEqualTo("SUCCESS\n\nOK\n");
        assertThat(Etcdctl.run(server.endpoint(), "get", "t", "--print-value-only").stdout()).isEqualTo("v2\n");
    }

    @Test
    void endpointHealthReportsACommittedProposal() throws Exception {
        Result r = Etcdctl.run(server.endpoint(), "endpoint", "health");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        // etcdctl 3.4 writes this line through its logger, so the stream varies by version.
        assertThat(r.stdout() + r.stderr()).containsPattern(
                "127\\.0\\.0\\.1:" + server.port() + " is healthy: successfully committed proposal: took = [0-9.]+(µs|ms|s)");
    }

    @Test
    void endpointStatusJsonCarriesTheMembersStatus() throws Exception {
        Result r = Etcdctl.run(server.endpoint(), "endpoint", "status", "-w", "json");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("[{\"Endpoint\":\"" + server.endpoint() + "\",\"Status\":{\"header\":{")
                .contains("\"version\":\"3.5.0\"").contains("\"dbSize\":20480").contains("\"raftIndex\":15");
    }

    @Test
    void aCompactedReadPrintsEtcdsMessage() throws Exception {
        server.kv.failNext(EtcdError.COMPACTED.exception());

        Result r = Etcdctl.run(server.endpoint(), "get", "foo", "--rev=1");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errorLines()).isEqualTo("Error: etcdserver: mvcc: required revision has been compacted\n");
    }

    @Test
    void anUnimplementedServiceFailsGracefully() throws Exception {
        Result r = Etcdctl.run(server.endpoint(), "member", "list");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errorLines()).startsWith("Error: rpc error: code = Unimplemented desc = ")
                .contains("etcdserverpb.Cluster/MemberList");
    }

    @Test
    void aPutOverTheGrpcLimitIsRefusedAsEtcdRefusesIt(@TempDir Path dir) throws Exception {
        // maxRequestBytes 1024 → gRPC limit 1024 + 512 KiB = 525312, as `etcd --max-request-bytes 1024`.
        Path value = dir.resolve("value");
        Files.write(value, "a".repeat(600_000).getBytes());

        Result r = Etcdctl.run(server.endpoint(), value, "put", "big");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errorLines()).isEqualTo("Error: rpc error: code = ResourceExhausted desc = "
                + "grpc: received message larger than max (600009 vs. 525312)\n");
    }
}
