package io.etcdjava.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdjava.server.it.EtcdProcess.Kind;
import io.etcdjava.server.it.EtcdProcess.Outcome;
import io.etcdjava.server.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 4, membership: our member processes driven by Debian's etcdctl as an operator would —
 * member list / endpoint status --cluster, add (voter and learner) then join with
 * --initial-cluster-state existing, promote, move-leader, remove (the removed member exits),
 * moving a member to a new peer URL with its data dir, and quorum loss.
 */
class MembershipIT {
    private static final String TOKEN = "membership-it";

    @Test
    @Timeout(600)
    void learnerJoinsIsPromotedTakesLeadershipAndAMemberMovesToANewPeerUrl() throws Exception {
        assumeTrue(Etcdctl.installed(), "Debian's etcdctl is not installed");
        Path dir = EtcdProcess.workDir("MembershipIT-lifecycle");
        try (ProcessCluster cluster = ProcessCluster.start(dir, 3, TOKEN)) {
            List<EtcdProcess> members = cluster.members();
            String initial = cluster.initialCluster();
            assertListAndStatusAgree(members, 3);
            assertThat(Etcdctl.at(members.get(0), "put", "foo", "bar").exitCode()).isZero();

            // Add a learner, start it against the running cluster.
            int dClient = FreePorts.next();
            int dPeer = FreePorts.next();
            String dPeerUrl = "http://127.0.0.1:" + dPeer;
            Outcome add = Etcdctl.at(members.get(0), "member", "add", "d", "--learner", "--peer-urls=" + dPeerUrl);
            assertThat(add.exitCode()).as(add.toString()).isZero();
            assertThat(add.stdout()).contains("ETCD_INITIAL_CLUSTER_STATE=\"existing\"");
            String dId = add.stdout().replaceAll("(?s).*Member ([0-9a-f]+) added to cluster.*", "$1");
            Outcome secondLearner = Etcdctl.at(members.get(0), "member", "add", "e", "--learner",
                    "--peer-urls=http://127.0.0.1:" + FreePorts.next());
            assertThat(secondLearner.stderr()).contains("etcdserver: too many learner members in cluster");
            EtcdProcess d = cluster.launchJoining("d", dClient, dPeer);
            d.awaitReady();
            JsonNode dStatus = Etcdctl.endpointStatus(List.of(d)).get(0).path("Status");
            assertThat(dStatus.path("isLearner").asBoolean()).as(dStatus.toString()).isTrue();
            assertThat(Etcdctl.at(d, "get", "foo", "--consistency=s").stdout()).isEqualTo("foo\nbar\n");
            Outcome learnerPut = Etcdctl.at(d, "put", "x", "y");
            assertThat(learnerPut.stderr()).contains("etcdserver: rpc not supported for learner");

            // Promote (through a member that may not lead: it forwards to the leader).
            Outcome promote = Etcdctl.awaitSuccess(() -> Etcdctl.at(members.get(1), "member", "promote", dId));
            assertThat(promote.stdout()).containsPattern("Member +" + dId + " promoted");
            assertThat(Etcdctl.at(members.get(0), "member", "promote", dId).stderr())
                    .contains("etcdserver: can only promote a learner member");
            assertListAndStatusAgree(members, 4);

            // Hand leadership to the new member.
            Outcome move = Etcdctl.at(members, "move-leader", dId);
            assertThat(move.exitCode()).as(move.toString()).isZero();
            assertThat(move.stdout()).contains("Leadership transferred");
            assertThat(Etcdctl.endpointStatus(List.of(d)).get(0).path("Status").path("leader").asText())
                    .isEqualTo(Long.toUnsignedString(Long.parseUnsignedLong(dId, 16)));

            // Move member m2 to another peer URL, keeping its data dir and ID.
            EtcdProcess m2 = members.get(1);
            String m2Id = Etcdctl.memberIdOf(m2);
            m2.terminate(Duration.ofSeconds(60));
            int newPeer = FreePorts.next();
            Path moved = dir.resolve("m2-moved");
            copyTree(m2.dataDir(), moved.resolve("data"));
            Outcome update = Etcdctl.at(members.get(0), "member", "update", m2Id,
                    "--peer-urls=http://127.0.0.1:" + newPeer);
            assertThat(update.exitCode()).as(update.toString()).isZero();
            assertThat(Etcdctl.at(members.get(0), "put", "during-move", "v").exitCode()).isZero();
            String movedInitial = initial.replace("m2=http://127.0.0.1:" + m2.peerPort,
                    "m2=http://127.0.0.1:" + newPeer);
            EtcdProcess m2b = EtcdProcess.launchMember(Kind.OURS, moved, "m2", m2.clientPort, newPeer, movedInitial,
                    "--initial-cluster-token", TOKEN);
            members.set(1, m2b);
            m2b.awaitReady();
            assertThat(Etcdctl.memberIdOf(m2b)).isEqualTo(m2Id);
            Outcome after = Etcdctl.awaitSuccess(() -> Etcdctl.at(m2b, "get", "during-move"));
            assertThat(after.stdout()).isEqualTo("during-move\nv\n");
            assertThat(Etcdctl.at(m2b, "get", "foo").stdout()).isEqualTo("foo\nbar\n");
            Outcome list = Etcdctl.at(members.get(0), "member", "list");
            assertThat(list.stdout()).contains(m2Id + ", started, m2, http://127.0.0.1:" + newPeer);
        }
    }

