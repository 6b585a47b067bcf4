package io.etcdjava.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The seeded simulation suite. By default runs seeds 1..{@code sim.seeds} (odd seeds: 3 nodes, even
 * seeds: 5 nodes) of {@code sim.steps} steps each, in parallel; each seed is deterministic on its own.
 *
 * <pre>
 *   mvn -pl raft test -Dtest=RaftSimulationTest                       # the CI run
 *   mvn -pl raft test -Dtest=RaftSimulationTest -Dsim.seed=1234       # one seed, with its trace on failure
 *   mvn -pl raft test -Dtest=RaftSimulationTest -Dsim.seeds=2000 -Dsim.steps=20000 -Dsim.firstSeed=5000
 * </pre>
 */
class RaftSimulationTest {
    static final int DEFAULT_SEEDS = 300;
    static final int DEFAULT_STEPS = 10_000;

    static int nodesFor(long seed) {
        Integer forced = Integer.getInteger("sim.nodes");
        return forced != null ? forced : (seed & 1) == 1 ? 3 : 5;
    }

    static int steps() {
        return Integer.getInteger("sim.steps", DEFAULT_STEPS);
    }

    @Test
    void simulation() {
        String one = System.getProperty("sim.seed");
        if (one != null && !one.isBlank()) {
            long seed = Long.parseLong(one.trim());
            boolean verbose = Boolean.parseBoolean(System.getProperty("sim.verbose", "true"));
            Simulation sim = new Simulation(seed, nodesFor(seed), steps(), verbose);
            long hash = sim.run();
            System.out.printf("seed %d ok: trace hash %016x, stats %s%n", seed, hash, sim.stats);
            return;
        }
        int seeds = Integer.getInteger("sim.seeds", DEFAULT_SEEDS);
        long first = Long.getLong("sim.firstSeed", 1L);
        int steps = steps();
        long t0 = System.nanoTime();
        Map<Long, String> failures = new ConcurrentHashMap<>();
        Map<String, Long> totals = new ConcurrentHashMap<>();
        LongStream.range(first, first + seeds).parallel().forEach(seed -> {
            Simulation sim = new Simulation(seed, nodesFor(seed), steps, false);
            try {
                sim.run();
            } catch (Simulation.SimulationFailure f) {
                failures.put(seed, f.getMessage());
            }
            sim.stats.forEach((k, v) -> totals.merge(k, (long) v, Long::sum));
        });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("simulation: %d seeds x %d steps in %d ms; totals %s%n", seeds, steps, ms, new TreeMap<>(totals));
        if (!failures.isEmpty()) {
            List<String> msgs = new ArrayList<>(new TreeMap<>(failures).values());
            System.out.println(String.join("\n", msgs));
            assertThat(failures).as("%d of %d seeds failed; first:%n%s", failures.size(), seeds, msgs.get(0)).isEmpty();
        }
        // A simulation that stops exercising the interesting paths would pass vacuously.
        assertThat(totals.getOrDefault("applied-proposals", 0L)).isGreaterThan(seeds * 10L);
        assertThat(totals.getOrDefault("snapshot-installed", 0L)).isPositive();
        assertThat(totals.getOrDefault("crash", 0L)).isPositive();
        assertThat(totals.getOrDefault("read-states", 0L)).isPositive();
        assertThat(totals.getOrDefault("confchange-applied", 0L)).isPositive();
    }

    /** Seeds that once failed (see the report of each); they stay in the suite. */
    @Test
    void regressionSeeds() {
        // 562, 1537: LeaderCompleteness checker false positive (a deposed leader of a term between
        // the entry's and the committing one need not hold the entry).
        // 1880: Liveness, a simulation modeling gap (a joiner accepted votes from a removed node).
        // 12940, 19014: Liveness, a simulation modeling gap (a node replaying its own old removal
        // retired although the cluster had already added it back).
        for (long seed : new long[] {562, 1537, 1880, 12940, 19014}) {
            new Simulation(seed, nodesFor(seed), DEFAULT_STEPS, false).run();
        }
    }

    @Test
    void sameSeedSameTrace() {
        long seed = Long.getLong("sim.determinismSeed", 42L);
        long a = new Simulation(seed, 5, 3000, false).run();
        long b = new Simulation(seed, 5, 3000, false).run();
        long c = new Simulation(seed + 1, 5, 3000, false).run();
        assertThat(b).as("same seed, same trace").isEqualTo(a);
        assertThat(c).as("another seed, another trace").isNotEqualTo(a);
    }

    /** End to end: a disk that loses acknowledged writes must be caught by a safety checker. */
    @Test
    void checkersCatchALyingDisk() {
        List<String> caught = new ArrayList<>();
        for (long seed = 1; seed <= 60 && caught.isEmpty(); seed++) {
            try {
                new Simulation(seed, 3, 4000, false, Simulation.Sabotage.LYING_FSYNC).run();
            } catch (Simulation.SimulationFailure f) {
                caught.add(f.getMessage());
            }
        }
        assertThat(caught).as("no seed caught the lying disk").isNotEmpty();
        assertThat(caught.get(0)).containsAnyOf("LeaderCompleteness", "StateMachineSafety", "CommitAgreement",
                "LogMatching", "ElectionSafety", "HardStateDurability");
        System.out.println("lying disk caught: " + caught.get(0).lines().findFirst().orElse(""));
    }
}
