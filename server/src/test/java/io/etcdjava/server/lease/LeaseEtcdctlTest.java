package io.etcdjava.server.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcdjava.server.api.testing.Etcdctl;
import io.etcdjava.server.api.testing.RealEtcd;
import io.etcdjava.server.config.ServerConfig;
import io.etcdjava.server.embed.EmbeddedEtcd;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Debian's etcdctl lease commands against our member and real etcd: same output, IDs/TTLs masked. */
@Timeout(120)
class LeaseEtcdctlTest {
    private static final Pattern GRANTED = Pattern.compile("lease ([0-9a-f]+) granted");
    private static final Pattern ATTACHED = Pattern.compile("attached keys\\(\\[([^\\]]*)\\]\\)");

    @TempDir
    Path dir;

    @Test
    void leaseCommandsPrintWhatRealEtcdPrints() throws Exception {
        assumeTrue(Etcdctl.available() && RealEtcd.available(), "etcd/etcdctl not installed");
        List<String> ours;
        ServerConfig cfg = ServerConfig.builder()
                .listenPeerUrls("http://127.0.0.1:0") // never 2380: a lone member binds its peer port too
                .dataDir(dir.resolve("ours").toString())
                .listenClientUrls("http://127.0.0.1:0")
                .advertiseClientUrls("http://127.0.0.1:0")
                .build();
        try (EmbeddedEtcd member = EmbeddedEtcd.start(cfg)) {
            ours = transcript("http://127.0.0.1:" + member.clientAddresses().get(0).getPort());
        }
        List<String> theirs;
        java.nio.file.Files.createDirectories(dir.resolve("real"));
        try (RealEtcd etcd = RealEtcd.start(dir.resolve("real"))) {
            theirs = transcript(etcd.url());
        }
        assertThat(ours).isEqualTo(theirs);
        assertThat(ours.get(0)).isEqualTo("0 lease ID granted with TTL(60s)\n|");
    }

    private static List<String> transcript(String endpoint) throws Exception {
        List<String> out = new ArrayList<>();
        Etcdctl.Result g = Etcdctl.run(endpoint, "lease", "grant", "60");
        Matcher m = GRANTED.matcher(g.stdout());
        assertThat(m.find()).as(g.stdout() + g.stderr()).isTrue();
        String id = m.group(1);
        out.add(norm(g, id));
        out.add(norm(Etcdctl.run(endpoint, "put", "--lease=" + id, "k1", "v1"), id));
        out.add(norm(Etcdctl.run(endpoint, "put", "--lease=" + id, "k2", "v2"), id));
        out.add(norm(Etcdctl.run(endpoint, "lease", "timetolive", id, "--keys"), id));
        out.add(norm(Etcdctl.run(endpoint, "lease", "timetolive", id), id));
        out.add(norm(Etcdctl.run(endpoint, "lease", "list"), id));
        out.add(norm(Etcdctl.run(endpoint, "lease", "keep-alive", "--once", id), id));
        out.add(norm(Etcdctl.run(endpoint, "put", "--lease=1234abcd", "k3", "v3"), id));
        out.add(norm(Etcdctl.run(endpoint, "lease", "revoke", id), id));
        out.add(norm(Etcdctl.run(endpoint, "get", "k1"), id));
        out.add(norm(Etcdctl.run(endpoint, "lease", "timetolive", id), id));
        out.add(norm(Etcdctl.run(endpoint, "lease", "revoke", id), id));
        out.add(norm(Etcdctl.run(endpoint, "lease", "keep-alive", "--once", id), id));
        return out;
    }

    private static String norm(Etcdctl.Result r, String id) {
        String s = r.exitCode() + " " + r.stdout() + "|" + r.stderr();
        s = s.replace(id, "ID").replaceAll("remaining\\(\\d+s\\)", "remaining(Ns)");
        // etcd lists a lease's keys in Go map order, which varies from run to run.
        Matcher keys = ATTACHED.matcher(s);
        if (keys.find()) {
            String sorted = String.join(" ", new java.util.TreeSet<>(List.of(keys.group(1).split(" "))));
            s = s.substring(0, keys.start(1)) + sorted + s.substring(keys.end(1));
        }
        // Timestamps etcdctl prefixes to its error lines.
        return s.replaceAll("\\{\"level\".*?\\}\\n", "").replaceAll("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d ", "");
    }
}
