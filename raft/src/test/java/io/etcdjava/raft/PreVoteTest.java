package io.etcdjava.raft;

import static io.etcdjava.raft.Network.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pre-vote (Raft thesis §9.6): a would-be candidate first asks whether it could win, without touching terms. */
@Timeout(10)
class PreVoteTest {

    private static Network preVoteNet(long... ids) {
        return Network.builder().voters(ids).config(b -> b.preVote(true)).build();
    }

    /** §9.6: a pre-candidate asks for votes for term+1 but changes neither its term nor its vote. */
    @Test
    void preCandidateKeepsTermAndVoteWhileAskingForNextTerm() {
        Network net = preVoteNet(1, 2, 3);
        List<Message> out = net.stepCollect(1, Msgs.hup());
        Raft r = net.raft(1);
        assertThat(r.state).isEqualTo(StateType.PRE_CANDIDATE);
        assertThat(r.term).isZero();
        assertThat(r.vote).isZero();
        assertThat(out).extracting(Message::getType).containsOnly(MessageType.MsgPreVote);
        assertThat(out).allMatch(m -> m.getTerm() == 1);
        assertThat(net.node(1).storage.mem.initialState().hardState().getTerm()).isZero();
    }

    /** §9.6: once a majority grants the pre-vote, the node runs a real election; the term grows by exactly one. */
    @Test
    void grantedPreVoteLeadsToRealElectionAtNextTerm() {
        Network net = preVoteNet(1, 2, 3);
        net.campaign(1);
        assertThat(net.state(1)).isEqualTo(StateType.LEADER);
        for (long id = 1; id <= 3; id++) {
            assertThat(net.term(id)).isEqualTo(1);
        }
        assertThat(ofType(net.delivered, MessageType.MsgPreVote)).hasSize(2);
        assertThat(ofType(net.delivered, MessageType.MsgVote)).hasSize(2);
    }

    /** §9.6: answering a pre-vote never changes the receiver's term, even though the request carries a larger one. */
    @Test
    void answeringPreVoteDoesNotChangeReceiversTerm() {
        Network net = preVoteNet(1, 2, 3);
        net.raft(2).becomeFollower(1, Raft.NONE);
        List<Message> out = net.stepCollect(2, Msgs.msg(MessageType.MsgPreVote, 1, 2, 5).setLogTerm(0).setIndex(0).build());
        assertThat(net.term(2)).isEqualTo(1);
        assertThat(net.raft(2).vote).isZero();
        assertThat(out).singleElement().satisfies(m -> {
            assertThat(m.getType()).isEqualTo(MessageType.MsgPreVoteResp);
            assertThat(m.getReject()).isFalse();
            assertThat(m.getTerm()).isEqualTo(5);
        });
    }

    /** §9.6 with §5.4.1: a pre-vote from a less up-to-date log is rejected, and the pre-candidate falls back. */
    @Test
    void preVoteRejectedForStaleLogAndPreCandidateFallsBack() {
        Network net = Network.builder().voters(1, 2, 3).config(b -> b.preVote(true))
                .log(1, 1).log(2, 1, 1).log(3, 1, 1).build();
        net.campaign(1);
        assertThat(net.state(1)).isEqualTo(StateType.FOLLOWER);
        assertThat(net.term(1)).isEqualTo(1);
        assertThat(net.term(2)).isEqualTo(1);
        assertThat(ofType(net.delivered, MessageType.MsgPreVoteResp)).allMatch(Message::getReject);
    }

    /**
     * §9.6: a node partitioned away cannot raise its term, so on rejoining it does not depose the
     * working leader.
     */
    @Test
    void partitionedNodeDoesNotDisruptLeaderWhenItRejoins() {
        Network net = preVoteNet(1, 2, 3);
        net.campaign(1);
        net.isolate(3);
        net.propose(1, "while-away");
        net.tick(3, 100);
        assertThat(net.state(3)).isEqualTo(StateType.PRE_CANDIDATE);
        assertThat(net.term(3)).isEqualTo(1);
        net.heal();
        net.campaign(3);
        net.tick(1, 1);
        assertThat(net.state(1)).isEqualTo(StateType.LEADER);
        assertThat(net.term(1)).isEqualTo(1);
        assertThat(net.state(3)).isEqualTo(StateType.FOLLOWER);
        assertThat(net.node(3).appliedData()).containsExactly("while-away");
    }

    /** §9.6: a pre-candidate that hears from a leader of its term returns to follower. */
    @Test
    void preCandidateStepsDownOnHeartbeatFromCurrentLeader() {
        Network net = preVoteNet(1, 2, 3);
        net.campaign(1);
        net.isolate(3);
        net.tick(3, 30);
        assertThat(net.state(3)).isEqualTo(StateType.PRE_CANDIDATE);
        net.heal();
        net.tick(1, 1);
        assertThat(net.state(3)).isEqualTo(StateType.FOLLOWER);
        assertThat(net.raft(3).lead).isEqualTo(1);
    }

    /** §9.6: a pre-vote with a stale term is answered with an explicit rejection carrying the newer term. */
    @Test
    void staleTermPreVoteIsRejectedExplicitly() {
        Network net = preVoteNet(1, 2, 3);
        net.raft(2).becomeFollower(4, Raft.NONE);
        List<Message> out = net.stepCollect(2, Msgs.msg(MessageType.MsgPreVote, 1, 2, 2).build());
        assertThat(out).singleElement().satisfies(m -> {
            assertThat(m.getType()).isEqualTo(MessageType.MsgPreVoteResp);
            assertThat(m.getReject()).isTrue();
            assertThat(m.getTerm()).isEqualTo(4);
        });
    }
}
