package io.etcdjava.raft;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.confchange.ConfChanges;
import io.etcdjava.raft.pb.ConfChange;
import io.etcdjava.raft.pb.ConfChangeType;
import io.etcdjava.raft.pb.ConfChangeV2;
import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.EntryType;
import io.etcdjava.raft.pb.HardState;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import io.etcdjava.raft.tracker.Progress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One Raft node as a plain object: feed it ticks, messages and proposals, take its {@link Ready},
 * do what it says, {@link #advance}. Not thread-safe: one driver thread owns it.
 */
public final class RawNode {
    private final Raft raft;
    private SoftState prevSoftState;
    private HardState prevHardState;

    public RawNode(Config config) {
        this.raft = new Raft(config);
        this.prevSoftState = raft.softState();
        this.prevHardState = raft.hardState();
    }

    public long id() {
        return raft.id;
    }

    /**
     * Seeds an empty log with the initial members as committed conf-change entries at term 1,
     * the way every member of a new cluster starts from the same log. The application receives
     * them as committed entries and applies them like any conf change.
     */
    public void bootstrap(List<Peer> peers) {
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("must provide at least one peer to Bootstrap");
        }
        if (raft.raftLog.storage().lastIndex() != 0) {
            throw new IllegalStateException("can't bootstrap a nonempty Storage");
        }
        // The bootstrap entries go out in the first Ready with a hard state that differs from this.
        prevHardState = HardState.getDefaultInstance();
        raft.becomeFollower(1, Raft.NONE);
        List<Entry> ents = new ArrayList<>(peers.size());
        for (int i = 0; i < peers.size(); i++) {
            Peer p = peers.get(i);
            ConfChange cc = ConfChange.newBuilder().setType(ConfChangeType.ConfChangeAddNode)
                    .setNodeId(p.id()).setContext(p.context()).build();
            ents.add(Entry.newBuilder().setType(EntryType.EntryConfChange).setTerm(1).setIndex(i + 1)
                    .setData(cc.toByteString()).build());
        }
        raft.raftLog.append(ents);
        // Committed by fiat: every member bootstraps the same entries.
        raft.raftLog.commitTo(ents.size());
        for (Peer p : peers) {
            raft.applyConfChange(ConfChanges.toV2(ConfChange.newBuilder()
                    .setType(ConfChangeType.ConfChangeAddNode).setNodeId(p.id()).build()));
        }
    }

    public void tick() {
        raft.tick();
    }

    /** Starts an election now (pre-vote first when enabled). */
    public void campaign() {
        raft.step(Message.newBuilder().setType(MessageType.MsgHup).build());
    }

    /**
     * Proposes data to be appended to the log.
     *
     * @throws ProposalDroppedException when there is no leader, a leader transfer is under way,
     *     or the uncommitted backlog is full; the caller may retry later
     */
    public void propose(ByteString data) {
        raft.step(Message.newBuilder().setType(MessageType.MsgProp).setFrom(raft.id)
                .addEntries(Entry.newBuilder().setData(data)).build());
    }

    /**
     * Proposes several entries at once: one append and one round of replication messages for
     * the whole batch, which is how a driver turns many concurrent clients into few messages.
     *
     * @throws ProposalDroppedException as {@link #propose}; then none of the batch was appended
     */
    public void proposeAll(List<ByteString> data) {
        if (data.isEmpty()) {
            return;
        }
        Message.Builder m = Message.newBuilder().setType(MessageType.MsgProp).setFrom(raft.id);
        for (ByteString d : data) {
            m.addEntries(Entry.newBuilder().setData(d));
        }
        raft.step(m.build());
    }

    public void proposeConfChange(ConfChange cc) {
        proposeConfEntry(Entry.newBuilder().setType(EntryType.EntryConfChange).setData(cc.toByteString()).build());
    }

    public void proposeConfChange(ConfChangeV2 cc) {
        proposeConfEntry(Entry.newBuilder().setType(EntryType.EntryConfChangeV2).setData(cc.toByteString()).build());
    }

    private void proposeConfEntry(Entry e) {
        raft.step(Message.newBuilder().setType(MessageType.MsgProp).setFrom(raft.id).addEntries(e).build());
    }

    /** Applies a committed conf change to the node's configuration; returns the new ConfState. */
    public ConfState applyConfChange(ConfChange cc) {
        return raft.applyConfChange(ConfChanges.toV2(cc));
    }

    public ConfState applyConfChange(ConfChangeV2 cc) {
        return raft.applyConfChange(cc);
    }

    /**
     * Steps a message received from a peer.
     *
     * @throws StepLocalMessageException for messages only the node itself may generate
     * @throws StepPeerNotFoundException for a response from a peer not in the configuration
     */
    public void step(Message m) {
        if (isLocalMsg(m.getType())) {
            throw new StepLocalMessageException();
        }
        if (isResponseMsg(m.getType()) && !raft.prs.progress().containsKey(m.getFrom())) {
            throw new StepPeerNotFoundException();
        }
        raft.step(m);
    }

    /**
     * Asks for a read index for the request identified by {@code requestCtx}; the answer comes
     * back as a {@link ReadState} in a later Ready. Without a leader the request is dropped and
     * the caller times out, as in etcd.
     */
    public void readIndex(ByteString requestCtx) {
        raft.step(Message.newBuilder().setType(MessageType.MsgReadIndex)
                .addEntries(Entry.newBuilder().setData(requestCtx)).build());
    }

    /** Asks the leader to hand leadership to {@code transferee}. */
    public void transferLeader(long transferee) {
        raft.step(Message.newBuilder().setType(MessageType.MsgTransferLeader).setFrom(transferee).build());
    }

    public void reportUnreachable(long id) {
        raft.step(Message.newBuilder().setType(MessageType.MsgUnreachable).setFrom(id).build());
    }

    public void reportSnapshot(long id, boolean failed) {
        raft.step(Message.newBuilder().setType(MessageType.MsgSnapStatus).setFrom(id).setReject(failed).build());
    }

    public boolean hasReady() {
        Raft r = raft;
        if (!r.softState().equals(prevSoftState)) {
            return true;
        }
        HardState hs = r.hardState();
        if (!hs.equals(HardState.getDefaultInstance()) && !hs.equals(prevHardState)) {
            return true;
        }
        if (r.raftLog.hasPendingSnapshot()) {
            return true;
        }
        return !r.msgs.isEmpty() || r.raftLog.unstable().size() > 0 || r.raftLog.hasNextEnts()
                || !r.readStates.isEmpty();
    }

    /** Collects what must be done next; the caller must {@link #advance} with it afterwards. */
    public Ready ready() {
        Raft r = raft;
        SoftState ss = r.softState();
        HardState hs = r.hardState();
        List<Entry> entries = List.copyOf(r.raftLog.unstableEntries());
        boolean mustSync = !entries.isEmpty() || hs.getVote() != prevHardState.getVote()
                || hs.getTerm() != prevHardState.getTerm();
        Ready rd = new Ready(
                ss.equals(prevSoftState) ? null : ss,
                hs.equals(prevHardState) ? null : hs,
                r.readStates.isEmpty() ? List.of() : Collections.unmodifiableList(r.readStates),
                entries,
                r.raftLog.hasPendingSnapshot() ? r.raftLog.unstable().snapshot : null,
                List.copyOf(r.raftLog.nextEnts()),
                Collections.unmodifiableList(r.msgs),
                mustSync);
        prevSoftState = ss;
        r.msgs = new ArrayList<>();
        if (!r.readStates.isEmpty()) {
            r.readStates = new ArrayList<>();
        }
        return rd;
    }

    /** Tells the node the application has done everything {@code rd} asked. */
    public void advance(Ready rd) {
        if (rd.hardState() != null) {
            prevHardState = rd.hardState();
        }
        raft.advance(rd);
    }

    public Status status() {
        Raft r = raft;
        Map<Long, Progress> progress = new TreeMap<>();
        if (r.state == StateType.LEADER) {
            r.prs.progress().forEach((id, pr) -> progress.put(id, pr.copy()));
        }
        return new Status(r.id, r.hardState(), r.softState(), r.raftLog.applied(), r.raftLog.lastIndex(),
                r.prs.config(), Collections.unmodifiableMap(progress), r.leadTransferee, r.isLearner);
    }

    /** Package-private view for tests in this package that pin internal rules. */
    Raft raft() {
        return raft;
    }

    static boolean isLocalMsg(MessageType t) {
        return t == MessageType.MsgHup || t == MessageType.MsgBeat || t == MessageType.MsgUnreachable
                || t == MessageType.MsgSnapStatus || t == MessageType.MsgCheckQuorum;
    }

    static boolean isResponseMsg(MessageType t) {
        return t == MessageType.MsgAppResp || t == MessageType.MsgVoteResp || t == MessageType.MsgHeartbeatResp
                || t == MessageType.MsgUnreachable || t == MessageType.MsgPreVoteResp;
    }
}
