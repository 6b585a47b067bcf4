package io.etcdjava.raft;

import io.etcdjava.raft.pb.ConfChangeV2;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.EntryType;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import io.etcdjava.raft.quorum.VoteResult;
import io.etcdjava.raft.tracker.Progress;
import io.etcdjava.raft.tracker.ProgressState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The leader: appends proposals, replicates, commits, confirms reads, hands leadership over. */
final class LeaderRole implements Role {
    static final LeaderRole INSTANCE = new LeaderRole();

    private LeaderRole() {
    }

    @Override
    public void tick(Raft r) {
        r.tickHeartbeat();
    }

    @Override
    public void step(Raft r, Message m) {
        switch (m.getType()) {
            case MsgBeat -> {
                Replication.bcastHeartbeat(r);
                return;
            }
            case MsgCheckQuorum -> {
                checkQuorum(r);
                return;
            }
            case MsgProp -> {
                propose(r, m);
                return;
            }
            case MsgReadIndex -> {
                readIndex(r, m);
                return;
            }
            default -> {
            }
        }
        Progress pr = r.prs.progress().get(m.getFrom());
        if (pr == null) {
            r.log.debug(() -> String.format("%x no progress available for %x", r.id, m.getFrom()));
            return;
        }
        switch (m.getType()) {
            case MsgAppResp -> appendResponse(r, m, pr);
            case MsgHeartbeatResp -> heartbeatResponse(r, m, pr);
            case MsgSnapStatus -> {
                if (pr.state() != ProgressState.SNAPSHOT) {
                    return;
                }
                if (m.getReject()) {
                    // The snapshot did not arrive: forget it so a new one can be sent.
                    pr.becomeProbe();
                    r.log.debug(() -> String.format("%x snapshot failed, resumed sending replication messages to %x [%s]", r.id, m.getFrom(), pr));
                } else {
                    r.log.debug(() -> String.format("%x snapshot succeeded, resumed sending replication messages to %x [%s]", r.id, m.getFrom(), pr));
                    pr.becomeProbe();
                }
                // Wait for the follower's MsgAppResp (or a heartbeat response) before probing.
                pr.setProbeSent(true);
            }
            case MsgUnreachable -> {
                // Optimistic replication to an unreachable peer would only fill its window.
                if (pr.state() == ProgressState.REPLICATE) {
                    pr.becomeProbe();
                }
                r.log.debug(() -> String.format("%x failed to send message to %x because it is unreachable [%s]", r.id, m.getFrom(), pr));
            }
            case MsgTransferLeader -> transferLeader(r, m, pr);
            default -> {
            }
        }
    }

    private static void checkQuorum(Raft r) {
        Progress self = r.prs.progress().get(r.id);
        if (self != null) {
            self.setRecentActive(true);
        }
        if (!r.prs.quorumActive()) {
            r.log.warn(String.format("%x stepped down to follower since quorum is not active", r.id));
            r.becomeFollower(r.term, Raft.NONE);
        }
        // Start a fresh observation window.
        for (Map.Entry<Long, Progress> e : r.prs.progress().entrySet()) {
            if (e.getKey() != r.id) {
                e.getValue().setRecentActive(false);
            }
        }
    }

