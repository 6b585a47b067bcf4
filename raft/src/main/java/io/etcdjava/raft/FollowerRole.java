package io.etcdjava.raft;

import io.etcdjava.raft.confchange.ChangeResult;
import io.etcdjava.raft.confchange.Restore;
import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import io.etcdjava.raft.pb.Snapshot;
import io.etcdjava.raft.tracker.Progress;
import io.etcdjava.raft.tracker.ProgressTracker;

/** A follower: accepts the leader's log, forwards what only the leader can handle. */
final class FollowerRole implements Role {
    static final FollowerRole INSTANCE = new FollowerRole();

    private FollowerRole() {
    }

    @Override
    public void tick(Raft r) {
        r.tickElection();
    }

    @Override
    public void step(Raft r, Message m) {
        switch (m.getType()) {
            case MsgProp -> {
                if (r.lead == Raft.NONE) {
                    r.log.info(String.format("%x no leader at term %d; dropping proposal", r.id, r.term));
                    throw new ProposalDroppedException("no leader at term " + r.term);
                }
                if (r.disableProposalForwarding) {
                    r.log.info(String.format("%x not forwarding to leader %x at term %d; dropping proposal", r.id, r.lead, r.term));
                    throw new ProposalDroppedException("proposal forwarding is disabled");
                }
                r.send(m.toBuilder().setTo(r.lead));
            }
            case MsgApp -> {
                r.electionElapsed = 0;
                r.lead = m.getFrom();
                handleAppendEntries(r, m);
            }
            case MsgHeartbeat -> {
                r.electionElapsed = 0;
                r.lead = m.getFrom();
                handleHeartbeat(r, m);
            }
            case MsgSnap -> {
                r.electionElapsed = 0;
                r.lead = m.getFrom();
                handleSnapshot(r, m);
            }
            case MsgTransferLeader -> {
                if (r.lead == Raft.NONE) {
                    r.log.info(String.format("%x no leader at term %d; dropping leader transfer msg", r.id, r.term));
                    return;
                }
                r.send(m.toBuilder().setTo(r.lead));
            }
            case MsgTimeoutNow -> {
                if (r.promotable()) {
                    r.log.info(String.format("%x [term %d] received MsgTimeoutNow from %x and starts an election to get leadership.",
                            r.id, r.term, m.getFrom()));
                    // Leader transfer skips pre-vote: the old leader asked for this election.
                    r.hup(true);
                } else {
                    r.log.info(String.format("%x received MsgTimeoutNow from %x but is not promotable", r.id, m.getFrom()));
                }
            }
            case MsgReadIndex -> {
                if (r.lead == Raft.NONE) {
                    r.log.info(String.format("%x no leader at term %d; dropping index reading msg", r.id, r.term));
                    return;
                }
                r.send(m.toBuilder().setTo(r.lead));
            }
            case MsgReadIndexResp -> {
                if (m.getEntriesCount() != 1) {
                    r.log.warn(String.format("%x invalid format of MsgReadIndexResp from %x, entries count: %d",
                            r.id, m.getFrom(), m.getEntriesCount()));
                    return;
                }
                r.readStates.add(new ReadState(m.getIndex(), m.getEntries(0).getData()));
            }
            default -> {
                // Responses meant for a leader or candidate arrive late after a role change.
            }
        }
    }

    // ---------------------------------------------------------------- log from the leader
    // Also used by a candidate that learns of its term's leader.

