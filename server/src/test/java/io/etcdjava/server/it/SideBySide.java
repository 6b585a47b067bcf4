package io.etcdjava.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdjava.server.it.EtcdProcess.Kind;
import io.etcdjava.server.it.EtcdProcess.Outcome;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * Our member and real etcd, started with the same flags, fed the same commands: every command runs
 * on both and the outputs must match after {@link Normalize}. Revisions stay equal because both
 * stores see exactly the same history.
 */
final class SideBySide implements AutoCloseable {
    static final Path ETCDCTL = Path.of("/usr/bin/etcdctl");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    final EtcdProcess ours;
    final EtcdProcess real;
    private final Path transcript;

    private SideBySide(EtcdProcess ours, EtcdProcess real, Path transcript) {
        this.ours = ours;
        this.real = real;
        this.transcript = transcript;
    }

    static boolean toolsInstalled() {
        return EtcdProcess.realEtcdInstalled() && Files.isExecutable(ETCDCTL);
    }

    /** Boots both side by side (ours takes longer) and waits until both answer /health. */
    static SideBySide start(Path dir, String... extraArgs) throws IOException, InterruptedException {
        EtcdProcess ours = null;
        EtcdProcess real = null;
        try {
            ours = EtcdProcess.launch(Kind.OURS, dir.resolve("ours"), extraArgs);
            real = EtcdProcess.launch(Kind.REAL, dir.resolve("real"), extraArgs);
            real.awaitReady();
            ours.awaitReady();
            return new SideBySide(ours, real, dir.resolve("transcript.txt"));
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            closeAll(ours, real);
            throw e;
        }
    }

    @Override
    public void close() throws InterruptedException {
        closeAll(ours, real);
    }

    private static void closeAll(EtcdProcess... ps) throws InterruptedException {
        for (EtcdProcess p : ps) {
            if (p != null) {
                p.close();
            }
        }
    }

    // ---- etcdctl ----

    /** Debian's etcdctl against one member, bounded in time; {@code stdin} may be null. */
    static Outcome etcdctl(EtcdProcess p, String stdin, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ETCDCTL.toString(), "--endpoints=" + p.endpoint(),
                "--dial-timeout=5s", "--command-timeout=15s"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        EtcdProcess.scrubEnvironment(pb.environment());
        pb.environment().put("ETCDCTL_API", "3");
        return Outcome.of(pb, stdin, Duration.ofSeconds(40));
    }

    /** Runs {@code etcdctl args} on both; their normalised outputs must be equal. Returns ours. */
    Outcome same(String... args) throws IOException, InterruptedException {
        return sameWithStdin(null, args);
    }

    Outcome sameWithStdin(String stdin, String... args) throws IOException, InterruptedException {
        return same(stdin, p -> List.of(args));
    }

    /** For commands whose arguments depend on the member (its own revisions). */
    Outcome same(String stdin, Function<EtcdProcess, List<String>> args) throws IOException, InterruptedException {
        Outcome r = etcdctl(real, stdin, args.apply(real));
        Outcome o = etcdctl(ours, stdin, args.apply(ours));
        record("$ etcdctl " + clip(String.join(" ", args.apply(ours))) + (stdin == null ? "" : " <<< " + clip(stdin)),
                o.toString());
        assertThat(Normalize.outcome(o, ours.endpoint()))
                .as("etcdctl %s%s\n=== real etcd, raw ===\n%s\n=== ours, raw ===\n%s", clip(String.join(" ",
                        args.apply(ours))), stdin == null ? "" : " <<< " + clip(stdin), r, o)
                .isEqualTo(Normalize.outcome(r, real.endpoint()));
        return o;
    }

    /** What ours answered to each command, for reading after a run (target/it/<class>/transcript.txt). */
    private void record(String command, String answer) throws IOException {
        Files.writeString(transcript, command + "\n" + answer + "\n\n", java.nio.charset.StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    private static String clip(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...(" + s.length() + " chars)";
    }

    // ---- the /v3 JSON gateway ----

    record Answer(int status, String contentType, String body) {
    }

    /** A curl-style POST: no content type, the JSON as the body. */
    static Answer post(EtcdProcess p, String path, String body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(p.url() + path)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.headers().firstValue("content-type").orElse(""), r.body());
    }

    Answer samePost(String path, String body) throws IOException, InterruptedException {
        return samePost(path, p -> body);
    }

    /** POSTs to both; status, content type and normalised body must be equal. Returns ours. */
    Answer samePost(String path, Function<EtcdProcess, String> body) throws IOException, InterruptedException {
        Answer r = post(real, path, body.apply(real));
        Answer o = post(ours, path, body.apply(ours));
        record("$ POST " + path + " " + clip(body.apply(ours)), o.status() + " " + o.contentType() + "\n" + o.body());
        assertThat(o.status() + " " + o.contentType() + "\n" + Normalize.text(o.body(), ours.endpoint()))
                .as("POST %s %s\n=== real etcd, raw ===\n%s\n=== ours, raw ===\n%s", path, clip(body.apply(ours)), r, o)
                .isEqualTo(r.status() + " " + r.contentType() + "\n" + Normalize.text(r.body(), real.endpoint()));
        return o;
    }

    /** The member's current revision, from a range's response header. */
    static long revision(EtcdProcess p) throws IOException, InterruptedException {
        Answer a = post(p, "/v3/kv/range", "{\"key\":\"" + b64("\0") + "\"}");
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        return JSON.readTree(a.body()).path("header").path("revision").asLong();
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
