package io.etcdjava.raft;

import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import io.etcdjava.raft.tracker.VoteTally;

/** A candidate or pre-candidate: collects votes, yields to a leader of its term. */
final class CandidateRole implements Role {
    static final CandidateRole INSTANCE = new CandidateRole();

    private CandidateRole() {
    }

    @Override
    public void tick(Raft r) {
        r.tickElection();
    }

    @Override
    public void step(Raft r, Message m) {
        // A pre-candidate only counts pre-vote answers; a late real vote is ignored, and vice versa.
        MessageType myVoteResp = r.state == StateType.PRE_CANDIDATE ? MessageType.MsgPreVoteResp : MessageType.MsgVoteResp;
        switch (m.getType()) {
            case MsgProp -> {
                r.log.info(String.format("%x no leader at term %d; dropping proposal", r.id, r.term));
                throw new ProposalDroppedException("no leader at term " + r.term);
            }
            case MsgApp -> {
                // Always m.term == r.term here: someone else won this term.
                r.becomeFollower(m.getTerm(), m.getFrom());
                FollowerRole.handleAppendEntries(r, m);
            }
            case MsgHeartbeat -> {
                r.becomeFollower(m.getTerm(), m.getFrom());
                FollowerRole.handleHeartbeat(r, m);
            }
            case MsgSnap -> {
                r.becomeFollower(m.getTerm(), m.getFrom());
                FollowerRole.handleSnapshot(r, m);
            }
            case MsgTimeoutNow -> r.log.debug(() -> String.format("%x [term %d state %s] ignored MsgTimeoutNow from %x",
                    r.id, r.term, r.state, m.getFrom()));
            default -> {
                if (m.getType() == myVoteResp) {
                    VoteTally tally = r.poll(m.getFrom(), m.getType(), !m.getReject());
                    r.log.info(String.format("%x has received %d %s votes and %d vote rejections",
                            r.id, tally.granted(), m.getType(), tally.rejected()));
                    switch (tally.result()) {
                        case WON -> {
                            if (r.state == StateType.PRE_CANDIDATE) {
                                r.campaign(Raft.CampaignType.ELECTION);
                            } else {
                                r.becomeLeader();
                                Replication.bcastAppend(r);
                            }
                        }
                        case LOST -> r.becomeFollower(r.term, Raft.NONE);
                        default -> {
                        }
                    }
                }
            }
        }
    }
}
