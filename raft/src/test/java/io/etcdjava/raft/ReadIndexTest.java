package io.etcdjava.raft;

import static io.etcdjava.raft.Network.bytes;
import static io.etcdjava.raft.Network.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Linearizable reads without log writes: ReadIndex (Raft thesis §6.4). */
@Timeout(10)
class ReadIndexTest {

    private static Network elected() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        return net;
    }

    /** §6.4: the leader records its commit index and confirms it still leads with one heartbeat round to a majority. */
    @Test
    void leaderConfirmsWithOneHeartbeatRound() {
        Network net = elected();
        net.propose(1, "a");
        long commit = net.committed(1);
        net.node(1).raw.readIndex(bytes("r1"));
        List<Message> out = net.drain(1);
        assertThat(out).extracting(Message::getType).containsOnly(MessageType.MsgHeartbeat);
        assertThat(out).allMatch(m -> m.getContext().equals(bytes("r1")));
        assertThat(net.node(1).readStates).isEmpty();
        Message toTwo = out.stream().filter(m -> m.getTo() == 2).findFirst().orElseThrow();
        net.send(toTwo); // one follower's ack plus the leader's own make a majority of three
        assertThat(net.node(1).readStates).containsExactly(new ReadState(commit, bytes("r1")));
    }

    /** §6.4: requests queued before a confirmed round are confirmed by it too; they share one round. */
    @Test
    void manyRequestsShareOneRound() {
        Network net = elected();
        long commit = net.committed(1);
        for (String r : new String[] {"r1", "r2", "r3"}) {
            net.node(1).raw.readIndex(bytes(r));
        }
        List<Message> out = net.drain(1);
        Message lastRound = out.stream()
                .filter(m -> m.getTo() == 2 && m.getContext().equals(bytes("r3"))).findFirst().orElseThrow();
        net.send(lastRound);
        assertThat(net.node(1).readStates).containsExactly(
                new ReadState(commit, bytes("r1")), new ReadState(commit, bytes("r2")), new ReadState(commit, bytes("r3")));
        assertThat(net.raft(1).readOnly.pendingCount()).isZero();
    }

    /** §6.4: a follower asks the leader for the read index and serves the read locally once applied that far. */
    @Test
    void followerObtainsReadIndexFromLeader() {
        Network net = elected();
        net.propose(1, "a");
        net.node(3).raw.readIndex(bytes("f"));
        net.send(net.drain(3));
        assertThat(net.node(3).readStates).containsExactly(new ReadState(net.committed(1), bytes("f")));
        assertThat(net.node(1).readStates).isEmpty();
    }

    /** §6.4 (with §4.2.1): a learner reads through the leader the same way. */
    @Test
    void learnerObtainsReadIndexFromLeader() {
        Network net = Network.builder().voters(1, 2).learners(3).build();
        net.campaign(1);
        net.node(3).raw.readIndex(bytes("l"));
        net.send(net.drain(3));
        assertThat(net.node(3).readStates).containsExactly(new ReadState(net.committed(1), bytes("l")));
    }

    /**
     * §6.4: a new leader does not know the commit index until an entry of its own term commits;
     * reads wait for that, then proceed.
     */
    @Test
    void newLeaderWaitsForCommitInItsTerm() {
        Network net = Network.of(1, 2, 3);
        net.ignore(MessageType.MsgApp);
        net.campaign(1);
        assertThat(net.state(1)).isEqualTo(StateType.LEADER);
        assertThat(net.committed(1)).isZero();
        net.node(1).raw.readIndex(bytes("early"));
        List<Message> out = net.drain(1);
        assertThat(ofType(out, MessageType.MsgHeartbeat)).isEmpty();
        net.send(out);
        assertThat(net.node(1).readStates).isEmpty();
        net.heal();
        net.tick(1, 1);
        assertThat(net.committed(1)).isEqualTo(1);
        assertThat(net.node(1).readStates).containsExactly(new ReadState(1, bytes("early")));
    }

    /** §6.4: a single-voter leader answers at once: nobody can have a newer commit index. */
    @Test
    void singleVoterLeaderAnswersImmediately() {
        Network net = Network.of(1);
        net.campaign(1);
        net.node(1).raw.readIndex(bytes("solo"));
        net.send(net.drain(1));
        assertThat(net.node(1).readStates).containsExactly(new ReadState(net.committed(1), bytes("solo")));
    }

    /** §6.4.1: with lease-based reads the leader answers from its lease without a heartbeat round. */
    @Test
    void leaseBasedReadNeedsNoHeartbeatRound() {
        Network net = Network.builder().voters(1, 2, 3)
                .config(b -> b.checkQuorum(true).readOnlyOption(ReadOnlyOption.LEASE_BASED)).build();
        net.campaign(1);
        net.node(1).raw.readIndex(bytes("lease"));
        List<Message> out = net.drain(1);
        assertThat(ofType(out, MessageType.MsgHeartbeat)).isEmpty();
        assertThat(net.node(1).readStates).containsExactly(new ReadState(net.committed(1), bytes("lease")));
    }

    /** §6.4: without a known leader a read request is dropped (the client retries), never answered. */
    @Test
    void readWithoutLeaderIsDropped() {
        Network net = Network.of(1, 2, 3);
        net.node(2).raw.readIndex(bytes("nobody"));
        assertThat(net.drain(2)).isEmpty();
        assertThat(net.node(2).readStates).isEmpty();
    }
}
