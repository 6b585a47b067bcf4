package io.etcdjava.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.raft.pb.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Check-quorum and the leader lease (Raft thesis §6.2, §4.2.3). */
@Timeout(10)
class CheckQuorumTest {

    private static Network cqNet(long... ids) {
        return Network.builder().voters(ids).config(b -> b.checkQuorum(true)).build();
    }

    /** §6.2: a leader that has not heard from a quorum within an election timeout steps down. */
    @Test
    void leaderStepsDownWhenQuorumLost() {
        Network net = cqNet(1, 2, 3);
        net.campaign(1);
        net.isolate(1);
        net.tick(1, 2 * net.raft(1).electionTimeout);
        assertThat(net.state(1)).isEqualTo(StateType.FOLLOWER);
        assertThat(net.term(1)).isEqualTo(1);
        assertThat(net.raft(1).lead).isZero();
    }

    /** §6.2: a leader keeps leading while a quorum keeps answering, even with a member down. */
    @Test
    void leaderStaysWhileQuorumActive() {
        Network net = cqNet(1, 2, 3);
        net.campaign(1);
        net.isolate(3);
        for (int i = 0; i < 5 * net.raft(1).electionTimeout; i++) {
            net.tick(1, 1);
            net.tick(2, 1);
        }
        assertThat(net.state(1)).isEqualTo(StateType.LEADER);
        assertThat(net.term(1)).isEqualTo(1);
    }

    /**
     * §4.2.3: a server that heard from a live leader within the minimum election timeout ignores
     * vote requests, so a disruptive server cannot depose the leader.
     */
    @Test
    void followerIgnoresVoteRequestsWithinLeaderLease() {
        Network net = cqNet(1, 2, 3);
        net.campaign(1);
        net.tick(2, 1); // heard from 1 recently
        net.campaign(3);
        assertThat(net.state(3)).isEqualTo(StateType.CANDIDATE);
        assertThat(net.term(3)).isEqualTo(2);
        assertThat(net.term(2)).isEqualTo(1);
        assertThat(net.state(1)).isEqualTo(StateType.LEADER);
        assertThat(net.term(1)).isEqualTo(1);
    }

    /** §4.2.3: once the lease has run out (no leader heard for an election timeout) votes are granted again. */
    @Test
    void voteGrantedAfterLeaseExpires() {
        Network net = cqNet(1, 2, 3);
        net.campaign(1);
        net.isolate(1);
        Raft r2 = net.raft(2);
        r2.randomizedElectionTimeout = 2 * r2.electionTimeout; // keep 2 from campaigning itself
        net.tick(2, r2.electionTimeout);
        assertThat(net.state(2)).isEqualTo(StateType.FOLLOWER);
        net.campaign(3);
        assertThat(net.state(3)).isEqualTo(StateType.LEADER);
        assertThat(net.term(3)).isEqualTo(2);
    }

    /**
     * §6.2 (etcd): a candidate stuck at a higher term behind a partition is freed when it rejoins:
     * the leader's message at the lower term gets a reply carrying the higher term, the leader
     * steps down, and a new election at the higher term follows.
     */
    @Test
    void stuckCandidateWithHigherTermIsFreedOnRejoin() {
        Network net = cqNet(1, 2, 3);
        net.campaign(1);
        net.isolate(3);
        net.campaign(3);
        net.campaign(3);
        assertThat(net.term(3)).isEqualTo(3);
        net.heal();
        net.tick(1, 1); // heartbeat at term 1 reaches 3, which answers with term 3
        assertThat(net.state(1)).isEqualTo(StateType.FOLLOWER);
        assertThat(net.term(1)).isEqualTo(3);
        net.campaign(1);
        assertThat(net.state(1)).isEqualTo(StateType.LEADER);
        assertThat(net.term(1)).isEqualTo(4);
        assertThat(net.violations()).isEmpty();
    }

    /** §6.2: learners do not count towards the active quorum. */
    @Test
    void learnersDoNotKeepLeaderAlive() {
        Network net = Network.builder().voters(1, 2, 3).learners(4).config(b -> b.checkQuorum(true)).build();
        net.campaign(1);
        net.cut(1, 2);
        net.cut(1, 3);
        net.tick(1, 2 * net.raft(1).electionTimeout);
        assertThat(net.state(1)).isEqualTo(StateType.FOLLOWER);
        assertThat(net.delivered).anyMatch(m -> m.getFrom() == 4 && m.getType() == MessageType.MsgHeartbeatResp);
    }
}
