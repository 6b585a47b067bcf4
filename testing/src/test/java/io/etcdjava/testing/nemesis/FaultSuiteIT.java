package io.etcdjava.testing.nemesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.testing.check.Violation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 8: the fault suite. The CI profile (default) runs a few seeds of about a minute each on
 * a 3-member cluster, so that together they inject every available fault kind at least once
 * (the snapshot crash points are left to {@link SnapshotCrashPointsIT}, which runs in CI too); the
 * long profile ({@code -Dfaults.profile=long}) runs many longer seeds. Overrides:
 * {@code -Dfaults.seeds=1,2,3 -Dfaults.duration=PT10M -Dfaults.members=5}, and
 * {@code -Dfaults.kinds=member-remove-add,crash:walAfterFsync} to inject only those kinds.
 */
class FaultSuiteIT {
    @Test
    @Timeout(value = 12, unit = java.util.concurrent.TimeUnit.HOURS)
    void historiesUnderFaultsHaveNoViolations() throws Exception {
        boolean longProfile = "long".equals(System.getProperty("faults.profile", "ci"));
        List<Long> seeds = parseSeeds(System.getProperty("faults.seeds", ""),
                longProfile ? List.of(101L, 102L, 103L, 104L, 105L, 106L, 107L, 108L, 109L, 110L) : List.of(1L, 2L, 3L));
        String d = System.getProperty("faults.duration", "");
        Duration duration = d.isBlank() ? (longProfile ? Duration.ofMinutes(10) : Duration.ofSeconds(30)) : Duration.parse(d);
        String m = System.getProperty("faults.members", "");
        int members = m.isBlank() ? 3 : Integer.parseInt(m);
        Path dir = Path.of(System.getProperty("faults.dir", "target/faults")).toAbsolutePath();
        String launcher = System.getProperty("etcdjava.launcher", "../bin/etcd");

        String only = System.getProperty("faults.kinds", "");
        // CI: the snapshot crash points are SnapshotCrashPointsIT's (which also proves each one is reached)
        List<String> elsewhere = longProfile || !only.isBlank() ? List.of() : SnapshotCrashPointsIT.kinds();
        List<Fault> all = Faults.all().stream()
                .filter(f -> only.isBlank() || Arrays.asList(only.split(",")).contains(f.kind()))
                .filter(f -> !elsewhere.contains(f.kind())).toList();
        Map<String, Integer> total = new TreeMap<>();
        Map<String, String> skipped = new TreeMap<>();
        List<Violation> violations = new ArrayList<>();
        long ops = 0;
        for (int i = 0; i < seeds.size(); i++) {
            long seed = seeds.get(i);
            // rotate the kinds so that, over the CI seeds, each one comes early in some run
            // CI: the seeds share the kinds out (each injects its share at least once); long: all, shuffled
            List<Fault> kinds = new ArrayList<>();
            for (int k = 0; k < all.size(); k++) {
                if (longProfile || k % seeds.size() == i) {
                    kinds.add(all.get(k));
                }
            }
            if (longProfile) {
                java.util.Collections.shuffle(kinds, new java.util.Random(seed));
            }
            List<String> points = List.of();
            String repro = "mvn -B -ntp -pl testing -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false"
                    + " -Dit.test=FaultSuiteIT -Dfailsafe.failIfNoSpecifiedTests=false -Dfaults.seeds=" + seed
                    + " -Dfaults.duration=" + duration + " -Dfaults.members=" + members
                    + (only.isBlank() ? "" : " -Dfaults.kinds=" + only);
            FaultRun.Report r = new FaultRun(seed, members, duration, kinds, points, dir.resolve("seed-" + seed),
                    launcher, repro).run();
            System.out.println("[faults] " + r.summary());
            r.log().forEach(l -> System.out.println("[faults]   " + l));
            r.faults().forEach((k, n) -> total.merge(k, n, Integer::sum));
            skipped.putAll(r.skipped());
            violations.addAll(r.violations());
            ops += r.ops();
        }
        String summary = "[faults] SUMMARY profile=" + (longProfile ? "long" : "ci") + " seeds=" + seeds
                + " operations=" + ops + " faults=" + total + " violations=" + violations.size()
                + (skipped.isEmpty() ? "" : " skipped=" + skipped);
        System.out.println(summary);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("summary.txt"), summary + "\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        assertThat(violations).as(summary).isEmpty();
        List<String> expected = all.stream().map(Fault::kind).filter(k -> !skipped.containsKey(k)).toList();
        if (!longProfile && System.getProperty("faults.seeds", "").isBlank()) {
            assertThat(total.keySet()).as("every fault kind injected at least once: %s", summary)
                    .containsAll(expected);
        }
    }

    private static List<Long> parseSeeds(String s, List<Long> dflt) {
        return s.isBlank() ? dflt : Arrays.stream(s.split(",")).map(String::trim).map(Long::parseLong).toList();
    }
}