    private static void propose(Raft r, Message m) {
        if (m.getEntriesCount() == 0) {
            throw new IllegalArgumentException(String.format("%x stepped empty MsgProp", r.id));
        }
        if (!r.prs.progress().containsKey(r.id)) {
            // Removed from the configuration while still leading: refuse new work.
            throw new ProposalDroppedException("leader was removed from the configuration");
        }
        if (r.leadTransferee != Raft.NONE) {
            r.log.debug(() -> String.format("%x [term %d] transfer leadership to %x is in progress; dropping proposal",
                    r.id, r.term, r.leadTransferee));
            throw new ProposalDroppedException("leadership transfer to " + Long.toHexString(r.leadTransferee) + " in progress");
        }
        List<Entry> ents = new ArrayList<>(m.getEntriesList());
        for (int i = 0; i < ents.size(); i++) {
            Entry e = ents.get(i);
            if (e.getType() == EntryType.EntryNormal) {
                continue;
            }
            ConfChangeV2 cc = Raft.confChangeOf(e);
            boolean alreadyPending = r.pendingConfIndex > r.raftLog.applied();
            boolean alreadyJoint = r.prs.config().voters().isJoint();
            boolean wantsLeaveJoint = cc.getChangesCount() == 0;
            String refused = null;
            if (alreadyPending) {
                refused = String.format("possible unapplied conf change at index %d (applied to %d)",
                        r.pendingConfIndex, r.raftLog.applied());
            } else if (alreadyJoint && !wantsLeaveJoint) {
                refused = "must transition out of joint config first";
            } else if (!alreadyJoint && wantsLeaveJoint) {
                refused = "not in joint state; refusing empty conf change";
            }
            if (refused != null) {
                // Keep the slot (indexes were promised to the caller's batch) but make it a no-op.
                r.log.info(String.format("%x ignoring conf change at config %s: %s", r.id, r.prs.config(), refused));
                ents.set(i, Entry.getDefaultInstance());
            } else {
                r.pendingConfIndex = r.raftLog.lastIndex() + i + 1;
            }
        }
        if (!r.appendEntry(ents)) {
            throw new ProposalDroppedException("too many uncommitted entries");
        }
        Replication.bcastAppend(r);
    }

    private static void readIndex(Raft r, Message m) {
        if (r.prs.isSingleton()) {
            // Nobody else can have a newer commit index.
            respondToReadIndex(r, m, r.raftLog.committed());
            return;
        }
        if (!r.committedEntryInCurrentTerm()) {
            // Until an entry of our term commits, our commit index may lag the true one (§6.4).
            r.pendingReadIndexMessages.add(m);
            return;
        }
        confirmReadIndex(r, m);
    }

    private static void appendResponse(Raft r, Message m, Progress pr) {
        pr.setRecentActive(true);
        if (m.getReject()) {
            r.log.debug(() -> String.format("%x received MsgAppResp(rejected, hint: (index %d, term %d)) from %x for index %d",
                    r.id, m.getRejectHint(), m.getLogTerm(), m.getFrom(), m.getIndex()));
            long nextProbeIdx = m.getRejectHint();
            if (m.getLogTerm() > 0) {
                // The follower told us its term at the hint: skip every index of ours whose
                // term is above it, which jumps over a whole divergent term in one step.
                nextProbeIdx = r.raftLog.findConflictByTerm(m.getRejectHint(), m.getLogTerm());
            }
            if (pr.maybeDecrTo(m.getIndex(), nextProbeIdx)) {
                r.log.debug(() -> String.format("%x decreased progress of %x to [%s]", r.id, m.getFrom(), pr));
                if (pr.state() == ProgressState.REPLICATE) {
                    pr.becomeProbe();
                }
                Replication.sendAppend(r, m.getFrom());
            }
            return;
        }
        boolean oldPaused = pr.isPaused();
        if (!pr.maybeUpdate(m.getIndex())) {
            return;
        }
        switch (pr.state()) {
            case PROBE -> pr.becomeReplicate();
            case SNAPSHOT -> {
                if (pr.match() >= pr.pendingSnapshot()) {
                    r.log.debug(() -> String.format("%x recovered from needing snapshot, resumed sending replication messages to %x [%s]",
                            r.id, m.getFrom(), pr));
                    pr.becomeProbe();
                    pr.becomeReplicate();
                }
            }
            case REPLICATE -> pr.inflights().freeLE(m.getIndex());
        }
        if (r.maybeCommit()) {
            r.onCommitAdvanced();
        } else if (oldPaused) {
            // It was paused and may have missed a commit index update.
            Replication.sendAppend(r, m.getFrom());
        }
        // Pipeline: fill the inflight window without waiting for more acks.
        while (Replication.maybeSendAppend(r, m.getFrom(), false)) {
            // keep sending
        }
        if (m.getFrom() == r.leadTransferee && pr.match() == r.raftLog.lastIndex()) {
            r.log.info(String.format("%x sent MsgTimeoutNow to %x after received MsgAppResp", r.id, m.getFrom()));
            r.sendTimeoutNow(m.getFrom());
        }
    }

