package io.etcdjava.testing.nemesis;

import io.etcdjava.api.etcdserverpb.ClusterGrpc;
import io.etcdjava.api.etcdserverpb.MemberRemoveRequest;
import io.etcdjava.testing.cluster.Cluster;
import io.etcdjava.testing.cluster.Member;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** The fault kinds of the suite. Every hold time is drawn from the seeded random source. */
public final class Faults {
    /** The exit status of a member halted by a crash point (raft's Failpoints.CRASH_EXIT_STATUS). */
    static final int CRASH_EXIT_STATUS = 86;

    private Faults() {
    }

    /** Every fault kind, in a fixed order (the schedule shuffles them per seed). */
    public static List<Fault> all() {
        List<Fault> out = new ArrayList<>(List.of(kill(false), kill(true), pause(), partition(), oneWay()));
        CRASH_POINTS.forEach(p -> out.add(crashPoint(p)));
        out.add(memberReplace());
        return out;
    }

    /** Crash points on the path of a database snapshot, as the leader sends it. */
    static final List<String> SNAPSHOT_SEND_POINTS = List.of("snapshotSendBeforeStream", "snapshotSendMidStream");
    /** Crash points on the path of a database snapshot, as a lagging follower receives and installs it. */
    static final List<String> SNAPSHOT_RECEIVE_POINTS =
            List.of("snapshotReceiveAfterSave", "snapshotInstallBeforeSwap", "snapshotInstallAfterSwap");

    /** The crash points inside a member (see raft's Failpoints and where the server calls it). */
    public static final List<String> CRASH_POINTS = List.of("walBeforeFsync", "walAfterFsync", "applyBeforeCommit",
            "compactBeforeCommit", "snapshotSendBeforeStream", "snapshotSendMidStream", "snapshotReceiveAfterSave",
            "snapshotInstallBeforeSwap", "snapshotInstallAfterSwap");

    /**
     * Entries a member must miss to be sent a snapshot: the leader snapshots every
     * SNAPSHOT_COUNT entries and keeps SNAPSHOT_CATCHUP_ENTRIES before it; the rest is margin.
     */
    static final long SNAPSHOT_LAG = Cluster.SNAPSHOT_COUNT + Cluster.SNAPSHOT_CATCHUP_ENTRIES + 50;

    /** A crash point spec ("name:crash@N") for {@code point}, N drawn so it is reached within seconds. */
    public static String arm(String point, Random rnd) {
        int at = switch (point) {
            case "compactBeforeCommit" -> 1;
            case "applyBeforeCommit" -> 5 + rnd.nextInt(40);
            default -> SNAPSHOT_SEND_POINTS.contains(point) || SNAPSHOT_RECEIVE_POINTS.contains(point)
                    ? 1 : 3 + rnd.nextInt(20);
        };
        return point + ":crash@" + at;
    }

    static Member pick(Cluster c, Random rnd, boolean leader) {
        Member l = leader ? c.leader() : null;
        return l != null ? l : c.members().get(rnd.nextInt(c.members().size()));
    }

    static void hold(Random rnd, long minMillis, long maxMillis) throws InterruptedException {
        Thread.sleep(minMillis + (long) (rnd.nextDouble() * (maxMillis - minMillis))); // the fault's duration
    }

    static Fault kill(boolean leader) {
        return new Fault() {
            public String kind() {
                return leader ? "kill-leader" : "kill-random";
            }

            public String inject(Cluster c, Random rnd) throws Exception {
                Member m = pick(c, rnd, leader);
                m.kill9();
                hold(rnd, 1000, 4000);
                c.restart(m, null);
                return "kill -9 " + m + ", restarted";
            }
        };
    }

    static Fault pause() {
        return new Fault() {
            public String kind() {
                return "pause";
            }

            public String inject(Cluster c, Random rnd) throws Exception {
                Member m = pick(c, rnd, rnd.nextBoolean());
                m.pause();
                try {
                    hold(rnd, 2000, 5000);
                } finally {
                    m.resume();
                }
                return "SIGSTOP/SIGCONT " + m;
            }
        };
    }

    static Fault partition() {
        return new Fault() {
            public String kind() {
                return "partition";
            }

            public String inject(Cluster c, Random rnd) throws Exception {
                Member m = pick(c, rnd, rnd.nextBoolean());
                c.isolate(List.of(m));
                try {
                    hold(rnd, 3000, 6000);
                } finally {
                    c.heal();
                }
                return "isolated " + m;
            }
        };
    }

    static Fault oneWay() {
        return new Fault() {
            public String kind() {
                return "one-way-drop";
            }

            public String inject(Cluster c, Random rnd) throws Exception {
                Member from = pick(c, rnd, true);
                List<Member> others = new ArrayList<>(c.members());
                others.remove(from);
                for (Member to : others) {
                    c.drop(from, to);
                }
                try {
                    hold(rnd, 3000, 6000);
                } finally {
                    c.heal();
                }
                return "dropped everything " + from + " sends";
            }
        };
    }

    /** A crash point armed on a restart, restarting the member clean after it crashed (slow: two starts). */
    static Fault crashPoint(String point) {
        return new Fault() {
            public String kind() {
                return "crash:" + point;
            }

            public String inject(Cluster c, Random rnd) throws Exception {
                String spec = arm(point, rnd);
                if (SNAPSHOT_SEND_POINTS.contains(point)) {
                    return SnapshotCrash.leaderSending(c, rnd, spec);
                }
                if (SNAPSHOT_RECEIVE_POINTS.contains(point)) {
                    return SnapshotCrash.followerReceiving(c, rnd, spec);
                }
                Member m = pick(c, rnd, false);
                m.kill9();
                int exit = c.restartArmedAndAwaitCrash(m, spec, Duration.ofSeconds(40));
                String what = crashedOrKilled(m, spec, exit);
                c.restart(m, null);
                return m + " " + what + ", restarted";
            }
        };
    }

    /** Describes how an armed start ended; kills it if it was not reached. */
    static String crashedOrKilled(Member m, String spec, int exit) throws InterruptedException {
        if (exit == CRASH_EXIT_STATUS) {
            return "crashed at " + spec;
        }
        m.kill9();
        return "armed " + spec + " but it was not reached (exit " + exit + "), killed";
    }

    /**
     * Replaces a follower by a new member, as an operator replaces a dead machine: MemberRemove,
     * wipe its data, MemberAdd the same peer URL, start it with --initial-cluster-state=existing;
     * reverted once it has caught up.
     */
    static Fault memberReplace() {
        return new Fault() {
            public String kind() {
                return "member-remove-add";
            }

            public String unavailable(Cluster c) {
                ManagedChannel ch = ManagedChannelBuilder.forTarget(c.endpoints().get(0)).usePlaintext().build();
                try {
                    // member 0 exists nowhere: an implemented API answers NotFound and changes nothing
                    ClusterGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
                            .memberRemove(MemberRemoveRequest.newBuilder().setID(0).build());
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                        return "not available: MemberAdd/MemberRemove answer UNIMPLEMENTED";
                    }
                } finally {
                    ch.shutdownNow();
                }
                return null;
            }

            public String inject(Cluster c, Random rnd) throws Exception {
                Member leader = c.awaitLeader(Cluster.START_BOUND);
                List<Member> followers = new ArrayList<>(c.members());
                followers.remove(leader);
                Member m = followers.get(rnd.nextInt(followers.size()));
                long old = m.id();
                c.replace(m);
                return "removed " + Long.toHexString(old) + ", wiped its data, added back as " + m + ", caught up";
            }
        };
    }
}