    @Test
    @Timeout(600)
    void fiveMembersAgreeARemovedMemberExitsAndFourSurviveOneLossButNotTwo() throws Exception {
        assumeTrue(Etcdctl.installed(), "Debian's etcdctl is not installed");
        Path dir = EtcdProcess.workDir("MembershipIT-five");
        try (ProcessCluster cluster = ProcessCluster.start(dir, 5, TOKEN)) {
            List<EtcdProcess> members = cluster.members();
            assertListAndStatusAgree(members, 5);

            EtcdProcess m5 = members.get(4);
            String m5Id = Etcdctl.memberIdOf(m5);
            Outcome remove = Etcdctl.at(members.get(0), "member", "remove", m5Id);
            assertThat(remove.exitCode()).as(remove.toString()).isZero();
            assertThat(m5.awaitExit(Duration.ofSeconds(60))).as(m5.logTail()).isZero();
            assertThat(m5.logText()).contains("the member has been permanently removed from the cluster");
            members.remove(4);
            assertThat(Etcdctl.at(members.get(0), "member", "remove", m5Id).stderr())
                    .contains("etcdserver: member not found");
            assertListAndStatusAgree(members, 4);

            members.get(3).kill9();
            Outcome oneDown = Etcdctl.awaitSuccess(() -> Etcdctl.at(members.get(0), "put", "k", "1"));
            assertThat(oneDown.stdout()).isEqualTo("OK\n");
            members.get(2).kill9();
            Outcome twoDown = Etcdctl.withTimeout(List.of(members.get(0)), "30s", "put", "k", "2");
            assertThat(twoDown.exitCode()).isNotZero();
            assertThat(twoDown.stderr()).containsAnyOf("etcdserver: request timed out", "etcdserver: no leader");
        }
    }

    @Test
    @Timeout(600)
    void aMemberRemovedWhileItWasDownIsToldSoByItsPeersWhenItRestartsAndExits() throws Exception {
        assumeTrue(Etcdctl.installed(), "Debian's etcdctl is not installed");
        Path dir = EtcdProcess.workDir("MembershipIT-removed-while-down");
        try (ProcessCluster cluster = ProcessCluster.start(dir, 3, TOKEN)) {
            List<EtcdProcess> members = cluster.members();
            EtcdProcess m3 = members.get(2);
            String m3Id = Etcdctl.memberIdOf(m3);
            m3.terminate(Duration.ofSeconds(60));
            Outcome remove = Etcdctl.awaitSuccess(() -> Etcdctl.at(members.subList(0, 2), "member", "remove", m3Id));
            // etcdctl pads the ID to 16 columns (%16x): an ID with a leading zero nibble gets a space.
            assertThat(remove.stdout()).containsPattern("Member +" + m3Id + " removed from cluster");

            // Same data dir, same flags: its WAL still names the old configuration, so only its peers can tell it.
            long restarted = System.nanoTime();
            m3.relaunch();
            int exit = m3.awaitExit(Duration.ofSeconds(90));
            double took = (System.nanoTime() - restarted) / 1e9;
            // etcd 3.4 stops the server and exits 0 (checked against Debian's etcd 3.4.23).
            assertThat(exit).as(m3.logTail()).isZero();
            assertThat(m3.logText()).contains("\"msg\":\"server error\"")
                    .contains("the member has been permanently removed from the cluster")
                    .contains("data-dir used by this member must be removed")
                    .doesNotContain("ready to serve client requests");
            assertThat(members.subList(0, 2).stream().anyMatch(m -> m.logText().contains(
                    "\"msg\":\"rejected stream from remote peer because it was removed\"")))
                    .as("a peer refused the removed member's stream").isTrue();
            System.out.printf("[removed] restarted removed member exited %.2f s after launch%n", took);

            members.remove(2);
            assertThat(Etcdctl.awaitSuccess(() -> Etcdctl.at(members, "put", "after-removal", "v")).stdout())
                    .isEqualTo("OK\n");
            assertListAndStatusAgree(members, 2);
        }
    }

    /** `member list` and `endpoint status --cluster` name the same members, all started, one leader. */
    private static void assertListAndStatusAgree(List<EtcdProcess> members, int n) throws Exception {
        Outcome list = Etcdctl.at(members, "member", "list", "-w", "json");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        Set<String> listed = new TreeSet<>();
        for (JsonNode m : Etcdctl.json(list.stdout()).path("members")) {
            listed.add(m.path("ID").asText());
            assertThat(m.path("name").asText()).as(list.stdout()).isNotEmpty();
            assertThat(m.path("clientURLs")).as(list.stdout()).isNotEmpty();
        }
        assertThat(listed).hasSize(n);
        Outcome status = Etcdctl.awaitSuccess(() -> Etcdctl.at(members, "endpoint", "status", "--cluster", "-w", "json"));
        Set<String> statused = new TreeSet<>();
        Set<String> leaders = new TreeSet<>();
        for (JsonNode s : Etcdctl.json(status.stdout())) {
            statused.add(s.path("Status").path("header").path("member_id").asText());
            leaders.add(s.path("Status").path("leader").asText());
        }
        assertThat(statused).as(status.stdout()).isEqualTo(listed);
        assertThat(leaders).as(status.stdout()).hasSize(1);
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.collect(Collectors.toList())) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
