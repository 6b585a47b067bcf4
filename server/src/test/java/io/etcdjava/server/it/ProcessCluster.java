package io.etcdjava.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdjava.server.it.EtcdProcess.Kind;
import io.etcdjava.server.testing.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Our members as processes on loopback, started together from one --initial-cluster (m1..mN, or
 * any name prefix), each under {@code dir/<name>}. With faults on, every member runs with the
 * test-only peer fault switch ({@code -Detcdjava.test.faults=<dir>/<name>.faults}), so a test can
 * cut a member off the peer network and heal it. {@link #close} kills every member it holds.
 */
final class ProcessCluster implements AutoCloseable {
    /** Several JVMs booting side by side on a busy two-core machine. */
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(150);

    private final Path dir;
    private final String token;
    private final String initialCluster;
    private final boolean faults;
    /** The live list: tests add, replace and drop members as the cluster changes. */
    private final List<EtcdProcess> members = new ArrayList<>();

    private ProcessCluster(Path dir, String token, String initialCluster, boolean faults) {
        this.dir = dir;
        this.token = token;
        this.initialCluster = initialCluster;
        this.faults = faults;
    }

    /** Starts {@code n} members named m1..mn and waits until each serves clients. */
    static ProcessCluster start(Path dir, int n, String token, String... extraArgs) throws Exception {
        return start(dir, "m", n, token, false, extraArgs);
    }

    /**
     * Starts {@code n} members named {@code prefix}1..{@code prefix}n and waits until each serves
     * clients; with {@code faults}, each can be cut off the peer network ({@link #isolate}).
     */
    static ProcessCluster start(Path dir, String prefix, int n, String token, boolean faults, String... extraArgs)
            throws Exception {
        int[] clientPorts = new int[n];
        int[] peerPorts = new int[n];
        List<String> initial = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clientPorts[i] = FreePorts.next();
            peerPorts[i] = FreePorts.next();
            initial.add(prefix + (i + 1) + "=http://127.0.0.1:" + peerPorts[i]);
        }
        ProcessCluster c = new ProcessCluster(dir, token, String.join(",", initial), faults);
        try {
            for (int i = 0; i < n; i++) {
                String name = prefix + (i + 1);
                c.members.add(EtcdProcess.launchMember(Kind.OURS, dir.resolve(name), name, clientPorts[i],
                        peerPorts[i], c.initialCluster, c.env(name), c.args(extraArgs)));
            }
            for (EtcdProcess m : c.members) {
                m.awaitReady(BOOT_TIMEOUT);
            }
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    /**
     * Launches (without waiting) a member added with {@code member add}: {@code name} at
     * {@code peerPort}, --initial-cluster-state existing, --initial-cluster naming the current
     * members plus itself; it joins {@link #members()}.
     */
    EtcdProcess launchJoining(String name, int clientPort, int peerPort, String... extraArgs) throws IOException {
        String cluster = members.stream().map(m -> m.name() + "=" + m.peerUrl()).collect(Collectors.joining(","))
                + "," + name + "=http://127.0.0.1:" + peerPort;
        List<String> args = new ArrayList<>(List.of("--initial-cluster-state", "existing"));
        args.addAll(List.of(extraArgs));
        EtcdProcess p = EtcdProcess.launchMember(Kind.OURS, dir.resolve(name), name, clientPort, peerPort, cluster,
                env(name), args(args.toArray(String[]::new)));
        members.add(p);
        return p;
    }

    private String[] args(String... extraArgs) {
        List<String> all = new ArrayList<>(List.of("--initial-cluster-token", token));
        all.addAll(List.of(extraArgs));
        return all.toArray(String[]::new);
    }

    private Map<String, String> env(String name) throws IOException {
        if (!faults) {
            return Map.of();
        }
        Path file = faultsFile(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "");
        return Map.of("ETCD_JAVA_OPTS", "-Detcdjava.test.faults=" + file);
    }

    private Path faultsFile(String name) {
        return dir.resolve(name + ".faults");
    }

    /** The members, in start order (the live list). */
    List<EtcdProcess> members() {
        return members;
    }

    EtcdProcess get(int i) {
        return members.get(i);
    }

    /** etcd's --initial-cluster the cluster was started with. */
    String initialCluster() {
        return initialCluster;
    }

    String token() {
        return token;
    }

    /** Every member other than {@code i}. */
    List<EtcdProcess> others(int i) {
        List<EtcdProcess> out = new ArrayList<>(members);
        out.remove(i);
        return out;
    }

    /**
     * Cuts member {@code i} off every other member: its raft messages out and in are dropped at
     * its own transport (both directions, so the others need no switch), until {@link #heal}.
     * Returns once the member logged that it applies the fault.
     */
    void isolate(int i) throws Exception {
        requireFaults();
        StringBuilder lines = new StringBuilder();
        for (EtcdProcess other : others(i)) {
            String id = Etcdctl.memberIdOf(other);
            lines.append("drop-to ").append(id).append('\n').append("drop-from ").append(id).append('\n');
        }
        switchFaults(i, lines.toString());
    }

    /** Ends member {@code i}'s isolation. */
    void heal(int i) throws Exception {
        requireFaults();
        switchFaults(i, "");
    }

    private void switchFaults(int i, String text) throws Exception {
        EtcdProcess m = members.get(i);
        int before = countFaultLines(m);
        Path file = faultsFile(m.name());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        // The switch re-reads its file every 50 ms and logs each change it applies.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (countFaultLines(m) == before) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(m.name() + " did not pick up its fault switch:\n" + m.logTail());
            }
            Thread.sleep(20);
        }
    }

    private static int countFaultLines(EtcdProcess m) {
        return m.logText().split("\"msg\":\"test peer faults\"", -1).length - 1;
    }

    private void requireFaults() {
        if (!faults) {
            throw new IllegalStateException("cluster started without the fault switch");
        }
    }

    /** Index in {@link #members()} of the member every answering member names leader; -1 if they disagree or none. */
    int leaderIndex() throws Exception {
        List<JsonNode> status = Etcdctl.endpointStatus(members);
        if (status.size() != members.size()) {
            return -1;
        }
        Set<String> leaders = new TreeSet<>();
        for (JsonNode s : status) {
            leaders.add(s.path("Status").path("leader").asText());
        }
        if (leaders.size() != 1 || leaders.contains("0")) {
            return -1;
        }
        String leader = leaders.iterator().next();
        for (int i = 0; i < status.size(); i++) {
            if (status.get(i).path("Status").path("header").path("member_id").asText().equals(leader)) {
                return i;
            }
        }
        return -1;
    }

    /** Waits (bounded) until all members agree on one leader; returns its index. */
    int awaitLeader() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            int l = leaderIndex();
            if (l >= 0) {
                return l;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("members do not agree on a leader within 60 s: "
                + Etcdctl.endpointStatus(members));
    }

    /**
     * Waits until every member reports the same revision and raft index with everything applied,
     * then checks that each member's own store (serializable reads) holds the same keys under
     * {@code prefix}, with the same values, create/mod revisions and versions — the data etcd's
     * HashKV would compare.
     */
    void awaitConverged(String prefix) throws Exception {
        await("all members converge", () -> {
            List<JsonNode> status = Etcdctl.endpointStatus(members);
            if (status.size() != members.size()) {
                return false;
            }
            JsonNode first = status.get(0).path("Status");
            for (JsonNode s : status) {
                JsonNode st = s.path("Status");
                if (st.path("header").path("revision").asLong() != first.path("header").path("revision").asLong()
                        || st.path("raftIndex").asLong() != first.path("raftIndex").asLong()
                        || st.path("raftAppliedIndex").asLong() != st.path("raftIndex").asLong()) {
                    return false;
                }
            }
            return true;
        });
        String reference = null;
        for (EtcdProcess m : members) {
            EtcdProcess.Outcome all = Etcdctl.at(m, "get", prefix, "--prefix", "--consistency=s", "-w", "json");
            if (all.exitCode() != 0) {
                throw new AssertionError(m.name() + ": " + all);
            }
            JsonNode kvs = Etcdctl.json(all.stdout()).path("kvs");
            if (kvs.size() == 0) {
                throw new AssertionError(m.name() + " holds nothing under " + prefix + ": " + all.stdout());
            }
            if (reference == null) {
                reference = kvs.toString();
            } else if (!reference.equals(kvs.toString())) {
                throw new AssertionError(m.name() + " holds other data than " + members.get(0).name() + ":\n"
                        + kvs + "\nvs\n" + reference);
            }
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls {@code c} until it holds; fails after 60 s naming {@code what}. */
    static void await(String what, Condition c) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within 60 s");
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (EtcdProcess m : members) {
            m.close();
        }
    }
}
