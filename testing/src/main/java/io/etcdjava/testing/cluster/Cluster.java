package io.etcdjava.testing.cluster;

import io.etcdjava.api.etcdserverpb.ClusterGrpc;
import io.etcdjava.api.etcdserverpb.MaintenanceGrpc;
import io.etcdjava.api.etcdserverpb.MemberAddRequest;
import io.etcdjava.api.etcdserverpb.MemberListRequest;
import io.etcdjava.api.etcdserverpb.MemberRemoveRequest;
import io.etcdjava.api.etcdserverpb.MoveLeaderRequest;
import io.etcdjava.api.etcdserverpb.StatusRequest;
import io.etcdjava.api.etcdserverpb.StatusResponse;
import io.etcdjava.server.membership.MemberIds;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A 3- or 5-member cluster of member processes on loopback with free ports, data under one
 * directory. {@link #close} kills every member (also from a shutdown hook should the test JVM
 * die first), so no member outlives its test. Network faults are set per member through its
 * fault switch file; {@link #heal} clears them all.
 */
public final class Cluster implements AutoCloseable {
    public static final Duration START_BOUND = Duration.ofSeconds(90);
    /** Raft snapshots every this many applied entries (--snapshot-count)... */
    public static final long SNAPSHOT_COUNT = 100;
    /** ...keeping this many entries behind each (--experimental-snapshot-catchup-entries), so a member
     * down for a few seconds of writes is sent the leader's database rather than the missed entries. */
    public static final long SNAPSHOT_CATCHUP_ENTRIES = 50;
    static final List<String> MEMBER_FLAGS = List.of("--snapshot-count", Long.toString(SNAPSHOT_COUNT),
            "--experimental-snapshot-catchup-entries", Long.toString(SNAPSHOT_CATCHUP_ENTRIES));
    private static final Duration RECONFIG_BOUND = Duration.ofSeconds(60);

    final String launcher;
    final String token;
    private final List<Member> members = new ArrayList<>();
    private final Map<Long, Set<Long>> dropped = new HashMap<>(); // from → to
    private final Thread reaper = new Thread(this::killAll, "cluster-reaper");
    private final Map<String, ManagedChannel> statusChannels = new HashMap<>();

    private Cluster(String launcher, String token) {
        this.launcher = launcher;
        this.token = token;
    }

    /** Starts {@code size} members under {@code dir} and waits until every one is healthy. */
    public static Cluster start(int size, Path dir, String launcher) throws IOException, InterruptedException {
        return start(size, dir, launcher, List.of());
    }

    /**
     * As {@link #start(int, Path, String)}, the i-th member's first start armed with crash points
     * {@code failpoints.get(i)} (see raft's Failpoints; null or absent for none).
     */
    public static Cluster start(int size, Path dir, String launcher, List<String> failpoints)
            throws IOException, InterruptedException {
        Cluster c = new Cluster(launcher, "faults-" + Long.toHexString(System.nanoTime()));
        Runtime.getRuntime().addShutdownHook(c.reaper);
        try {
            for (int i = 1; i <= size; i++) {
                int client = freePort();
                int peer = freePort();
                String peerUrl = "http://127.0.0.1:" + peer;
                long id = MemberIds.memberId(List.of(peerUrl), c.token, null);
                c.members.add(new Member(c, "m" + i, client, peer, dir.resolve("m" + i), id));
            }
            for (int i = 0; i < size; i++) {
                Member m = c.members.get(i);
                m.writeFaults("");
                m.spawn(i < failpoints.size() ? failpoints.get(i) : null);
            }
            for (Member m : c.members) {
                m.awaitHealthy(START_BOUND);
            }
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    public List<String> endpoints() {
        return members.stream().map(Member::endpoint).toList();
    }

    String initialCluster() {
        return members.stream().map(m -> m.name + "=" + m.peerUrl()).collect(Collectors.joining(","));
    }

    /** Restarts a stopped member, optionally with crash points armed, and waits until it is healthy. */
    public void restart(Member m, String failpoints) throws IOException, InterruptedException {
        m.spawn(failpoints);
        if (failpoints == null) {
            m.awaitHealthy(START_BOUND);
        }
    }

    /** Starts a stopped member, optionally armed, without waiting for it to be healthy. */
    public void spawn(Member m, String failpoints) throws IOException {
        m.spawn(failpoints);
    }

    /** Waits (bounded) until {@code m} answers healthy; fails if it exits meanwhile. */
    public void awaitHealthy(Member m) throws IOException, InterruptedException {
        m.awaitHealthy(START_BOUND);
    }

    /** Starts a member with crash points armed without waiting; see {@link Member#awaitExit}. */
    public int restartArmedAndAwaitCrash(Member m, String failpoints, Duration bound)
            throws IOException, InterruptedException {
        m.spawn(failpoints);
        return m.awaitExit(bound);
    }

    /** Waits (bounded) until {@code m} exits by itself; its exit status, or -1 if it still runs. */
    public int awaitExit(Member m, Duration bound) throws InterruptedException {
        return m.awaitExit(bound);
    }

    /** The leader once the live members agree on one, waiting for an election (bounded). */
    public Member awaitLeader(Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            Member l = leader();
            if (l != null || System.nanoTime() > deadline) {
                if (l == null) {
                    throw new IllegalStateException("no leader within " + bound);
                }
                return l;
            }
            Thread.sleep(200); // member processes have no event to await: poll their status
        }
    }

    /** {@code m}'s status, or null when it does not answer. */
    private StatusResponse status(Member m) {
        try {
            return MaintenanceGrpc.newBlockingStub(channel(m)).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .status(StatusRequest.getDefaultInstance());
        } catch (RuntimeException unreachable) {
            return null;
        }
    }

    /** The leader's commit index, or -1 when no leader answers. */
    public long leaderCommitIndex() {
        Member l = leader();
        StatusResponse s = l == null ? null : status(l);
        return s == null ? -1 : s.getRaftIndex();
    }

    /**
     * Waits (bounded) until the leader's commit index reaches {@code index} (the workload writes);
     * whether it did.
     */
    public boolean awaitCommitIndex(long index, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            if (leaderCommitIndex() >= index) {
                return true;
            }
            Thread.sleep(200); // progress of other processes: poll
        }
        return false;
    }

    /** Transfers leadership to {@code target} through the current leader (MoveLeader), bounded. */
    public void moveLeader(Member target, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            Member l = leader();
            if (l == target) {
                return;
            }
            if (l != null) {
                try {
                    MaintenanceGrpc.newBlockingStub(channel(l)).withDeadlineAfter(10, TimeUnit.SECONDS)
                            .moveLeader(MoveLeaderRequest.newBuilder().setTargetID(target.id).build());
                } catch (RuntimeException e) {
                    last = e; // not caught up yet, or the leader changed meanwhile: again
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(target + " did not become leader within " + bound + ": " + last);
    }

    /**
     * Replaces {@code m} by a new member on the same ports, as an operator replaces a broken
     * machine: MemberRemove through the leader, kill it, wipe its data, MemberAdd its peer URL, start
     * it joining the running cluster, and wait until it is healthy and has applied everything the
     * leader had committed once it was added.
     *
     * @return the member's ID before it was removed
     */
    public long replace(Member m) throws IOException, InterruptedException {
        long old = m.id;
        long deadline = System.nanoTime() + RECONFIG_BOUND.toNanos();
        while (true) {
            try {
                ClusterGrpc.newBlockingStub(channel(awaitLeader(START_BOUND))).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .memberRemove(MemberRemoveRequest.newBuilder().setID(old).build());
                break;
            } catch (RuntimeException e) {
                // not enough healthy members yet, a leader change, or a timeout that may have applied
                if (idOfPeerUrl(m.peerUrl()) == ABSENT) {
                    break;
                }
                checkBound(deadline, "remove " + m, e);
            }
        }
        m.kill9();
        wipe(m.dataDir());
        long added = ABSENT;
        while (added == ABSENT || added == UNKNOWN) {
            try {
                added = ClusterGrpc.newBlockingStub(channel(awaitLeader(START_BOUND)))
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .memberAdd(MemberAddRequest.newBuilder().addPeerURLs(m.peerUrl()).build()).getMember().getID();
            } catch (RuntimeException e) {
                added = idOfPeerUrl(m.peerUrl()); // a timed-out add may have been applied all the same
                if (added == ABSENT || added == UNKNOWN) {
                    checkBound(deadline, "add " + m, e);
                }
            }
        }
        m.rejoined(added);
        writeFaultFiles();
        long committed = leaderCommitIndex();
        m.spawn(null);
        m.awaitHealthy(START_BOUND);
        awaitApplied(m, committed, START_BOUND);
        return old;
    }

    private static final long ABSENT = 0;
    private static final long UNKNOWN = -1;

    private static void checkBound(long deadline, String what, RuntimeException e) throws InterruptedException {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("could not " + what + " within " + RECONFIG_BOUND, e);
        }
        Thread.sleep(500); // let the cluster settle before asking again
    }

    /**
     * The ID of the member with {@code peerUrl} in the member list of a live member (read
     * linearizably), {@link #ABSENT} when there is none, {@link #UNKNOWN} when no member answered.
     */
    private long idOfPeerUrl(String peerUrl) {
        for (Member other : members) {
            if (!other.isAlive() || other.isPaused() || other.peerUrl().equals(peerUrl)) {
                continue; // the member being replaced may not know it was removed
            }
            try {
                var list = ClusterGrpc.newBlockingStub(channel(other)).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .memberList(MemberListRequest.newBuilder().setLinearizable(true).build());
                return list.getMembersList().stream().filter(x -> x.getPeerURLsList().contains(peerUrl))
                        .mapToLong(x -> x.getID()).findFirst().orElse(ABSENT);
            } catch (RuntimeException unreachable) {
                // next member
            }
        }
        return UNKNOWN;
    }

    /** Waits (bounded) until {@code m} has applied raft index {@code index}. */
    private void awaitApplied(Member m, long index, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            StatusResponse s = status(m);
            if (s != null && s.getRaftAppliedIndex() >= index) {
                return;
            }
            Thread.sleep(200); // another process catching up: poll
        }
        throw new IllegalStateException(m + " did not apply index " + index + " within " + bound);
    }

    /** Drops raft messages from {@code from} to {@code to} (one way) until {@link #heal}. */
    public void drop(Member from, Member to) throws IOException {
        dropped.computeIfAbsent(from.id, k -> new java.util.HashSet<>()).add(to.id);
        writeFaultFiles();
    }

    /** Cuts every link between {@code side} and the other members, both ways. */
    public void isolate(List<Member> side) throws IOException {
        for (Member a : side) {
            for (Member b : members) {
                if (!side.contains(b)) {
                    dropped.computeIfAbsent(a.id, k -> new java.util.HashSet<>()).add(b.id);
                    dropped.computeIfAbsent(b.id, k -> new java.util.HashSet<>()).add(a.id);
                }
            }
        }
        writeFaultFiles();
    }

    /** Removes every network fault. */
    public void heal() throws IOException {
        dropped.clear();
        writeFaultFiles();
    }

    /** Each member drops what it sends on a cut link and what it receives on one. */
    private void writeFaultFiles() throws IOException {
        for (Member m : members) {
            StringBuilder b = new StringBuilder();
            for (long to : dropped.getOrDefault(m.id, Set.of())) {
                b.append("drop-to ").append(MemberIds.hex(to)).append('\n');
            }
            for (Map.Entry<Long, Set<Long>> e : dropped.entrySet()) {
                if (e.getValue().contains(m.id)) {
                    b.append("drop-from ").append(MemberIds.hex(e.getKey())).append('\n');
                }
            }
            m.writeFaults(b.toString());
        }
    }

    /** The member the live members agree is leader, or null when they do not (yet). */
    public Member leader() {
        Long leader = null;
        for (Member m : members) {
            if (!m.isAlive() || m.isPaused()) {
                continue;
            }
            try {
                StatusResponse s = MaintenanceGrpc.newBlockingStub(channel(m)).withDeadlineAfter(2, TimeUnit.SECONDS)
                        .status(StatusRequest.getDefaultInstance());
                if (s.getLeader() == 0 || (leader != null && leader != s.getLeader())) {
                    return null;
                }
                leader = s.getLeader();
            } catch (RuntimeException unreachable) {
                // that member does not vote here
            }
        }
        for (Member m : members) {
            if (leader != null && m.id == leader) {
                return m;
            }
        }
        return null;
    }

    private synchronized ManagedChannel channel(Member m) {
        return statusChannels.computeIfAbsent(m.endpoint(),
                e -> ManagedChannelBuilder.forTarget(e).usePlaintext().build());
    }

    /** Stops all faults and waits (bounded) until every member is alive and healthy again. */
    public void restoreAll() throws IOException, InterruptedException {
        heal();
        for (Member m : members) {
            if (m.isPaused()) {
                m.resume();
            }
        }
        for (Member m : members) {
            if (!m.isAlive()) {
                restart(m, null);
            }
        }
        for (Member m : members) {
            m.awaitHealthy(START_BOUND);
        }
    }

    private void killAll() {
        for (Member m : members) {
            try {
                m.kill9();
            } catch (InterruptedException | RuntimeException e) {
                // best effort, keep killing the others
            }
        }
    }

    @Override
    public void close() {
        statusChannels.values().forEach(ManagedChannel::shutdownNow);
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    /** Ports already handed out in this JVM: the kernel may offer a just-closed port again. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /**
     * A free loopback port not handed out before here, so one cluster's ports never collide. It is
     * chosen below the kernel's ephemeral range (32768 and up): a member killed by the nemesis is
     * restarted on the same ports, and meanwhile any outgoing connection could take an ephemeral one.
     */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = java.util.concurrent.ThreadLocalRandom.current().nextInt(20000, 32000);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // someone listens there; try another
            }
        }
        throw new IOException("no fresh free port after 1000 attempts");
    }

    /** Deletes a directory tree (a previous run's members, a replaced member's data). */
    public static void wipe(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
