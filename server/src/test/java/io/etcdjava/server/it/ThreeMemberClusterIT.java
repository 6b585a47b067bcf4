package io.etcdjava.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdjava.server.it.EtcdProcess.Outcome;
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

    @Test
    void threeProcessesFormOneClusterAndSurviveKillingTheLeader() throws Exception {
        assumeTrue(Etcdctl.installed(), "Debian's etcdctl is not installed");
        Path dir = EtcdProcess.workDir("ThreeMemberClusterIT");
        try (ProcessCluster cluster = ProcessCluster.start(dir, 3, "cluster-it")) {
            List<EtcdProcess> members = cluster.members();
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
        return Etcdctl.endpointStatus(members);
    }

    private static Outcome etcdctl(EtcdProcess m, String... args) throws Exception {
        return Etcdctl.withTimeout(List.of(m), "5s", args);
    }
}
