package io.etcdjava.server.api.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Debian's etcdctl 3.4 against an endpoint, bounded in time. */
public final class Etcdctl {
    public static final Path BINARY = Path.of("/usr/bin/etcdctl");

    public record Result(int exitCode, String stdout, String stderr) {
        /** stderr without clientv3's JSON retry-log lines. */
        public String errorLines() {
            StringBuilder b = new StringBuilder();
            for (String line : stderr.split("\n")) {
                if (!line.startsWith("{")) {
                    b.append(line).append('\n');
                }
            }
            return b.toString();
        }
    }

    private Etcdctl() {
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    public static Result run(String endpoint, Path stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "--endpoints=" + endpoint,
                "--dial-timeout=5s", "--command-timeout=10s"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("ETCDCTL_API", "3");
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        Path out = Files.createTempFile("etcdctl", ".out");
        Path err = Files.createTempFile("etcdctl", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("etcdctl " + args[0] + " did not finish in 30s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    public static Result run(String endpoint, String... args) throws IOException, InterruptedException {
        return run(endpoint, null, args);
    }
}
