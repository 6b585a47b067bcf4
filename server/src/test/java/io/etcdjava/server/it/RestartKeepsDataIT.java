package io.etcdjava.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3: data written with etcdctl survives a clean stop (SIGTERM) and a start on the same data
 * dir, on our member as on real etcd. Both stop the way etcd does: shut down, then re-raise
 * SIGTERM, so the exit status is 143 (128 + SIGTERM) for both, and nothing is logged as an error.
 */
@Timeout(150)
class RestartKeepsDataIT {
    /** etcd's osutil.HandleInterrupts re-raises the signal after the shutdown handlers ran. */
    private static final int EXIT_AFTER_SIGTERM = 128 + 15;

    @Test
    void dataSurvivesACleanStopAndStart() throws Exception {
        assumeTrue(SideBySide.toolsInstalled(), "Debian's etcd and etcdctl are not installed");
        try (SideBySide both = SideBySide.start(EtcdProcess.workDir("RestartKeepsDataIT"))) {
            both.same("put", "restart/a", "1");
            both.same("put", "restart/b", "2");
            both.same("put", "restart/a", "11");
            both.same("del", "restart/b");
            both.same("put", "restart/c", "3");
            both.same("compaction", "3");
            String before = both.same("get", "restart/", "--prefix", "-w", "json").stdout();

            for (EtcdProcess p : new EtcdProcess[] {both.real, both.ours}) {
                int exit = p.terminate(Duration.ofSeconds(30));
                assertThat(exit).as("%s exit status after SIGTERM; log:\n%s", p.kind, p.logTail())
                        .isEqualTo(EXIT_AFTER_SIGTERM);
                assertThat(problems(p.logText())).as("%s log of a clean stop", p.kind).isEmpty();
            }
            assertThat(both.ours.logText()).contains("received signal; shutting down");
            for (EtcdProcess p : new EtcdProcess[] {both.real, both.ours}) {
                p.restart();
            }

            String after = both.same("get", "restart/", "--prefix", "-w", "json").stdout();
            assertThat(Normalize.text(after, both.ours.endpoint())).as("ours after the restart, raft term aside")
                    .isEqualTo(Normalize.text(before, both.ours.endpoint()));
            assertThat(both.same("get", "restart/", "--prefix").stdout()).isEqualTo("restart/a\n11\nrestart/c\n3\n");
            both.same("get", "restart/a", "--rev", "2"); // compacted before the stop, still compacted after
            both.same("get", "restart/a", "--rev", "4");
            both.same("put", "restart/d", "4");
            both.same("get", "restart/", "--prefix", "--sort-by=MODIFY", "--order=DESCEND", "-w", "json");
            assertThat(problems(both.ours.logText())).as("our log after the restart").isEmpty();
        }
    }

    /** Log lines at error level or above, and Java stack traces. */
    private static List<String> problems(String log) {
        return log.lines().filter(l -> l.contains("\"level\":\"error\"") || l.contains("\"level\":\"fatal\"")
                || l.contains("\"level\":\"panic\"") || l.contains("\"level\":\"dpanic\"")
                || l.matches("\\s+at [\\w.$]+\\(.*") || l.matches(".*\\b[\\w.]+(Exception|Error): .*")).toList();
    }
}
