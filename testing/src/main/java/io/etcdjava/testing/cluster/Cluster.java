package io.etcdjava.testing.cluster;

import io.etcdjava.api.etcdserverpb.MaintenanceGrpc;
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
                m.spawn(i < failpoints.size() ? failpoints.get(i) : null, "new");
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
        m.spawn(failpoints, "new");
        if (failpoints == null) {
            m.awaitHealthy(START_BOUND);
        }
    }

    /** Starts a member with crash points armed without waiting; see {@link Member#awaitExit}. */
    public int restartArmedAndAwaitCrash(Member m, String failpoints, Duration bound)
            throws IOException, InterruptedException {
        m.spawn(failpoints, "new");
        return m.awaitExit(bound);
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

    /** A free loopback port not handed out before here, so one cluster's ports never collide. */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 1000; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
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
