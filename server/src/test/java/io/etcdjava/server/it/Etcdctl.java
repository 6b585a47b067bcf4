package io.etcdjava.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdjava.server.it.EtcdProcess.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Debian's etcdctl (v3 API) run against member processes as an operator would, bounded in time;
 * shared by the cluster integration tests.
 */
final class Etcdctl {
    static final String BINARY = "/usr/bin/etcdctl";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SETTLE = Duration.ofSeconds(60);

    private Etcdctl() {
    }

    static boolean installed() {
        return java.nio.file.Files.isExecutable(java.nio.file.Path.of(BINARY));
    }

    /** etcdctl against one member, with a 10 s command timeout. */
    static Outcome at(EtcdProcess m, String... args) throws Exception {
        return withTimeout(List.of(m), "10s", args);
    }

    /** etcdctl against every member listed, with a 10 s command timeout. */
    static Outcome at(List<EtcdProcess> members, String... args) throws Exception {
        return withTimeout(members, "10s", args);
    }

    /** etcdctl with {@code --command-timeout=timeout} (a Go duration). */
    static Outcome withTimeout(List<EtcdProcess> members, String timeout, String... args) throws Exception {
        String endpoints = members.stream().map(EtcdProcess::endpoint).collect(Collectors.joining(","));
        List<String> cmd = new ArrayList<>(List.of(BINARY, "--endpoints=" + endpoints, "--command-timeout=" + timeout));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        EtcdProcess.scrubEnvironment(pb.environment());
        pb.environment().put("ETCDCTL_API", "3");
        return Outcome.of(pb, null, Duration.ofSeconds(90));
    }

    interface Call {
        Outcome run() throws Exception;
    }

    /** Retries while the cluster settles (an election after a membership change or a fault). */
    static Outcome awaitSuccess(Call call) throws Exception {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        Outcome o;
        do {
            o = call.run();
            if (o.exitCode() == 0) {
                return o;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not successful within " + SETTLE + ": " + o);
    }

    /** {@code endpoint status -w json} of each member, in order; a member that did not answer is left out. */
    static List<JsonNode> endpointStatus(List<EtcdProcess> members) throws Exception {
        Outcome o = withTimeout(members, "5s", "endpoint", "status", "-w", "json");
        List<JsonNode> out = new ArrayList<>();
        if (o.stdout().isBlank()) {
            return out;
        }
        JSON.readTree(o.stdout()).forEach(out::add);
        return out;
    }

    /** The status of one member ({@code Status} of {@code endpoint status -w json}). */
    static JsonNode status(EtcdProcess m) throws Exception {
        List<JsonNode> s = endpointStatus(List.of(m));
        if (s.isEmpty()) {
            throw new AssertionError("no endpoint status from " + m.endpoint());
        }
        return s.get(0).path("Status");
    }

    /** The member's ID in hex, as etcdctl's member commands print and take it. */
    static String memberIdOf(EtcdProcess m) throws Exception {
        return Long.toHexString(status(m).path("header").path("member_id").asLong());
    }

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }
}
