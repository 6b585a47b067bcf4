package io.etcdjava.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdjava.server.it.EtcdProcess.Kind;
import io.etcdjava.server.it.EtcdProcess.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 4, first slice: three of our member processes started from one --initial-cluster elect a
 * leader, replicate a write made through one member to the others, agree on the cluster in
 * Debian's {@code etcdctl endpoint status}, and take writes again after the leader is killed.
 */
@Timeout(180)
class ThreeMemberClusterIT {
    private static final String ETCDCTL = "/usr/bin/etcdctl";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void threeProcessesFormOneClusterAndSurviveKillingTheLeader() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(ETCDCTL)), "Debian's etcdctl is not installed");
        Path dir = EtcdProcess.workDir("ThreeMemberClusterIT");
        String[] names = {"m1", "m2", "m3"};
        int[] clientPorts = new int[3];
        int[] peerPorts = new int[3];
        List<String> initial = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clientPorts[i] = EtcdProcess.freePort();
            peerPorts[i] = EtcdProcess.freePort();
            initial.add(names[i] + "=http://127.0.0.1:" + peerPorts[i]);
        }
        List<EtcdProcess> members = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                members.add(EtcdProcess.launchMember(Kind.OURS, dir.resolve(names[i]), names[i], clientPorts[i],
                        peerPorts[i], String.join(",", initial), "--initial-cluster-token", "cluster-it"));
            }
            for (EtcdProcess m : members) {
                m.awaitReady();
            }

            Outcome put = etcdctl(members.get(0), "put", "foo", "bar");
            assertThat(put.exitCode()).as(put.toString()).isZero();
            assertThat(put.stdout()).isEqualTo("OK\n");
            for (EtcdProcess m : members.subList(1, 3)) {
                Outcome get = etcdctl(m, "get", "foo");
                assertThat(get.exitCode()).as(get.toString()).isZero();
                assertThat(get.stdout()).isEqualTo("foo\nbar\n");
            }

            List<JsonNode> status = endpointStatus(members);
            assertThat(status).hasSize(3);
            Set<String> clusterIds = new HashSet<>();
            Set<String> memberIds = new HashSet<>();
            Set<String> leaders = new HashSet<>();
            for (JsonNode s : status) {
                clusterIds.add(s.path("Status").path("header").path("cluster_id").asText());
                memberIds.add(s.path("Status").path("header").path("member_id").asText());
                leaders.add(s.path("Status").path("leader").asText());
            }
            assertThat(clusterIds).as(status.toString()).hasSize(1);
            assertThat(memberIds).as(status.toString()).hasSize(3);
            assertThat(leaders).as(status.toString()).hasSize(1);
            String leaderId = leaders.iterator().next();
            assertThat(memberIds).contains(leaderId);

            int leaderIndex = -1;
            for (int i = 0; i < 3; i++) {
                if (status.get(i).path("Status").path("header").path("member_id").asText().equals(leaderId)) {
                    leaderIndex = i;
                }
            }
            members.get(leaderIndex).kill9();
            List<EtcdProcess> survivors = new ArrayList<>(members);
            survivors.remove(leaderIndex);

            String newLeader = awaitNewLeader(survivors, leaderId);
            assertThat(newLeader).isNotEqualTo(leaderId);
            Outcome after = awaitPut(survivors.get(0), "after", "failover");
            assertThat(after.stdout()).isEqualTo("OK\n");
            Outcome get = etcdctl(survivors.get(1), "get", "after");
            assertThat(get.stdout()).as(get.toString()).isEqualTo("after\nfailover\n");
            assertThat(etcdctl(survivors.get(1), "get", "foo").stdout()).isEqualTo("foo\nbar\n");
        } finally {
            for (EtcdProcess m : members) {
                m.close();
            }
        }
    }

    private static String awaitNewLeader(List<EtcdProcess> survivors, String oldLeader) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<JsonNode> last = List.of();
        while (System.nanoTime() < deadline) {
            last = endpointStatus(survivors);
            Set<String> leaders = last.stream().map(s -> s.path("Status").path("leader").asText())
                    .collect(Collectors.toSet());
            if (last.size() == survivors.size() && leaders.size() == 1 && !leaders.contains(oldLeader)
                    && !leaders.contains("0")) {
                return leaders.iterator().next();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no new leader within 20 s: " + last);
    }

    private static Outcome awaitPut(EtcdProcess m, String key, String value) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Outcome o;
        do {
            o = etcdctl(m, "put", key, value);
            if (o.exitCode() == 0) {
                return o;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("put not accepted within 20 s: " + o);
    }

    private static List<JsonNode> endpointStatus(List<EtcdProcess> members) throws Exception {
        String endpoints = members.stream().map(EtcdProcess::endpoint).collect(Collectors.joining(","));
        Outcome o = run("--endpoints=" + endpoints, "--command-timeout=3s", "endpoint", "status", "-w", "json");
        List<JsonNode> out = new ArrayList<>();
        if (o.stdout().isBlank()) {
            return out;
        }
        JSON.readTree(o.stdout()).forEach(out::add);
        return out;
    }

    private static Outcome etcdctl(EtcdProcess m, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--endpoints=" + m.endpoint(), "--command-timeout=5s"));
        all.addAll(List.of(args));
        return run(all.toArray(String[]::new));
    }

    private static Outcome run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ETCDCTL);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        EtcdProcess.scrubEnvironment(pb.environment());
        pb.environment().put("ETCDCTL_API", "3");
        return Outcome.of(pb, null, Duration.ofSeconds(30));
    }
}
