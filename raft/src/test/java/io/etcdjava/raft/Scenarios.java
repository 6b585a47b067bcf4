package io.etcdjava.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic "chaos" driving shared by the safety tests: partitions, crashes, timeouts, proposals. */
final class Scenarios {
    private Scenarios() {
    }

    /**
     * Runs {@code rounds} rounds on {@code net} (voters 1..n): each round may re-partition the
     * cluster, restart a node from its storage, force a campaign, propose at the leader, and tick.
     * Returns the number of proposals the cluster accepted.
     */
    static int chaos(Network net, int n, long seed, int rounds) {
        return chaos(net, n, seed, rounds, false);
    }

    /** As {@link #chaos(Network, int, long, int)}; with {@code compact}, nodes also snapshot and compact their logs. */
    static int chaos(Network net, int n, long seed, int rounds, boolean compact) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int accepted = 0;
        for (int round = 0; round < rounds; round++) {
            net.heal();
            if (rnd.nextInt(3) > 0) {
                List<Long> a = new ArrayList<>();
                List<Long> b = new ArrayList<>();
                for (long id = 1; id <= n; id++) {
                    (rnd.nextBoolean() ? a : b).add(id);
                }
                net.partition(a.stream().mapToLong(Long::longValue).toArray(),
                        b.stream().mapToLong(Long::longValue).toArray());
            }
            if (rnd.nextInt(8) == 0) {
                net.restart(1 + rnd.nextInt(n));
            }
            if (rnd.nextInt(4) == 0) {
                net.campaign(1 + rnd.nextInt(n));
            }
            for (int p = rnd.nextInt(4); p > 0; p--) {
                long leader = net.leader();
                if (leader == 0) {
                    break;
                }
                try {
                    net.propose(leader, "s" + seed + "r" + round + "p" + p);
                    accepted++;
                } catch (ProposalDroppedException e) {
                    // leadership in flux
                }
            }
            if (compact && rnd.nextInt(3) == 0) {
                compact(net, 1 + rnd.nextInt(n));
            }
            net.tickAll(1 + rnd.nextInt(12));
        }
        net.heal();
        net.tickAll(40);
        return accepted;
    }

    /** The application of {@code id} snapshots everything it applied and drops the log before it. */
    static void compact(Network net, long id) {
        Network.Node node = net.node(id);
        Raft r = node.raft();
        long applied = r.raftLog.applied();
        MemoryStorage mem = node.storage.mem;
        if (applied <= mem.snapshot().getMetadata().getIndex() || applied < mem.firstIndex()
                || applied > mem.lastIndex()) {
            return;
        }
        mem.createSnapshot(applied, r.prs.confState(), Network.bytes(String.join(",", node.appliedData())));
        mem.compact(applied);
    }
}
