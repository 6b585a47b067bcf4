package io.etcdjava.raft;

import static io.etcdjava.raft.Msgs.cc1;
import static io.etcdjava.raft.Msgs.voters;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.raft.pb.ConfChangeType;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Learners (non-voting members, Raft thesis §4.2.1): receive the log, never vote in quorums or campaign. */
@Timeout(10)
class LearnerTest {

    /** §4.2.1: a learner never starts an election, however long it hears nothing. */
    @Test
    void learnerNeverCampaignsOnElectionTimeout() {
        Network net = Network.builder().voters(1).learners(2).build();
        net.tick(2, 5 * net.raft(2).electionTimeout);
        assertThat(net.state(2)).isEqualTo(StateType.FOLLOWER);
        assertThat(net.term(2)).isZero();
        net.campaign(2);
        assertThat(net.state(2)).isEqualTo(StateType.FOLLOWER);
        assertThat(net.term(2)).isZero();
    }

    /** §4.2.1: a learner receives and applies the replicated log like any follower. */
    @Test
    void learnerReceivesAndAppliesReplicatedLog() {
        Network net = Network.builder().voters(1, 2).learners(3).build();
        net.campaign(1);
        net.propose(1, "a");
        net.tick(1, 1);
        assertThat(net.node(3).appliedData()).containsExactly("a");
        assertThat(net.log(3)).isEqualTo(net.log(1));
        assertThat(net.node(1).raw.status().progress().get(3L).isLearner()).isTrue();
    }

    /** §4.2.1: a learner's copy does not count towards the majority needed to commit. */
    @Test
    void learnerAckDoesNotCountForCommit() {
        Network net = Network.builder().voters(1, 2).learners(3).build();
        net.campaign(1);
        long before = net.committed(1);
        net.isolate(2);
        net.propose(1, "a");
        assertThat(net.lastIndex(3)).isEqualTo(net.lastIndex(1));
        assertThat(net.committed(1)).isEqualTo(before);
        net.heal();
        net.tick(1, 1);
        assertThat(net.committed(1)).isEqualTo(net.lastIndex(1));
    }

    /** §4.2.1: a learner added by conf change catches up, and once promoted it may campaign. */
    @Test
    void learnerAddedThenPromotedBecomesPromotable() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        net.propose(1, "before");
        net.addNode(4, voters(1, 2, 3), b -> {
        });
        net.proposeConf(1, cc1(ConfChangeType.ConfChangeAddLearnerNode, 4));
        net.tick(1, 1);
        assertThat(net.raft(4).isLearner).isTrue();
        assertThat(net.raft(4).promotable()).isFalse();
        assertThat(net.node(4).appliedData()).containsExactly("before");
        assertThat(net.node(4).confState.getLearnersList()).containsExactly(4L);

        net.proposeConf(1, cc1(ConfChangeType.ConfChangeAddNode, 4));
        net.tick(1, 1);
        assertThat(net.raft(4).isLearner).isFalse();
        assertThat(net.raft(4).promotable()).isTrue();
        assertThat(net.node(4).confState.getVotersList()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
        net.isolate(1);
        net.campaign(4);
        assertThat(net.state(4)).isEqualTo(StateType.LEADER);
    }

    /**
     * §4.2.1 (etcd): a learner still answers vote requests; it may be a voter in a configuration
     * it has not applied yet, and its vote may then be needed.
     */
    @Test
    void learnerGrantsVoteWhenAsked() {
        Network net = Network.builder().voters(1).learners(2).build();
        List<Message> out = net.stepCollect(2, Msgs.vote(1, 2, 2, 0, 0));
        assertThat(out).singleElement().satisfies(m -> {
            assertThat(m.getType()).isEqualTo(MessageType.MsgVoteResp);
            assertThat(m.getReject()).isFalse();
        });
    }

    /** §4.2.1: a voter demoted to learner stops being promotable and stops counting for the quorum. */
    @Test
    void voterDemotedToLearnerStopsCountingTowardsQuorum() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        net.proposeConf(1, cc1(ConfChangeType.ConfChangeAddLearnerNode, 3));
        net.tick(1, 1);
        assertThat(net.raft(3).isLearner).isTrue();
        assertThat(net.node(1).confState.getVotersList()).containsExactlyInAnyOrder(1L, 2L);
        net.isolate(2);
        long before = net.committed(1);
        net.propose(1, "x");
        assertThat(net.committed(1)).isEqualTo(before);
    }
}
