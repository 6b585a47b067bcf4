package io.etcdjava.raft;

import static io.etcdjava.raft.Network.bytes;
import static io.etcdjava.raft.Network.ofType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Leadership transfer (Raft thesis §3.10). */
@Timeout(10)
class LeaderTransferTest {

    /** §3.10: with the transferee up to date, the leader sends TimeoutNow at once and the transferee wins the next term. */
    @Test
    void transferToUpToDateFollowerSendsTimeoutNowAtOnce() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        net.node(1).raw.transferLeader(2);
        List<Message> out = net.drain(1);
        assertThat(ofType(out, MessageType.MsgTimeoutNow)).singleElement().extracting(Message::getTo).isEqualTo(2L);
        net.send(out);
        assertThat(net.state(2)).isEqualTo(StateType.LEADER);
        assertThat(net.term(2)).isEqualTo(2);
        assertThat(net.state(1)).isEqualTo(StateType.FOLLOWER);
        assertThat(net.raft(1).lead).isEqualTo(2);
    }

    /** §3.10: a transfer requested at a follower is forwarded to the leader. */
    @Test
    void transferRequestedAtFollowerIsForwardedToLeader() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        net.node(3).raw.transferLeader(3);
        net.send(net.drain(3));
        assertThat(net.state(3)).isEqualTo(StateType.LEADER);
        assertThat(net.raft(1).lead).isEqualTo(3);
    }

    /** §3.10: the leader first brings a lagging transferee's log up to date, then sends TimeoutNow. */
    @Test
    void transferToLaggingFollowerCatchesItUpFirst() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        net.isolate(3);
        net.propose(1, "missed");
        net.heal();
        net.node(1).raw.transferLeader(3);
        List<Message> out = net.drain(1);
        assertThat(ofType(out, MessageType.MsgTimeoutNow)).isEmpty();
        assertThat(ofType(out, MessageType.MsgApp)).extracting(Message::getTo).contains(3L);
        net.send(out);
        assertThat(net.state(3)).isEqualTo(StateType.LEADER);
        assertThat(net.log(3)).extracting(e -> e.getData().toStringUtf8()).contains("missed");
        int timeoutNow = net.delivered.indexOf(ofType(net.delivered, MessageType.MsgTimeoutNow).get(0));
        int lastAppToThree = -1;
        for (int i = 0; i < timeoutNow; i++) {
            Message m = net.delivered.get(i);
            if (m.getType() == MessageType.MsgAppResp && m.getFrom() == 3 && !m.getReject()) {
                lastAppToThree = i;
            }
        }
        assertThat(lastAppToThree).as("TimeoutNow only after 3 acknowledged the log").isPositive();
    }

    /** §3.10: during a transfer the leader stops accepting client requests (proposals are refused). */
    @Test
    void proposalsRefusedWhileTransferInProgress() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        net.isolate(3);
        net.node(1).raw.transferLeader(3);
        net.send(net.drain(1));
        assertThat(net.raft(1).leadTransferee).isEqualTo(3);
        long last = net.lastIndex(1);
        assertThatThrownBy(() -> net.node(1).raw.propose(bytes("x"))).isInstanceOf(ProposalDroppedException.class);
        assertThat(net.lastIndex(1)).isEqualTo(last);
    }

    /** §3.10: if the transfer does not complete within an election timeout, the leader aborts it and accepts work again. */
    @Test
    void transferAbortedAfterElectionTimeout() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        net.isolate(3);
        net.node(1).raw.transferLeader(3);
        net.send(net.drain(1));
        net.tick(1, net.raft(1).electionTimeout - 1);
        assertThat(net.raft(1).leadTransferee).isEqualTo(3);
        net.tick(1, 1);
        assertThat(net.raft(1).leadTransferee).isZero();
        assertThat(net.state(1)).isEqualTo(StateType.LEADER);
        net.propose(1, "after-abort");
        assertThat(net.node(1).appliedData()).containsExactly("after-abort");
    }

    /** §3.10: a repeated request for the same transferee neither restarts nor extends the transfer. */
    @Test
    void repeatedTransferToSameNodeDoesNotExtendTimeout() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        net.isolate(3);
        net.node(1).raw.transferLeader(3);
        net.tick(1, net.raft(1).electionTimeout / 2);
        net.node(1).raw.transferLeader(3);
        net.tick(1, net.raft(1).electionTimeout - net.raft(1).electionTimeout / 2);
        assertThat(net.raft(1).leadTransferee).isZero();
    }

    /** §3.10 (etcd): learners cannot lead, so a transfer to one is ignored; so are transfers to self or to non-members. */
    @Test
    void transferToLearnerSelfOrNonMemberIgnored() {
        Network net = Network.builder().voters(1, 2, 3).learners(4).build();
        net.campaign(1);
        for (long target : new long[] {4, 1, 9}) {
            net.node(1).raw.transferLeader(target);
            List<Message> out = net.drain(1);
            assertThat(ofType(out, MessageType.MsgTimeoutNow)).as("to %d", target).isEmpty();
            assertThat(net.raft(1).leadTransferee).as("to %d", target).isZero();
            net.send(out);
            assertThat(net.state(1)).isEqualTo(StateType.LEADER);
        }
        assertThat(net.raft(4).promotable()).isFalse();
        net.stepCollect(4, Msgs.msg(MessageType.MsgTimeoutNow, 1, 4, net.term(1)).build());
        assertThat(net.state(4)).isEqualTo(StateType.FOLLOWER);
    }

    /**
     * §3.10 with §4.2.3 and §9.6: the transferee's election bypasses both pre-vote and the
     * followers' leader lease, since the old leader asked for it.
     */
    @Test
    void transferElectionBypassesPreVoteAndLease() {
        Network net = Network.builder().voters(1, 2, 3).config(b -> b.checkQuorum(true).preVote(true)).build();
        net.campaign(1);
        net.tickAll(1);
        int before = net.delivered.size();
        net.node(1).raw.transferLeader(2);
        net.send(net.drain(1));
        List<Message> after = net.delivered.subList(before, net.delivered.size());
        assertThat(ofType(after, MessageType.MsgPreVote)).isEmpty();
        assertThat(ofType(after, MessageType.MsgVote)).allMatch(m -> m.getContext().equals(Raft.CAMPAIGN_TRANSFER));
        assertThat(net.state(2)).isEqualTo(StateType.LEADER);
        assertThat(net.term(2)).isEqualTo(2);
    }
}
