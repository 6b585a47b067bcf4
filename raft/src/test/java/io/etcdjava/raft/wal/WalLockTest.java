package io.etcdjava.raft.wal;

import static io.etcdjava.raft.wal.WalTestSupport.META;
import static io.etcdjava.raft.wal.WalTestSupport.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalLockTest {
    static {
        WalTestSupport.quietLogs();
    }

    @TempDir
    Path dir;

    @Test
    void secondOpenInTheSameProcessFailsWhileTheFirstIsOpen() throws Exception {
        try (Wal first = Wal.create(dir, META, small())) {
            assertThatThrownBy(() -> Wal.open(dir, WalSnapshot.ZERO, small()))
                    .isInstanceOf(WalLockedException.class).hasMessageContaining("is locked");
            assertThatThrownBy(() -> Wal.create(dir, META, small()))
                    .isInstanceOf(WalLockedException.class);
            first.save(WalTestSupport.hs(1, 1, 0), WalTestSupport.entries(1, 1, 1, 4)); // unaffected
        }
        try (Wal again = Wal.open(dir, WalSnapshot.ZERO, small())) {
            assertThat(again.readAll().entries()).hasSize(1);
        }
    }

    @Test
    void anotherProcessCannotOpenTheDirectoryWhileItIsOpen() throws Exception {
        try (Wal first = Wal.create(dir, META, small())) {
            Probe p = probe(dir);
            assertThat(p.exitCode).as(p.output).isEqualTo(3);
            assertThat(p.output).contains("wal: directory").contains("is locked by another process");
        }
        Probe p = probe(dir); // released on close
        assertThat(p.exitCode).as(p.output).isZero();
    }

    private record Probe(int exitCode, String output) {
    }

    private static Probe probe(Path dir) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process proc = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                LockProbe.class.getName(), dir.toString()).redirectErrorStream(true).start();
        if (!proc.waitFor(30, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            throw new AssertionError("lock probe did not finish");
        }
        return new Probe(proc.exitValue(), new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Child-process entry point: exit 0 if the WAL opened, 3 if it was locked, 1 otherwise. */
    static final class LockProbe {
        public static void main(String[] args) {
            int code;
            try (Wal w = Wal.open(Path.of(args[0]), WalSnapshot.ZERO, small())) {
                code = 0;
            } catch (WalLockedException e) {
                System.out.println(e.getMessage());
                code = 3;
            } catch (Exception e) {
                e.printStackTrace(System.out);
                code = 1;
            }
            System.exit(code);
        }
    }
}
