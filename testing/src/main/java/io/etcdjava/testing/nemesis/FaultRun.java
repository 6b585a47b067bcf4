package io.etcdjava.testing.nemesis;

import io.etcdjava.testing.check.Checks;
import io.etcdjava.testing.check.History;
import io.etcdjava.testing.check.Violation;
import io.etcdjava.testing.client.Recorder;
import io.etcdjava.testing.client.Workload;
import io.etcdjava.testing.cluster.Cluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * One seeded run: start a cluster, run the recorded workload while the nemesis injects faults
 * (a seeded shuffle of the kinds given, repeated until the duration is over, every fault reverted
 * before the next), heal everything, let the watchers catch up, then check the history. The
 * history is written as JSON lines when a checker finds a violation.
 */
public final class FaultRun {
    /** What one run did and found. */
    public record Report(long seed, long ops, Map<String, Integer> faults, Map<String, String> skipped,
                         List<Violation> violations, long keysChecked, long keysUnknown, Path history,
                         List<String> log) {
        public String summary() {
            StringBuilder b = new StringBuilder().append("seed ").append(seed).append(": ").append(ops)
                    .append(" operations, faults ").append(faults).append(", linearizability keys ")
                    .append(keysChecked).append(" (unknown ").append(keysUnknown).append("), violations ")
                    .append(violations.size());
            skipped.forEach((k, why) -> b.append("\n  fault ").append(k).append(" ").append(why));
            violations.stream().limit(20).forEach(v -> b.append("\n  VIOLATION ").append(v));
            if (history != null) {
                b.append("\n  history: ").append(history);
            }
            return b.toString();
        }
    }

    private final long seed;
    private final int members;
    private final Duration duration;
    private final List<Fault> kinds;
    private final Path dir;
    private final String launcher;
    private final String reproduce;
    private final List<String> crashPoints;

    /**
     * @param kinds       the nemesis's faults, injected in this order, round and round
     * @param crashPoints crash points to arm, one per member's first start (see {@link Faults#CRASH_POINTS});
     *                    each member halts there by itself during the run and is restarted clean
     * @param reproduce   the command line that repeats this run, printed on a violation
     */
    public FaultRun(long seed, int members, Duration duration, List<Fault> kinds, List<String> crashPoints, Path dir,
                    String launcher, String reproduce) {
        this.crashPoints = List.copyOf(crashPoints);
        this.seed = seed;
        this.members = members;
        this.duration = duration;
        this.kinds = List.copyOf(kinds);
        this.dir = dir;
        this.launcher = launcher;
        this.reproduce = reproduce;
    }

    /** Counts members that halted at an armed crash point, and restarts them clean. */
    private static void reapCrashes(Cluster cluster, Map<String, Integer> injected, List<String> log)
            throws Exception {
        for (var m : cluster.members()) {
            if (m.exitStatus() == Faults.CRASH_EXIT_STATUS && m.armed() != null) {
                String point = m.armed().substring(0, m.armed().indexOf(':'));
                injected.merge("crash:" + point, 1, Integer::sum);
                log.add("crash:" + point + ": " + m + " halted at " + m.armed() + ", restarted clean");
                cluster.restart(m, null);
            }
        }
    }

    public Report run() throws Exception {
        Random rnd = new Random(seed);
        Cluster.wipe(dir);
        Files.createDirectories(dir);
        Map<String, Integer> injected = new TreeMap<>();
        Map<String, String> skipped = new TreeMap<>();
        List<String> log = new ArrayList<>();
        Recorder recorder = new Recorder();
        List<String> armed = crashPoints.stream().map(p -> Faults.arm(p, rnd)).toList();
        try (Cluster cluster = Cluster.start(members, dir, launcher, armed)) {
            List<Fault> schedule = new ArrayList<>();
            for (Fault f : kinds) {
                String why = f.unavailable(cluster);
                if (why != null) {
                    skipped.put(f.kind(), why);
                } else {
                    schedule.add(f);
                }
            }
            try (Workload workload = new Workload(cluster.endpoints(), recorder, seed, 4, 6)) {
                workload.start();
                long end = System.nanoTime() + duration.toNanos();
                int i = 0;
                // past the duration only to inject each kind of the schedule once
                while (!schedule.isEmpty() && (System.nanoTime() < end || i < schedule.size())) {
                    Faults.hold(rnd, 1500, 3000); // quiet time between faults: the workload runs undisturbed
                    reapCrashes(cluster, injected, log);
                    Fault f = schedule.get(i++ % schedule.size());
                    try {
                        String what = f.inject(cluster, rnd);
                        injected.merge(f.kind(), 1, Integer::sum);
                        log.add(f.kind() + ": " + what);
                    } finally {
                        cluster.restoreAll();
                    }
                }
                reapCrashes(cluster, injected, log);
                cluster.restoreAll();
                workload.stopClients();
                long rev = workload.currentRevision();
                if (!workload.awaitWatchers(rev, Duration.ofSeconds(30))) {
                    log.add("watchers did not reach revision " + rev + " within 30 s: " + workload.watcherPositions());
                }
            }
        }
        History h = recorder.history();
        // a longer history needs a longer search per key; 10 s suits the CI profile's 30 s seeds
        Duration budget = Duration.ofSeconds(Math.max(10, Math.min(60, duration.toSeconds() / 20)));
        Checks.Verdict v = new Checks(budget, Duration.ofSeconds(20), true).check(h);
        Path written = null;
        if (!v.ok()) {
            written = dir.resolve("history-seed-" + seed + ".jsonl");
            h.write(written);
            log.add("reproduce: " + reproduce);
        } else if (Boolean.getBoolean("faults.keepHistory")) {
            h.write(dir.resolve("history-seed-" + seed + ".jsonl"));
        }
        return new Report(seed, h.ops().size(), injected, skipped, v.violations(), v.keysChecked(), v.keysUnknown(),
                written, log);
    }
}
