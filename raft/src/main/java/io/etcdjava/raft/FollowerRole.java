package io.etcdjava.raft;

import io.etcdjava.raft.pb.Message;

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
                r.handleAppendEntries(m);
            }
            case MsgHeartbeat -> {
                r.electionElapsed = 0;
                r.lead = m.getFrom();
                r.handleHeartbeat(m);
            }
            case MsgSnap -> {
                r.electionElapsed = 0;
                r.lead = m.getFrom();
                r.handleSnapshot(m);
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
}
