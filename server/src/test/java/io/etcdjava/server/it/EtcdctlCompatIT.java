package io.etcdjava.server.it;

import static io.etcdjava.server.it.SideBySide.b64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3: the same etcdctl 3.4 commands (and the same curl-style gateway calls) against our member
 * process and against real etcd 3.4 print the same, apart from what {@link Normalize} masks. One
 * pair of servers for the class; each test works under its own key prefix and every command goes
 * to both servers, so both keyspaces stay identical whatever the test order.
 */
@Timeout(180)
class EtcdctlCompatIT {
    private static SideBySide both;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(SideBySide.toolsInstalled(), "Debian's etcd and etcdctl are not installed");
        both = SideBySide.start(EtcdProcess.workDir("EtcdctlCompatIT"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (both != null) {
            both.close();
        }
    }

    @Test
    void putAndGetWithEveryOutputFlag() throws Exception {
        both.same("put", "get/a", "1");
        both.same("put", "get/b", "2");
        both.same("put", "get/c", "3");
        both.same("put", "get/b", "22");
        both.same("put", "get/d", "4");
        both.same("put", "get/a", "11", "--prev-kv");
        both.same("put", "get/e", "5", "--prev-kv", "-w", "json");
        both.same("put", "get/e", "55", "--prev-kv", "-w", "json");

        both.same("get", "get/a");
        both.same("get", "get/nothing");
        both.same("get", "get/a", "get/c");
        both.same("get", "get/", "--prefix");
        both.same("get", "get/c", "--from-key", "--limit", "3");
        both.same("get", "get/", "--prefix", "--keys-only");
        both.same("get", "get/", "--prefix", "--print-value-only");
        both.same("get", "get/", "--prefix", "--limit", "2");
        both.same("get", "get/", "--prefix", "--limit", "2", "-w", "json"); // "more":true
        both.same("get", "get/", "--prefix", "--limit", "5", "-w", "json"); // no "more"
        both.same("get", "get/", "--prefix", "--sort-by=MODIFY", "--order=DESCEND");
        both.same("get", "get/", "--prefix", "--sort-by=CREATE", "--order=ASCEND");
        both.same("get", "get/", "--prefix", "--sort-by=VERSION", "--order=DESCEND", "-w", "json");
        both.same("get", "get/", "--prefix", "--sort-by=VALUE");
        both.same("get", "get/", "--prefix", "--sort-by=KEY", "--order=DESCEND", "--limit", "2");
        // etcdctl 3.4 has no --count-only (3.5 added it) and no table for get: both refuse alike.
        // count_only itself is compared through the gateway below.
        both.same("get", "get/", "--prefix", "--count-only", "-w", "json");
        both.same("get", "get/", "--prefix", "-w", "table");
        both.same("get", "get/a", "-w", "json");
        both.same("get", "get/a", "-w", "fields");
        both.same("get", "get/", "--prefix", "--keys-only", "--limit", "1", "-w", "json");

        // Equal is not enough if both failed alike: pin a few answers.
        assertThat(both.same("get", "get/", "--prefix", "--sort-by=MODIFY", "--order=DESCEND", "--keys-only")
                .stdout()).isEqualTo("get/e\n\nget/a\n\nget/d\n\nget/b\n\nget/c\n\n");
        assertThat(both.same("get", "get/", "--prefix", "--limit", "2", "-w", "json").stdout())
                .contains("\"more\":true,\"count\":5}");
    }

    @Test
    void getAtOlderRevisions() throws Exception {
        both.same("put", "rev/k", "v1");
        long[] r1 = {SideBySide.revision(both.real), SideBySide.revision(both.ours)};
        assertThat(r1[1]).as("both stores saw the same history").isEqualTo(r1[0]);
        both.same("put", "rev/k", "v2");
        both.same("put", "rev/k", "v3");
        both.same("del", "rev/k");

        assertThat(both.same(null, p -> List.of("get", "rev/k", "--rev", Long.toString(rev(r1, p)))).stdout())
                .isEqualTo("rev/k\nv1\n");
        both.same(null, p -> List.of("get", "rev/k", "--rev", Long.toString(rev(r1, p) + 1), "-w", "json"));
        both.same(null, p -> List.of("get", "rev/k", "--rev", Long.toString(rev(r1, p) + 3)));
        both.same(null, p -> List.of("get", "rev/", "--prefix", "--rev", Long.toString(rev(r1, p) + 2), "--keys-only"));
        both.same("get", "rev/k", "--rev", "0");
        both.same("get", "rev/k", "--rev", "99999999"); // a future revision
    }

    @Test
    void deleteWithPrefixPrevKvAndFromKey() throws Exception {
        // "zz-" sorts after every other test's prefix, so --from-key stays inside this test's keys.
        for (String k : List.of("a", "b", "c", "d", "e", "p/1", "p/2", "p/3")) {
            both.same("put", "zz-del/" + k, "v-" + k);
        }
        both.same("del", "zz-del/a");
        both.same("del", "zz-del/nothing");
        both.same("del", "zz-del/b", "--prev-kv");
        both.same("del", "zz-del/c", "--prev-kv", "-w", "json");
        both.same("del", "zz-del/p/", "--prefix", "--prev-kv");
        both.same("del", "zz-del/p/", "--prefix");
        both.same("put", "zz-del/p/4", "x");
        both.same("del", "zz-del/p/", "--prefix", "-w", "json");
        both.same("del", "zz-del/d", "--from-key", "--prev-kv");
        assertThat(both.same("get", "zz-del/", "--prefix", "--keys-only").stdout()).isEmpty();
    }

    @Test
    void txnFromStdin() throws Exception {
        both.same("put", "txn/k", "v1");
        both.same("put", "txn/n", "1");
        // success branch, with a read inside the txn
        both.sameWithStdin("value(\"txn/k\") = \"v1\"\n\nput txn/k v2\nget txn/k\n\nput txn/k bad\n\n", "txn");
        // failure branch
        both.sameWithStdin("version(\"txn/k\") > \"5\"\n\nput txn/k never\n\nget txn/k\ndel txn/nothing\n\n", "txn");
        // several compares, every target, JSON output
        both.sameWithStdin("mod(\"txn/k\") > \"0\"\ncreate(\"txn/k\") != \"0\"\nversion(\"txn/n\") = \"1\"\n"
                + "value(\"txn/n\") < \"2\"\n\nput txn/n 2\nget txn/ --prefix\n\nput txn/n fail\n\n", "txn", "-w", "json");
        both.sameWithStdin("value(\"txn/missing\") = \"x\"\n\n\ndel txn/n --prev-kv\nget txn/k --print-value-only\n\n",
                "txn", "-w", "json");
        // an empty txn, a syntax error and a duplicate key in one branch
        both.sameWithStdin("\n\n\n", "txn");
        both.sameWithStdin("garbage\n", "txn");
        both.sameWithStdin("\nput txn/d 1\ndel txn/d\n\n\n", "txn");
        assertThat(both.same("get", "txn/", "--prefix").stdout()).isEqualTo("txn/k\nv2\n");
    }

    @Test
    void txnInteractive() throws Exception {
        both.same("put", "itxn/k", "v1");
        both.sameWithStdin("value(\"itxn/k\") = \"v1\"\n\nput itxn/k v2\n\nput itxn/k v3\n\n", "txn", "-i");
        both.sameWithStdin("value(\"itxn/k\") = \"v1\"\n\nput itxn/k v2\n\nget itxn/k\n\n", "txn", "-i", "-w", "json");
        both.sameWithStdin("oops(\"itxn/k\") = \"v1\"\n", "txn", "--interactive");
        assertThat(both.same("get", "itxn/k", "--print-value-only").stdout()).isEqualTo("v2\n");
    }

    @Test
    void compactionAndReadsBelowIt() throws Exception {
        both.same("put", "cmp/k", "v1");
        long[] first = {SideBySide.revision(both.real), SideBySide.revision(both.ours)};
        both.same("put", "cmp/k", "v2");
        both.same("put", "cmp/k", "v3");

        both.same(null, p -> List.of("compaction", Long.toString(rev(first, p) + 1)));
        assertThat(both.same(null, p -> List.of("get", "cmp/k", "--rev", Long.toString(rev(first, p)))).stderr())
                .endsWith("Error: etcdserver: mvcc: required revision has been compacted\n");
        both.same(null, p -> List.of("get", "cmp/k", "--rev", Long.toString(rev(first, p) + 1)));
        both.same(null, p -> List.of("compaction", Long.toString(rev(first, p))));
        both.same(null, p -> List.of("compaction", "--physical", Long.toString(rev(first, p) + 2)));
        both.same(null, p -> List.of("get", "cmp/k", "--rev", Long.toString(rev(first, p) + 2), "-w", "json"));
        both.same("compaction", "99999999");
        both.same("compaction", "notanumber");
        both.same("get", "cmp/k");
    }

    private static long rev(long[] perServer, EtcdProcess p) {
        return p == both.real ? perServer[0] : perServer[1];
    }

    @Test
    void endpointStatusAndHealth() throws Exception {
        assertThat(both.same("endpoint", "status").stdout()).startsWith(both.ours.endpoint() + ", ")
                .contains(", 3.5.0, ");
        both.same("endpoint", "status", "-w", "json");
        both.same("endpoint", "status", "-w", "table");
        both.same("endpoint", "status", "-w", "fields");
        assertThat(both.same("endpoint", "health").stderr())
                .contains(both.ours.endpoint() + " is healthy: successfully committed proposal: took = ");
        both.same("endpoint", "health", "-w", "json");
        both.same("endpoint", "health", "-w", "table");
    }

    @Test
    void gatewayAnswersCurlLikeEtcd() throws Exception {
        String k = b64("gw/k");
        both.samePost("/v3/kv/put", "{\"key\":\"" + k + "\",\"value\":\"" + b64("v1") + "\"}");
        both.samePost("/v3/kv/put", "{\"key\":\"" + b64("gw/l") + "\",\"value\":\"" + b64("x") + "\"}");
        both.samePost("/v3/kv/put", "{\"key\":\"" + k + "\",\"value\":\"" + b64("v2") + "\",\"prev_kv\":true}");
        both.samePost("/v3/kv/range", "{\"key\":\"" + k + "\"}");
        both.samePost("/v3/kv/range", "{\"key\":\"" + b64("gw/") + "\",\"range_end\":\"" + b64("gw0") + "\"}");
        both.samePost("/v3/kv/range", "{\"key\":\"" + b64("gw/") + "\",\"range_end\":\"" + b64("gw0")
                + "\",\"limit\":1,\"sort_order\":\"DESCEND\",\"sort_target\":\"MOD\"}");
        both.samePost("/v3/kv/range", "{\"key\":\"" + b64("gw/") + "\",\"range_end\":\"" + b64("gw0")
                + "\",\"count_only\":true}");
        both.samePost("/v3/kv/txn", "{\"compare\":[{\"key\":\"" + k + "\",\"result\":\"EQUAL\",\"target\":\"VALUE\","
                + "\"value\":\"" + b64("v2") + "\"}],\"success\":[{\"request_put\":{\"key\":\"" + k
                + "\",\"value\":\"" + b64("v3") + "\"}},{\"request_range\":{\"key\":\"" + k + "\"}}],"
                + "\"failure\":[{\"request_range\":{\"key\":\"" + k + "\"}}]}");
        both.samePost("/v3/kv/txn", "{\"compare\":[{\"key\":\"" + k + "\",\"result\":\"GREATER\",\"target\":\"VERSION\","
                + "\"version\":\"99\"}],\"failure\":[{\"request_delete_range\":{\"key\":\"" + b64("gw/l")
                + "\",\"prev_kv\":true}}]}");
        assertThat(both.samePost("/v3/kv/deleterange", "{\"key\":\"" + k + "\",\"prev_kv\":true}").body())
                .contains("\"deleted\":\"1\",\"prev_kvs\":[{\"key\":\"" + k + "\"");
        both.samePost("/v3/kv/deleterange", "{\"key\":\"" + b64("gw/nothing") + "\"}");
        long[] now = {SideBySide.revision(both.real), SideBySide.revision(both.ours)};
        both.samePost("/v3/kv/compaction", p -> "{\"revision\":\"" + rev(now, p) + "\"}");
        both.samePost("/v3/kv/compaction", p -> "{\"revision\":\"" + rev(now, p) + "\",\"physical\":true}");
        both.samePost("/v3/kv/compaction", "{\"revision\":\"99999999\"}");
        both.samePost("/v3/kv/range", p -> "{\"key\":\"" + k + "\",\"revision\":\"" + (rev(now, p) - 1) + "\"}");
        both.samePost("/v3/kv/range", "{\"key\":\"" + k + "\",\"revision\":\"99999999\"}");
    }
}
