package io.etcdjava.testing.nemesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 8: every crash point on a database snapshot's way (the leader sending it, a lagging
 * follower saving and installing it) is reached under the recorded workload, the member dies
 * there, and the cluster recovers: the member restarts clean and catches up, every member answers
 * healthy again and the history has no violation.
 */
class SnapshotCrashPointsIT {
    static List<String> points() {
        List<String> points = new ArrayList<>(Faults.SNAPSHOT_SEND_POINTS);
        points.addAll(Faults.SNAPSHOT_RECEIVE_POINTS);
        return points;
    }

    /** The fault kinds this test injects (and FaultSuiteIT's CI profile leaves to it). */
    static List<String> kinds() {
        return points().stream().map(p -> Faults.crashPoint(p).kind()).toList();
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void eachSnapshotCrashPointKillsItsMemberAndTheClusterRecovers() throws Exception {
        List<String> points = points();
        long seed = Long.getLong("faults.snapshot.seed", 11L);
        Path dir = Path.of(System.getProperty("faults.dir", "target/faults")).toAbsolutePath()
                .resolve("snapshot-crash-" + seed);
        String repro = "mvn -B -ntp -pl testing -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Dit.test=SnapshotCrashPointsIT -Dfailsafe.failIfNoSpecifiedTests=false -Dfaults.snapshot.seed=" + seed;
        // no duration: each point once, in this order
        FaultRun.Report r = new FaultRun(seed, 3, Duration.ZERO, points.stream().map(Faults::crashPoint).toList(),
                List.of(), dir, System.getProperty("etcdjava.launcher", "../bin/etcd"), repro).run();
        System.out.println("[faults] " + r.summary());
        r.log().forEach(l -> System.out.println("[faults]   " + l));

        assertThat(r.violations()).as(r.summary()).isEmpty();
        for (String p : points) {
            assertThat(r.log()).as("%s reached and crashed its member", p)
                    .anyMatch(l -> l.startsWith("crash:" + p + ": ") && l.contains("crashed at " + p + ":"));
        }
    }
}
