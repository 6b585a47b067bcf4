package io.etcdjava.server.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcdjava.server.api.testing.Etcdctl;
import io.etcdjava.server.api.testing.LoopbackMember;
import io.etcdjava.server.api.testing.RealEtcd;
import io.etcdjava.server.embed.EmbeddedEtcd;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Debian's etcdctl watching our member prints exactly what it prints watching real etcd 3.4. */
@Timeout(120)
class WatchEtcdctlTest {
    @TempDir
    Path dir;

    private static final Map<String, List<String>> WATCHES = new LinkedHashMap<>();

    static {
        WATCHES.put("key", List.of("watch", "foo"));
        WATCHES.put("prefix", List.of("watch", "--prefix", "fo"));
        WATCHES.put("rev", List.of("watch", "--rev=2", "foo"));
        WATCHES.put("prev-kv", List.of("watch", "--prev-kv", "foo"));
        WATCHES.put("exec", List.of("watch", "foo", "--", "sh", "-c",
                "echo \"$ETCD_WATCH_REVISION $ETCD_WATCH_EVENT_TYPE $ETCD_WATCH_KEY $ETCD_WATCH_VALUE\""));
    }

    @Test
    void watchOutputMatchesRealEtcd() throws Exception {
        assumeTrue(Etcdctl.available() && RealEtcd.available(), "Debian etcd/etcdctl not installed");
        Map<String, String> ours;
        try (EmbeddedEtcd member = EmbeddedEtcd.start(LoopbackMember.config(dir.resolve("ours")).build())) {
            ours = run("http://127.0.0.1:" + member.clientAddresses().get(0).getPort(), dir.resolve("ours-out"));
        }
        Map<String, String> real;
        Files.createDirectories(dir.resolve("real"));
        try (RealEtcd etcd = RealEtcd.start(dir.resolve("real"))) {
            real = run(etcd.url(), dir.resolve("real-out"));
        }
        assertThat(ours.get("key")).startsWith("PUT\nfoo\nbaz\n");
        assertThat(ours.get("prev-kv")).contains("PUT\nfoo\nbar\nfoo\nbaz\n");
        assertThat(ours).isEqualTo(real);
    }

    @Test
    void interactiveWatchMatchesRealEtcd() throws Exception {
        assumeTrue(Etcdctl.available() && RealEtcd.available(), "Debian etcd/etcdctl not installed");
        Map<String, String> ours;
        try (EmbeddedEtcd member = EmbeddedEtcd.start(LoopbackMember.config(dir.resolve("ours")).build())) {
            ours = runInteractive("http://127.0.0.1:" + member.clientAddresses().get(0).getPort(),
                    dir.resolve("ours-i"));
        }
        Map<String, String> real;
        Files.createDirectories(dir.resolve("real"));
        try (RealEtcd etcd = RealEtcd.start(dir.resolve("real"))) {
            real = runInteractive(etcd.url(), dir.resolve("real-i"));
        }
        assertThat(ours.get("ordered")).isEqualTo("PUT\nfoo\nbaz\nDELETE\nfoo\n\nPUT\nfoo\nend\n");
        assertThat(ours.get("stderr")).contains("Invalid command").contains("Error reading watch request line: EOF");
        assertThat(ours.get("rest")).contains("progress notify: ");
        assertThat(ours).isEqualTo(real);
    }