    static void handleAppendEntries(Raft r, Message m) {
        if (m.getIndex() < r.raftLog.committed()) {
            r.send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MsgAppResp).setIndex(r.raftLog.committed()));
            return;
        }
        long lastNew = r.raftLog.maybeAppend(m.getIndex(), m.getLogTerm(), m.getCommit(), m.getEntriesList());
        if (lastNew >= 0) {
            r.send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MsgAppResp).setIndex(lastNew));
            return;
        }
        // Reject with a hint that lets the leader skip a whole term of mismatches at once
        // instead of probing one index per round trip.
        long hintIndex = Math.min(m.getIndex(), r.raftLog.lastIndex());
        hintIndex = r.raftLog.findConflictByTerm(hintIndex, m.getLogTerm());
        long hintTerm = r.raftLog.zeroTermOnErrCompacted(hintIndex);
        long fHint = hintIndex;
        r.log.debug(() -> String.format("%x [logterm: %d, index: %d] rejected MsgApp [logterm: %d, index: %d] from %x",
                r.id, r.raftLog.zeroTermOnErrCompacted(m.getIndex()), m.getIndex(), m.getLogTerm(), m.getIndex(), m.getFrom()));
        r.send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MsgAppResp).setIndex(m.getIndex())
                .setReject(true).setRejectHint(fHint).setLogTerm(hintTerm));
    }

    static void handleHeartbeat(Raft r, Message m) {
        r.raftLog.commitTo(m.getCommit());
        r.send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MsgHeartbeatResp).setContext(m.getContext()));
    }

    static void handleSnapshot(Raft r, Message m) {
        long sindex = m.getSnapshot().getMetadata().getIndex();
        long sterm = m.getSnapshot().getMetadata().getTerm();
        if (restore(r, m.getSnapshot())) {
            r.log.info(String.format("%x [commit: %d] restored snapshot [index: %d, term: %d]", r.id, r.raftLog.committed(), sindex, sterm));
            r.send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MsgAppResp).setIndex(r.raftLog.lastIndex()));
        } else {
            r.log.info(String.format("%x [commit: %d] ignored snapshot [index: %d, term: %d]", r.id, r.raftLog.committed(), sindex, sterm));
            r.send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MsgAppResp).setIndex(r.raftLog.committed()));
        }
    }

    /** Replaces log and configuration with a snapshot newer than our commit; false if ignored. */
    private static boolean restore(Raft r, Snapshot s) {
        long sindex = s.getMetadata().getIndex();
        long sterm = s.getMetadata().getTerm();
        if (sindex <= r.raftLog.committed()) {
            return false;
        }
        if (r.state != StateType.FOLLOWER) {
            // Only followers receive snapshots; anything else means a second leader in our term.
            r.log.warn(String.format("%x attempted to restore snapshot as leader; should never happen", r.id));
            r.becomeFollower(r.term + 1, Raft.NONE);
            return false;
        }
        ConfState cs = s.getMetadata().getConfState();
        if (!cs.getVotersList().contains(r.id) && !cs.getLearnersList().contains(r.id)
                && !cs.getVotersOutgoingList().contains(r.id)) {
            r.log.warn(String.format("%x attempted to restore snapshot but it is not in the ConfState %s; should never happen",
                    r.id, cs.toString().replace('\n', ' ')));
            return false;
        }
        if (r.raftLog.matchTerm(sindex, sterm)) {
            // We already have the entry the snapshot ends at: just commit up to it.
            r.log.info(String.format("%x [commit: %d, lastindex: %d, lastterm: %d] fast-forwarded commit to snapshot [index: %d, term: %d]",
                    r.id, r.raftLog.committed(), r.raftLog.lastIndex(), r.raftLog.lastTerm(), sindex, sterm));
            r.raftLog.commitTo(sindex);
            return false;
        }
        r.raftLog.restore(s);
        r.prs = new ProgressTracker(r.prs.maxInflight());
        ChangeResult restored = Restore.restore(r.prs, r.raftLog.lastIndex(), cs);
        r.switchToConfig(restored.config(), restored.progress());
        Progress self = r.prs.progress().get(r.id);
        if (self != null) {
            self.maybeUpdate(self.next() - 1);
        }
        r.log.info(String.format("%x [commit: %d, lastindex: %d, lastterm: %d] restored snapshot [index: %d, term: %d]",
                r.id, r.raftLog.committed(), r.raftLog.lastIndex(), r.raftLog.lastTerm(), sindex, sterm));
        return true;
    }
}
