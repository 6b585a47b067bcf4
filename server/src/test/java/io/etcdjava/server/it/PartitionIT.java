package io.etcdjava.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdjava.server.it.EtcdProcess.Outcome;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 4, minority partition: three of our member processes, one cut off the peer network by the
 * test-only transport fault switch, driven by Debian's etcdctl. The majority keeps taking writes;
 * the isolated member refuses linearizable reads and writes with etcd's errors and answers
 * serializable reads from its stale store; once healed it converges on the others' revision and
 * data. An isolated leader steps down (check-quorum) and the other two elect a new one. Each test
 * leaves the cluster healed, so they share one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class PartitionIT {
    private ProcessCluster cluster;

    @BeforeAll
    @Timeout(300)
    void startCluster() throws Exception {
        assumeTrue(Etcdctl.installed(), "Debian's etcdctl is not installed");
        cluster = ProcessCluster.start(EtcdProcess.workDir("PartitionIT"), "p", 3, "partition-it", true);
    }

    @AfterAll
    void stopCluster() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void anIsolatedFollowerRefusesLinearizableRequestsServesStaleReadsAndConvergesOnHeal() throws Exception {
        int leader = cluster.awaitLeader();
        int isolated = (leader + 1) % 3;
        EtcdProcess cut = cluster.get(isolated);
        assertThat(Etcdctl.at(cluster.get(leader), "put", "f/before", "old").exitCode()).isZero();
        Etcdctl.awaitSuccess(() -> expect(Etcdctl.at(cut, "get", "f/before", "--consistency=s"), "f/before\nold\n"));

        cluster.isolate(isolated);
        try {
            // The majority keeps writing, through the leader and through the other follower.
            List<EtcdProcess> majority = cluster.others(isolated);
            for (int i = 0; i < 20; i++) {
                Outcome put = Etcdctl.at(majority.get(i % 2), "put", "f/k" + i, "v" + i);
                assertThat(put.exitCode()).as(put.toString()).isZero();
            }
            assertThat(Etcdctl.at(cluster.get(leader), "put", "f/before", "new").exitCode()).isZero();

            // A write on the isolated member is refused: etcd times out the proposal (7 s).
            Outcome put = Etcdctl.withTimeout(List.of(cut), "30s", "put", "f/cut", "x");
            assertThat(put.exitCode()).as(put.toString()).isNotZero();
            assertThat(put.stderr()).containsAnyOf("etcdserver: request timed out", "etcdserver: no leader");
            // So is a linearizable read: it waits for a read index that never comes, and times out as etcd's.
            Outcome get = Etcdctl.withTimeout(List.of(cut), "10s", "get", "f/before");
            assertThat(get.exitCode()).as(get.toString()).isNotZero();
            assertThat(get.stdout()).isEmpty();
            assertThat(get.stderr()).as(get.toString()).contains("etcdserver: request timed out");
            // A serializable read answers from the isolated member's own, stale, store.
            Outcome stale = Etcdctl.at(cut, "get", "f/before", "--consistency=s");
            assertThat(stale.stdout()).as(stale.toString()).isEqualTo("f/before\nold\n");
            assertThat(Etcdctl.at(cut, "get", "f/k0", "--consistency=s").stdout()).isEmpty();
            // It has lost its leader by now (its election timeout passed) and says so, as etcd's status does.
            JsonNode status = Etcdctl.status(cut);
            assertThat(status.path("leader").asLong()).as(status.toString()).isZero();
            assertThat(status.path("errors").toString()).contains("etcdserver: no leader");
        } finally {
            cluster.heal(isolated);
        }
        cluster.awaitConverged("f/");
        Outcome after = Etcdctl.awaitSuccess(() -> Etcdctl.at(cut, "get", "f/before"));
        assertThat(after.stdout()).isEqualTo("f/before\nnew\n");
        assertThat(Etcdctl.at(cut, "get", "f/cut", "--consistency=s").stdout()).as("the refused write").isEmpty();
    }

    @Test
    void anIsolatedLeaderStepsDownAndTheOthersElectANewLeader() throws Exception {
        int leader = cluster.awaitLeader();
        EtcdProcess old = cluster.get(leader);
        String oldId = Etcdctl.memberIdOf(old);
        long oldTerm = Etcdctl.status(old).path("raftTerm").asLong();
        List<EtcdProcess> others = cluster.others(leader);

        long cutAt = System.nanoTime();
        cluster.isolate(leader);
        try {
            String newLeader = awaitLeaderAmong(others, oldId);
            double elected = (System.nanoTime() - cutAt) / 1e9;
            assertThat(Etcdctl.status(others.get(0)).path("raftTerm").asLong()).isGreaterThan(oldTerm);
            // Check-quorum: without a quorum's answers for an election timeout, the old leader steps down.
            ProcessCluster.await("the old leader steps down", () -> Etcdctl.status(old).path("leader").asLong() == 0);
            assertThat(old.logText()).contains("stepped down to follower since quorum is not active");
            System.out.printf("[partition] new leader %s elected %.2f s after the leader was cut off%n",
                    newLeader, elected);

            Outcome put = Etcdctl.awaitSuccess(() -> Etcdctl.at(others.get(0), "put", "l/after", "new-leader"));
            assertThat(put.stdout()).isEqualTo("OK\n");
            Outcome refused = Etcdctl.withTimeout(List.of(old), "30s", "put", "l/cut", "x");
            assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
            assertThat(refused.stderr()).containsAnyOf("etcdserver: request timed out", "etcdserver: no leader");
        } finally {
            cluster.heal(leader);
        }
        // Healed, the old leader rejoins: its campaigns raised its term, so (without pre-vote, as etcd) the
        // cluster may elect again, but the old leader's log lacks the new writes and it cannot win.
        int after = cluster.awaitLeader();
        assertThat(Etcdctl.memberIdOf(cluster.get(after))).isNotEqualTo(oldId);
        cluster.awaitConverged("l/");
        assertThat(Etcdctl.at(old, "get", "l/after", "--consistency=s").stdout()).isEqualTo("l/after\nnew-leader\n");
    }

    private String awaitLeaderAmong(List<EtcdProcess> members, String notId) throws Exception {
        String[] found = new String[1];
        ProcessCluster.await("the others elect a new leader", () -> {
            List<JsonNode> status = Etcdctl.endpointStatus(members);
            if (status.size() != members.size()) {
                return false;
            }
            long leader = status.get(0).path("Status").path("leader").asLong();
            for (JsonNode s : status) {
                if (s.path("Status").path("leader").asLong() != leader) {
                    return false;
                }
            }
            found[0] = Long.toHexString(leader);
            return leader != 0 && !found[0].equals(notId);
        });
        return found[0];
    }

    private static Outcome expect(Outcome o, String stdout) {
        return o.exitCode() == 0 && o.stdout().equals(stdout) ? o : new Outcome(1, o.stdout(), o.stderr());
    }
}
