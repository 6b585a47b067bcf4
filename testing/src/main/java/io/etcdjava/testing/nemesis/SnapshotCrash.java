package io.etcdjava.testing.nemesis;

import io.etcdjava.testing.cluster.Cluster;
import io.etcdjava.testing.cluster.Member;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Crash points on a database snapshot's way from the leader to a lagging follower. They are
 * reached only when a snapshot is sent, so each scenario makes one be sent: a follower is killed
 * until the leader has released the entries it misses, then started again.
 */
final class SnapshotCrash {
    private static final Duration LAG_BOUND = Duration.ofSeconds(30);
    private static final Duration CRASH_BOUND = Duration.ofSeconds(40);

    private SnapshotCrash() {
    }

    /** A follower, restarted armed after it fell behind, crashes while receiving or installing. */
    static String followerReceiving(Cluster c, Random rnd, String spec) throws Exception {
        Member m = follower(c, rnd, c.awaitLeader(Cluster.START_BOUND));
        String lag = fallBehind(c, m);
        int exit = c.restartArmedAndAwaitCrash(m, spec, CRASH_BOUND);
        String what = Faults.crashedOrKilled(m, spec, exit);
        c.restart(m, null);
        return m + " " + lag + ", " + what + ", restarted";
    }

    /**
     * The leader, restarted armed and given back the leadership (MoveLeader), crashes while
     * sending a follower that fell behind its database. Under load the leadership may move away
     * before the follower is back (another leader then sends the snapshot): up to three attempts.
     */
    static String leaderSending(Cluster c, Random rnd, String spec) throws Exception {
        Member l = c.awaitLeader(Cluster.START_BOUND);
        l.kill9();
        c.spawn(l, spec);
        StringBuilder what = new StringBuilder("leader");
        try {
            c.awaitHealthy(l);
            int exit = -1;
            for (int attempt = 1; attempt <= 3 && exit == -1; attempt++) {
                c.moveLeader(l, LAG_BOUND);
                Member m = follower(c, rnd, l);
                what.append(", ").append(m).append(' ').append(fallBehind(c, m));
                c.spawn(m, null);
                exit = awaitExitWhileLeading(c, l);
                if (exit == -1) {
                    what.append(" but the leadership moved away");
                }
            }
            what.append(", ").append(Faults.crashedOrKilled(l, spec, exit));
        } catch (IllegalStateException e) {
            // a start that failed, a leadership that did not move
            what.append(l.exitStatus() == Faults.CRASH_EXIT_STATUS ? ", crashed at " + spec + " early"
                    : ", armed " + spec + " but not reached (" + e.getMessage() + ")");
        } finally {
            if (l.isAlive()) {
                l.kill9(); // never leave it armed
            }
        }
        c.restart(l, null); // the follower, if started, catches up from the new leader; restoreAll waits for it
        return l + " " + what + ", restarted";
    }

    /** {@code l}'s exit status once it exits by itself, or -1 when another member leads meanwhile or the bound passes. */
    private static int awaitExitWhileLeading(Cluster c, Member l) throws InterruptedException {
        long deadline = System.nanoTime() + CRASH_BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            int exit = c.awaitExit(l, Duration.ofSeconds(1));
            if (exit != -1) {
                return exit;
            }
            Member leader = c.leader();
            if (leader != null && leader != l) {
                return -1;
            }
        }
        return -1;
    }

    private static Member follower(Cluster c, Random rnd, Member leader) {
        List<Member> others = new ArrayList<>(c.members());
        others.remove(leader);
        return others.get(rnd.nextInt(others.size()));
    }

    /** Kills {@code m} and waits (bounded) until the leader has committed enough for it to need a snapshot. */
    private static String fallBehind(Cluster c, Member m) throws InterruptedException {
        long from = c.leaderCommitIndex();
        m.kill9();
        boolean behind = from >= 0 && c.awaitCommitIndex(from + Faults.SNAPSHOT_LAG, LAG_BOUND);
        return behind ? "fell " + Faults.SNAPSHOT_LAG + " entries behind"
                : "killed but fewer than " + Faults.SNAPSHOT_LAG + " entries were written in " + LAG_BOUND;
    }
}
