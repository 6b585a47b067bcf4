package io.etcdjava.raft;

import static io.etcdjava.raft.Network.bytes;
import static io.etcdjava.raft.Network.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import io.etcdjava.raft.tracker.Progress;
import io.etcdjava.raft.tracker.ProgressState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Replication flow control (etcd's progress states; efficiency of §5.3 AppendEntries). */
@Timeout(10)
class FlowControlTest {

    /** Leader 1 of {1,2,3} with 2 in replicate state and at most {@code window} unacked appends. */
    private static Network replicating(int window) {
        Network net = Network.builder().voters(1, 2, 3).config(b -> b.maxInflightMsgs(window)).build();
        net.campaign(1);
        assertThat(net.raft(1).prs.progress().get(2L).state()).isEqualTo(ProgressState.REPLICATE);
        return net;
    }

    /** Proposes at the leader and returns the appends it sends to 2, without delivering anything. */
    private static List<Message> proposeCollectTo2(Network net, String data) {
        net.node(1).raw.propose(bytes(data));
        return net.drain(1).stream().filter(m -> m.getTo() == 2 && m.getType() == MessageType.MsgApp).toList();
    }

    /** In replicate state the leader pipelines: each proposal goes out at once, before earlier ones are acked. */
    @Test
    void replicateStatePipelinesAppendsWithoutWaitingForAcks() {
        Network net = replicating(256);
        long li = net.lastIndex(1);
        List<Message> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.addAll(proposeCollectTo2(net, "p" + i));
        }
        assertThat(sent).hasSize(5);
        for (int i = 0; i < 5; i++) {
            assertThat(sent.get(i).getIndex()).isEqualTo(li + i);
            assertThat(sent.get(i).getEntriesList()).extracting(Entry::getIndex).containsExactly(li + i + 1);
        }
        assertThat(net.raft(1).prs.progress().get(2L).next()).isEqualTo(li + 6);
    }

    /** The inflight window bounds unacknowledged appends; a full window pauses the follower. */
    @Test
    void fullInflightWindowPausesReplication() {
        Network net = replicating(3);
        int sent = 0;
        for (int i = 0; i < 6; i++) {
            sent += proposeCollectTo2(net, "p" + i).size();
        }
        assertThat(sent).isEqualTo(3);
        Progress pr = net.raft(1).prs.progress().get(2L);
        assertThat(pr.inflights().full()).isTrue();
        assertThat(pr.isPaused()).isTrue();
    }

    /** An ack frees the window up to the acked index and the leader sends the backlog at once. */
    @Test
    void ackFreesWindowAndBacklogFollows() {
        Network net = replicating(3);
        long li = net.lastIndex(1);
        for (int i = 0; i < 6; i++) {
            proposeCollectTo2(net, "p" + i);
        }
        List<Message> out = net.stepCollect(1, Msgs.appResp(2, 1, 1, li + 2));
        List<Message> toTwo = out.stream().filter(m -> m.getTo() == 2 && m.getType() == MessageType.MsgApp).toList();
        assertThat(toTwo).isNotEmpty();
        assertThat(toTwo.get(0).getIndex()).isEqualTo(li + 3);
        assertThat(toTwo.stream().mapToInt(Message::getEntriesCount).sum()).isEqualTo(3);
    }

    /** A heartbeat response to a full window frees one slot, so replication resumes even if acks were lost. */
    @Test
    void heartbeatResponseFreesOneSlotOfFullWindow() {
        Network net = replicating(3);
        for (int i = 0; i < 4; i++) {
            proposeCollectTo2(net, "p" + i);
        }
        Progress pr = net.raft(1).prs.progress().get(2L);
        assertThat(pr.inflights().full()).isTrue();
        List<Message> out = net.stepCollect(1, Msgs.msg(MessageType.MsgHeartbeatResp, 2, 1, 1).build());
        assertThat(pr.inflights().full()).as("a slot was freed and refilled").isTrue();
        assertThat(ofType(out, MessageType.MsgApp)).extracting(Message::getTo).contains(2L);
    }

    /** In probe state the leader sends one append and waits for its answer before sending another. */
    @Test
    void probeStateSendsOneAppendAtATime() {
        Network net = Network.of(1, 2, 3);
        Raft r = net.raft(1);
        r.becomeCandidate();
        r.becomeLeader();
        net.drain(1);
        Progress pr = r.prs.progress().get(2L);
        assertThat(pr.state()).isEqualTo(ProgressState.PROBE);
        int sent = 0;
        for (int i = 0; i < 3; i++) {
            sent += proposeCollectTo2(net, "p" + i).size();
        }
        assertThat(sent).isEqualTo(1);
        assertThat(pr.isPaused()).isTrue();
    }

    /** maxSizePerMsg bounds the entries one append carries (always at least one entry). */
    @Test
    void maxSizePerMsgBoundsBytesPerAppend() {
        String payload = "x".repeat(100);
        Network net = Network.builder().voters(1, 2, 3).config(b -> b.maxSizePerMsg(250)).build();
        net.campaign(1);
        net.isolate(3);
        for (int i = 0; i < 10; i++) {
            net.propose(1, payload + i);
        }
        net.heal();
        int before = net.delivered.size();
        net.tick(1, 1);
        List<Message> apps = ofType(net.delivered.subList(before, net.delivered.size()), MessageType.MsgApp)
                .stream().filter(m -> m.getTo() == 3 && m.getEntriesCount() > 0).toList();
        assertThat(apps.size()).isGreaterThanOrEqualTo(5);
        for (Message m : apps) {
            long bytes = m.getEntriesList().stream().mapToLong(Entry::getSerializedSize).sum();
            assertThat(m.getEntriesCount() == 1 || bytes <= 250).as("append of %d entries, %d bytes", m.getEntriesCount(), bytes).isTrue();
        }
        assertThat(net.log(3)).isEqualTo(net.log(1));
    }

    /**
     * Fast log back-off (thesis §5.3 optimisation): a rejection carries the follower's term at the
     * conflict, so the leader skips every entry of a divergent term in one round trip rather than
     * backing up one index per rejection.
     */
    @Test
    void conflictBackoffSkipsWholeDivergentTermInOneRoundTrip() {
        long[] leaderLog = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
        long[][] followers = {
            {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3}, // Figure 7 (f): term 2 and 3 entries the leader never had
            {1, 1, 1, 4, 4, 4, 4}, // Figure 7 (e)
        };
        for (long[] f : followers) {
            Network net = Network.builder().voters(1, 2, 3)
                    .log(1, leaderLog).term(1, 7).log(2, f).log(3, leaderLog).term(3, 7).build();
            net.campaign(1);
            long rejections = net.delivered.stream()
                    .filter(m -> m.getType() == MessageType.MsgAppResp && m.getFrom() == 2 && m.getReject()).count();
            assertThat(rejections).as("follower %s", java.util.Arrays.toString(f)).isEqualTo(1);
            assertThat(net.log(2)).isEqualTo(net.log(1));
        }
    }
}