    /**
     * {@code etcdctl watch -i}: commands on stdin, one phase at a time so that only one watcher
     * prints at once where the order matters; ends by closing stdin (etcdctl exits with an error).
     */
    private static Map<String, String> runInteractive(String endpoint, Path out) throws Exception {
        Files.createDirectories(out);
        Etcdctl.run(endpoint, "put", "foo", "bar");
        ProcessBuilder pb = new ProcessBuilder(Etcdctl.BINARY.toString(), "--endpoints=" + endpoint, "watch", "-i")
                .redirectOutput(out.resolve("stdout").toFile()).redirectError(out.resolve("stderr").toFile());
        pb.environment().put("ETCDCTL_API", "3");
        Process p = pb.start();
        try {
            var stdin = p.getOutputStream();
            stdin.write("bogus foo\n\nwatch foo\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            awaitWatchers(endpoint, 1);
            for (String[] op : new String[][] {{"put", "foo", "baz"}, {"del", "foo"}, {"put", "foo", "end"}}) {
                assertThat(Etcdctl.run(endpoint, op).exitCode()).isZero();
            }
            String ordered = awaitLine(out.resolve("stdout"), "end");
            // A second watcher on other keys, then a progress request answered on the shared stream.
            stdin.write("watch --prefix ba\nprogress\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            awaitWatchers(endpoint, 2);
            assertThat(Etcdctl.run(endpoint, "put", "bax", "1").exitCode()).isZero();
            awaitLine(out.resolve("stdout"), "1");
            assertThat(Etcdctl.run(endpoint, "put", "foo", "last").exitCode()).isZero();
            String all = awaitLine(out.resolve("stdout"), "last");
            stdin.close();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("etcdctl exits at the end of stdin").isTrue();
            Map<String, String> got = new LinkedHashMap<>();
            got.put("ordered", ordered);
            // Two watchers print from two goroutines: compare the rest as a sorted list of lines.
            List<String> rest = new ArrayList<>(List.of(Files.readString(out.resolve("stdout"))
                    .substring(ordered.length()).split("\n")));
            rest.sort(null);
            got.put("rest", String.join("\n", rest));
            got.put("stderr", Files.readString(out.resolve("stderr")));
            got.put("exit", Integer.toString(p.exitValue()));
            assertThat(all).contains("last");
            return got;
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts every watch, waits until the server counts them, runs the writes, collects the output. */
    private static Map<String, String> run(String endpoint, Path out) throws Exception {
        Files.createDirectories(out);
        Etcdctl.run(endpoint, "put", "foo", "bar");
        List<Process> ps = new ArrayList<>();
        try {
            for (Map.Entry<String, List<String>> w : WATCHES.entrySet()) {
                List<String> cmd = new ArrayList<>(List.of(Etcdctl.BINARY.toString(), "--endpoints=" + endpoint));
                cmd.addAll(w.getValue());
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(out.resolve(w.getKey()).toFile());
                pb.environment().put("ETCDCTL_API", "3");
                ps.add(pb.start());
            }
            awaitWatchers(endpoint, WATCHES.size());
            for (String[] op : new String[][] {
                    {"put", "foo", "baz"}, {"put", "fob", "x"}, {"put", "other", "y"}, {"del", "foo"},
                    {"del", "fob"}, {"put", "foo", "end"}}) {
                assertThat(Etcdctl.run(endpoint, op).exitCode()).isZero();
            }
            Map<String, String> got = new LinkedHashMap<>();
            for (String name : WATCHES.keySet()) {
                // the exec watcher prints the command's line after the event: wait for that too
                got.put(name, awaitLine(out.resolve(name), name.equals("exec") ? "\"end\"" : "end"));
            }
            return got;
        } finally {
            for (Process p : ps) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Both etcds export etcd_debugging_mvcc_watcher_total: wait until every watch is registered. */
    private static void awaitWatchers(String endpoint, int n) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (metrics.contains("\netcd_debugging_mvcc_watcher_total " + n + "\n")) {
                return;
            }
            assertThat(System.nanoTime()).as("%d watchers registered at %s", n, endpoint).isLessThan(deadline);
            // An external process's progress has no event to wait on: poll.
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** The file's content once a line ending in {@code marker} appeared. */
    private static String awaitLine(Path file, String marker) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            String s = Files.readString(file, StandardCharsets.UTF_8);
            if (s.contains(marker + "\n")) {
                return s;
            }
            assertThat(System.nanoTime()).as("%s in %s; got %s", marker, file, s).isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