    private static void heartbeatResponse(Raft r, Message m, Progress pr) {
        pr.setRecentActive(true);
        pr.setProbeSent(false);
        // A full window may be full of lost messages: free one slot so replication can resume.
        if (pr.state() == ProgressState.REPLICATE && pr.inflights().full()) {
            pr.inflights().freeFirstOne();
        }
        if (pr.match() < r.raftLog.lastIndex()) {
            Replication.sendAppend(r, m.getFrom());
        }
        if (r.readOnly.option != ReadOnlyOption.SAFE || m.getContext().isEmpty()) {
            return;
        }
        Map<Long, Boolean> acks = r.readOnly.recvAck(m.getFrom(), m.getContext());
        if (acks == null || r.prs.config().voters().voteResult(acks) != VoteResult.WON) {
            return;
        }
        for (ReadOnly.Status rs : r.readOnly.advance(m.getContext())) {
            respondToReadIndex(r, rs.req, rs.index);
        }
    }

    private static void transferLeader(Raft r, Message m, Progress pr) {
        if (pr.isLearner()) {
            r.log.debug(() -> String.format("%x is learner. Ignored transferring leadership", r.id));
            return;
        }
        long transferee = m.getFrom();
        long last = r.leadTransferee;
        if (last != Raft.NONE) {
            if (last == transferee) {
                r.log.info(String.format("%x [term %d] transfer leadership to %x is in progress, ignores request to same node %x",
                        r.id, r.term, transferee, transferee));
                return;
            }
            r.abortLeaderTransfer();
            r.log.info(String.format("%x [term %d] abort previous transferring leadership to %x", r.id, r.term, last));
        }
        if (transferee == r.id) {
            r.log.debug(() -> String.format("%x is already leader. Ignored transferring leadership to self", r.id));
            return;
        }
        r.log.info(String.format("%x [term %d] starts to transfer leadership to %x", r.id, r.term, transferee));
        // The transfer must finish within one election timeout (see tickHeartbeat).
        r.electionElapsed = 0;
        r.leadTransferee = transferee;
        if (pr.match() == r.raftLog.lastIndex()) {
            r.sendTimeoutNow(transferee);
            r.log.info(String.format("%x sends MsgTimeoutNow to %x immediately as %x already has up-to-date log",
                    r.id, transferee, transferee));
        } else {
            Replication.sendAppend(r, transferee);
        }
    }

    // ---------------------------------------------------------------- read index

    /** After this leader commits in its own term, answers the reads it held until then. */
    static void releasePendingReads(Raft r) {
        if (r.pendingReadIndexMessages.isEmpty()) {
            return;
        }
        if (!r.committedEntryInCurrentTerm()) {
            return;
        }
        List<Message> held = r.pendingReadIndexMessages;
        r.pendingReadIndexMessages = new ArrayList<>();
        for (Message m : held) {
            confirmReadIndex(r, m);
        }
    }

    /** Confirms leadership for a read (one heartbeat round, or the lease) before answering it. */
    static void confirmReadIndex(Raft r, Message m) {
        if (r.readOnly.option == ReadOnlyOption.SAFE) {
            r.readOnly.addRequest(r.raftLog.committed(), m);
            // The leader acks its own round, then asks the followers.
            r.readOnly.recvAck(r.id, ReadOnly.ctxOf(m));
            Replication.bcastHeartbeatWithCtx(r, ReadOnly.ctxOf(m));
        } else {
            respondToReadIndex(r, m, r.raftLog.committed());
        }
    }

    /** Hands a confirmed read index to the local application or back to the asking follower. */
    static void respondToReadIndex(Raft r, Message req, long readIndex) {
        if (req.getFrom() == Raft.NONE || req.getFrom() == r.id) {
            r.readStates.add(new ReadState(readIndex, ReadOnly.ctxOf(req)));
            return;
        }
        r.send(Message.newBuilder().setType(MessageType.MsgReadIndexResp).setTo(req.getFrom())
                .setIndex(readIndex).addAllEntries(req.getEntriesList()));
    }
}
