package io.etcdjava.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdjava.raft.confchange.ChangeResult;
import io.etcdjava.raft.confchange.Changer;
import io.etcdjava.raft.confchange.ConfChanges;
import io.etcdjava.raft.confchange.Restore;
import io.etcdjava.raft.pb.ConfChange;
import io.etcdjava.raft.pb.ConfChangeV2;
import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.EntryType;
import io.etcdjava.raft.pb.HardState;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import io.etcdjava.raft.quorum.VoteResult;
import io.etcdjava.raft.tracker.Inflights;
import io.etcdjava.raft.tracker.Progress;
import io.etcdjava.raft.tracker.ProgressTracker;
import io.etcdjava.raft.tracker.TrackerConfig;
import io.etcdjava.raft.tracker.VoteTally;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The Raft state machine of one node: term and vote, the log, the role, and for a leader the
 * progress of every follower. Pure: no clocks, no threads, no I/O; time arrives as {@link #tick}
 * and everything it wants done leaves through {@link #msgs}, the log's unstable part and
 * {@link #readStates}, which {@link RawNode} packs into a {@link Ready}.
 *
 * <p>Deliberate difference from etcd 3.4: the leader counts its own log for commitment only up to
 * what the application has persisted (reported in {@link #advance}), never up to entries still in
 * memory. A leader that crashes before its fsync therefore cannot have helped commit an entry.
 */
final class Raft {
    static final long NONE = 0;
    /** Marks a vote request sent on leader transfer, which bypasses the leader lease. */
    static final ByteString CAMPAIGN_TRANSFER = ByteString.copyFromUtf8("CampaignTransfer");

    final long id;
    final RaftLog raftLog;
    final RaftLogger log;
    final long maxMsgSize;
    final long maxUncommittedSize;
    final boolean checkQuorum;
    final boolean preVote;
    final boolean disableProposalForwarding;
    final int heartbeatTimeout;
    final int electionTimeout;
    private final SplittableRandom random;

    long term;
    long vote;
    long lead = NONE;
    StateType state = StateType.FOLLOWER;
    Role role = FollowerRole.INSTANCE;
    boolean isLearner;
    ProgressTracker prs;
    ReadOnly readOnly;

    /** Leader being transferred to; proposals are refused meanwhile. */
    long leadTransferee = NONE;
    /** Index of the newest conf change that may not be applied yet; one at a time. */
    long pendingConfIndex;
    /** Payload bytes appended by this leader and not yet committed, bounded by maxUncommittedSize. */
    long uncommittedSize;

    int electionElapsed;
    int heartbeatElapsed;
    int randomizedElectionTimeout;

    List<Message> msgs = new ArrayList<>();
    List<ReadState> readStates = new ArrayList<>();
    /** Read-index requests that arrived before this leader committed an entry of its term. */
    List<Message> pendingReadIndexMessages = new ArrayList<>();

    Raft(Config c) {
        this.id = c.id();
        this.log = c.logger();
        this.raftLog = new RaftLog(c.storage(), c.maxCommittedSizePerReady(), c.logger());
        this.maxMsgSize = c.maxSizePerMsg();
        this.maxUncommittedSize = c.maxUncommittedEntriesSize();
        this.checkQuorum = c.checkQuorum();
        this.preVote = c.preVote();
        this.disableProposalForwarding = c.disableProposalForwarding();
        this.heartbeatTimeout = c.heartbeatTick();
        this.electionTimeout = c.electionTick();
        this.random = new SplittableRandom(c.randomSeed());
        this.prs = new ProgressTracker(c.maxInflightMsgs());
        this.readOnly = new ReadOnly(c.readOnlyOption());

        InitialState init = c.storage().initialState();
        ChangeResult restored = Restore.restore(prs, raftLog.lastIndex(), init.confState());
        switchToConfig(restored.config(), restored.progress());
        HardState hs = init.hardState();
        if (!hs.equals(HardState.getDefaultInstance())) {
            loadState(hs);
        }
        if (c.applied() > 0) {
            raftLog.appliedTo(c.applied());
        }
        becomeFollower(term, NONE);
        log.info(String.format("newRaft %x [peers: [%s], term: %d, commit: %d, applied: %d, lastindex: %d, lastterm: %d]",
                id, hexIds(prs.voterNodes()), term, raftLog.committed(), raftLog.applied(),
                raftLog.lastIndex(), raftLog.lastTerm()));
    }

    // ---------------------------------------------------------------- state views

    SoftState softState() {
        return new SoftState(lead, state);
    }

    HardState hardState() {
        return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(raftLog.committed()).build();
    }

    boolean promotable() {
        Progress pr = prs.progress().get(id);
        return pr != null && !pr.isLearner() && !raftLog.hasPendingSnapshot();
    }

    boolean pastElectionTimeout() {
        return electionElapsed >= randomizedElectionTimeout;
    }

    private void loadState(HardState hs) {
        if (hs.getCommit() < raftLog.committed() || hs.getCommit() > raftLog.lastIndex()) {
            throw new IllegalStateException(String.format("%x state.commit %d is out of range [%d, %d]",
                    id, hs.getCommit(), raftLog.committed(), raftLog.lastIndex()));
        }
        raftLog.commitTo(hs.getCommit());
        term = hs.getTerm();
        vote = hs.getVote();
    }

    /** Last index this node has persisted: entries still in memory do not count. */
    long lastStableIndex() {
        Unstable u = raftLog.unstable();
        if (u.size() == 0) {
            return raftLog.lastIndex();
        }
        return u.offset - 1;
    }

    // ---------------------------------------------------------------- transitions

    void becomeFollower(long newTerm, long newLead) {
        role = FollowerRole.INSTANCE;
        reset(newTerm);
        lead = newLead;
        state = StateType.FOLLOWER;
        log.info(String.format("%x became follower at term %d", id, term));
    }

    void becomePreCandidate() {
        if (state == StateType.LEADER) {
            throw new IllegalStateException("invalid transition [leader -> pre-candidate]");
        }
        // Pre-vote changes neither term nor vote, so a partitioned node cannot disrupt others.
        role = CandidateRole.INSTANCE;
        prs.resetVotes();
        lead = NONE;
        state = StateType.PRE_CANDIDATE;
        log.info(String.format("%x became pre-candidate at term %d", id, term));
    }

    void becomeCandidate() {
        if (state == StateType.LEADER) {
            throw new IllegalStateException("invalid transition [leader -> candidate]");
        }
        role = CandidateRole.INSTANCE;
        reset(term + 1);
        vote = id;
        state = StateType.CANDIDATE;
        log.info(String.format("%x became candidate at term %d", id, term));
    }

    void becomeLeader() {
        if (state == StateType.FOLLOWER) {
            throw new IllegalStateException("invalid transition [follower -> leader]");
        }
        role = LeaderRole.INSTANCE;
        reset(term);
        lead = id;
        state = StateType.LEADER;
        prs.progress().get(id).becomeReplicate();
        // Conservatively treat any unapplied entry as a possible conf change.
        pendingConfIndex = raftLog.lastIndex();
        Entry empty = Entry.getDefaultInstance();
        if (!appendEntry(List.of(empty))) {
            throw new IllegalStateException("empty entry was dropped");
        }
        // The no-op does not count against the uncommitted budget.
        uncommittedSize = 0;
        log.info(String.format("%x became leader at term %d", id, term));
    }

    private void reset(long newTerm) {
        if (term != newTerm) {
            term = newTerm;
            vote = NONE;
        }
        lead = NONE;
        electionElapsed = 0;
        heartbeatElapsed = 0;
        resetRandomizedElectionTimeout();
        leadTransferee = NONE;
        prs.resetVotes();
        long last = raftLog.lastIndex();
        long stable = lastStableIndex();
        for (Map.Entry<Long, Progress> e : prs.progress().entrySet()) {
            Progress fresh = new Progress(last + 1, new Inflights(prs.maxInflight()), e.getValue().isLearner());
            if (e.getKey() == id) {
                fresh.setMatch(stable);
            }
            e.setValue(fresh);
        }
        pendingConfIndex = 0;
        uncommittedSize = 0;
        readOnly = new ReadOnly(readOnly.option);
        // Reads held for a past term can never be answered by that term's leadership.
        pendingReadIndexMessages = new ArrayList<>();
    }

    void resetRandomizedElectionTimeout() {
        randomizedElectionTimeout = electionTimeout + random.nextInt(electionTimeout);
    }

    // ---------------------------------------------------------------- ticking

    void tick() {
        role.tick(this);
    }

    void tickElection() {
        electionElapsed++;
        if (promotable() && pastElectionTimeout()) {
            electionElapsed = 0;
            step(Message.newBuilder().setFrom(id).setType(MessageType.MsgHup).build());
        }
    }

    void tickHeartbeat() {
        heartbeatElapsed++;
        electionElapsed++;
        if (electionElapsed >= electionTimeout) {
            electionElapsed = 0;
            if (checkQuorum) {
                step(Message.newBuilder().setFrom(id).setType(MessageType.MsgCheckQuorum).build());
            }
            // A transfer that did not finish within an election timeout is given up.
            if (state == StateType.LEADER && leadTransferee != NONE) {
                abortLeaderTransfer();
            }
        }
        if (state != StateType.LEADER) {
            return;
        }
        if (heartbeatElapsed >= heartbeatTimeout) {
            heartbeatElapsed = 0;
            step(Message.newBuilder().setFrom(id).setType(MessageType.MsgBeat).build());
        }
    }

    // ---------------------------------------------------------------- step: rules common to all roles

    void step(Message m) {
        if (m.getTerm() == 0) {
            // local message
        } else if (m.getTerm() > term) {
            if (isVoteRequest(m.getType())) {
                boolean force = m.getContext().equals(CAMPAIGN_TRANSFER);
                boolean inLease = checkQuorum && lead != NONE && electionElapsed < electionTimeout;
                if (!force && inLease) {
                    // We heard from a live leader within the minimum election timeout: a vote
                    // request now would only disrupt it (Raft thesis §4.2.3).
                    log.info(String.format("%x [logterm: %d, index: %d, vote: %x] ignored %s from %x [logterm: %d, index: %d] at term %d: lease is not expired (remaining ticks: %d)",
                            id, raftLog.lastTerm(), raftLog.lastIndex(), vote, m.getType(), m.getFrom(),
                            m.getLogTerm(), m.getIndex(), term, electionTimeout - electionElapsed));
                    return;
                }
            }
            if (m.getType() == MessageType.MsgPreVote) {
                // Never change our term in response to a pre-vote.
            } else if (m.getType() == MessageType.MsgPreVoteResp && !m.getReject()) {
                // Pre-votes are sent for a future term; a granted one says nothing about ours.
            } else {
                log.info(String.format("%x [term: %d] received a %s message with higher term from %x [term: %d]",
                        id, term, m.getType(), m.getFrom(), m.getTerm()));
                MessageType t = m.getType();
                if (t == MessageType.MsgApp || t == MessageType.MsgHeartbeat || t == MessageType.MsgSnap) {
                    becomeFollower(m.getTerm(), m.getFrom());
                } else {
                    becomeFollower(m.getTerm(), NONE);
                }
            }
        } else if (m.getTerm() < term) {
            if ((checkQuorum || preVote)
                    && (m.getType() == MessageType.MsgHeartbeat || m.getType() == MessageType.MsgApp)) {
                // A stale leader (or one we outran in a partition): answering lets it learn our
                // term, since with check-quorum/pre-vote our vote requests may never reach it.
                send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MsgAppResp));
            } else if (m.getType() == MessageType.MsgPreVote) {
                // Dropping it could deadlock a cluster upgraded to pre-vote: reject explicitly.
                log.info(String.format("%x [logterm: %d, index: %d, vote: %x] rejected %s from %x [logterm: %d, index: %d] at term %d",
                        id, raftLog.lastTerm(), raftLog.lastIndex(), vote, m.getType(), m.getFrom(),
                        m.getLogTerm(), m.getIndex(), term));
                send(Message.newBuilder().setTo(m.getFrom()).setTerm(term)
                        .setType(MessageType.MsgPreVoteResp).setReject(true));
            } else {
                log.debug(() -> String.format("%x [term: %d] ignored a %s message with lower term from %x [term: %d]",
                        id, term, m.getType(), m.getFrom(), m.getTerm()));
            }
            return;
        }

        switch (m.getType()) {
            case MsgHup -> hup(false);
            case MsgVote, MsgPreVote -> handleVoteRequest(m);
            default -> role.step(this, m);
        }
    }

    private static boolean isVoteRequest(MessageType t) {
        return t == MessageType.MsgVote || t == MessageType.MsgPreVote;
    }

    /** Starts an election unless leader, unpromotable, or conf changes still wait to be applied. */
    void hup(boolean transfer) {
        if (state == StateType.LEADER) {
            log.debug(() -> String.format("%x ignoring MsgHup because already leader", id));
            return;
        }
        if (!promotable()) {
            log.warn(String.format("%x is unpromotable and can not campaign", id));
            return;
        }
        if (raftLog.committed() > raftLog.applied()) {
            List<Entry> unapplied = raftLog.slice(raftLog.applied() + 1, raftLog.committed() + 1, Long.MAX_VALUE);
            long pendingConf = unapplied.stream().filter(e -> e.getType() != EntryType.EntryNormal).count();
            if (pendingConf != 0) {
                log.warn(String.format("%x cannot campaign at term %d since there are still %d pending configuration changes to apply",
                        id, term, pendingConf));
                return;
            }
        }
        log.info(String.format("%x is starting a new election at term %d", id, term));
        if (transfer) {
            campaign(CampaignType.TRANSFER);
        } else {
            campaign(preVote ? CampaignType.PRE_ELECTION : CampaignType.ELECTION);
        }
    }

    private void handleVoteRequest(Message m) {
        // We can vote if this repeats our vote, if we have not voted and know no leader in this
        // term, or if it is a pre-vote for a future term ...
        boolean canVote = vote == m.getFrom()
                || (vote == NONE && lead == NONE)
                || (m.getType() == MessageType.MsgPreVote && m.getTerm() > term);
        // ... and the candidate's log is at least as up to date as ours (§5.4.1). Learners vote
        // too: one promoted by an entry it has not seen yet may be needed for a quorum.
        MessageType respType = voteRespMsgType(m.getType());
        if (canVote && raftLog.isUpToDate(m.getIndex(), m.getLogTerm())) {
            log.info(String.format("%x [logterm: %d, index: %d, vote: %x] cast %s for %x [logterm: %d, index: %d] at term %d",
                    id, raftLog.lastTerm(), raftLog.lastIndex(), vote, m.getType(), m.getFrom(),
                    m.getLogTerm(), m.getIndex(), term));
            // Answer with the request's term: for pre-votes ours may be older, and the candidate
            // would ignore a response from its past.
            send(Message.newBuilder().setTo(m.getFrom()).setTerm(m.getTerm()).setType(respType));
            if (m.getType() == MessageType.MsgVote) {
                electionElapsed = 0;
                vote = m.getFrom();
            }
        } else {
            log.info(String.format("%x [logterm: %d, index: %d, vote: %x] rejected %s from %x [logterm: %d, index: %d] at term %d",
                    id, raftLog.lastTerm(), raftLog.lastIndex(), vote, m.getType(), m.getFrom(),
                    m.getLogTerm(), m.getIndex(), term));
            send(Message.newBuilder().setTo(m.getFrom()).setTerm(term).setType(respType).setReject(true));
        }
    }

    static MessageType voteRespMsgType(MessageType t) {
        return switch (t) {
            case MsgVote -> MessageType.MsgVoteResp;
            case MsgPreVote -> MessageType.MsgPreVoteResp;
            default -> throw new IllegalArgumentException("not a vote message: " + t);
        };
    }

    enum CampaignType { PRE_ELECTION, ELECTION, TRANSFER }

    void campaign(CampaignType t) {
        long voteTerm;
        MessageType voteMsg;
        if (t == CampaignType.PRE_ELECTION) {
            becomePreCandidate();
            voteMsg = MessageType.MsgPreVote;
            voteTerm = term + 1;
        } else {
            becomeCandidate();
            voteMsg = MessageType.MsgVote;
            voteTerm = term;
        }
        if (poll(id, voteRespMsgType(voteMsg), true).result() == VoteResult.WON) {
            // Single-voter configuration: we won on our own vote.
            if (t == CampaignType.PRE_ELECTION) {
                campaign(CampaignType.ELECTION);
            } else {
                becomeLeader();
            }
            return;
        }
        for (long peer : prs.config().voters().ids()) {
            if (peer == id) {
                continue;
            }
            log.info(String.format("%x [logterm: %d, index: %d] sent %s request to %x at term %d",
                    id, raftLog.lastTerm(), raftLog.lastIndex(), voteMsg, peer, term));
            Message.Builder req = Message.newBuilder().setTerm(voteTerm).setTo(peer).setType(voteMsg)
                    .setIndex(raftLog.lastIndex()).setLogTerm(raftLog.lastTerm());
            if (t == CampaignType.TRANSFER) {
                req.setContext(CAMPAIGN_TRANSFER);
            }
            send(req);
        }
    }

    VoteTally poll(long from, MessageType t, boolean granted) {
        if (granted) {
            log.info(String.format("%x received %s from %x at term %d", id, t, from, term));
        } else {
            log.info(String.format("%x received %s rejection from %x at term %d", id, t, from, term));
        }
        prs.recordVote(from, granted);
        return prs.tallyVotes();
    }

    // ---------------------------------------------------------------- sending

    /** Queues a message, stamping sender and (except for votes, proposals, read-index) the term. */
    void send(Message.Builder m) {
        m.setFrom(id);
        MessageType t = m.getType();
        if (t == MessageType.MsgVote || t == MessageType.MsgVoteResp
                || t == MessageType.MsgPreVote || t == MessageType.MsgPreVoteResp) {
            if (m.getTerm() == 0) {
                throw new IllegalStateException("term should be set when sending " + t);
            }
        } else {
            if (m.getTerm() != 0) {
                throw new IllegalStateException("term should not be set when sending " + t + " (was " + m.getTerm() + ")");
            }
            // Proposals and read-index requests are forwarded as local messages, term 0.
            if (t != MessageType.MsgProp && t != MessageType.MsgReadIndex) {
                m.setTerm(term);
            }
        }
        msgs.add(m.build());
    }

    void sendTimeoutNow(long to) {
        send(Message.newBuilder().setTo(to).setType(MessageType.MsgTimeoutNow));
    }

    void abortLeaderTransfer() {
        leadTransferee = NONE;
    }

    // ---------------------------------------------------------------- log

    /** Appends entries proposed to this leader at its term; false when over the uncommitted budget. */
    boolean appendEntry(List<Entry> es) {
        long li = raftLog.lastIndex();
        List<Entry> stamped = new ArrayList<>(es.size());
        long size = 0;
        for (int i = 0; i < es.size(); i++) {
            Entry e = es.get(i);
            size += e.getData().size();
            stamped.add(e.toBuilder().setTerm(term).setIndex(li + 1 + i).build());
        }
        if (uncommittedSize > 0 && size > 0 && uncommittedSize + size > maxUncommittedSize) {
            log.debug(() -> String.format("%x appending new entries to log would exceed uncommitted entry size limit; dropping proposal", id));
            return false;
        }
        uncommittedSize += size;
        raftLog.append(stamped);
        // No self-ack here: the leader's own entries count once persisted (see advance).
        return true;
    }

    void reduceUncommittedSize(List<Entry> ents) {
        if (uncommittedSize == 0) {
            return;
        }
        long s = 0;
        for (Entry e : ents) {
            s += e.getData().size();
        }
        uncommittedSize = s > uncommittedSize ? 0 : uncommittedSize - s;
    }

    /** Commits what a quorum has (only entries of the current term count, §5.4.2). */
    boolean maybeCommit() {
        return raftLog.maybeCommit(prs.committed(), term);
    }

    boolean committedEntryInCurrentTerm() {
        return raftLog.zeroTermOnErrCompacted(raftLog.committed()) == term;
    }

    /** The application persisted and applied what {@code rd} asked; move the log's cursors on. */
    void advance(Ready rd) {
        long applied = rd.appliedCursor();
        if (applied > 0) {
            raftLog.appliedTo(applied);
            if (prs.config().autoLeave() && applied >= pendingConfIndex && state == StateType.LEADER) {
                // The joint configuration is applied: leave it with an empty conf change.
                Entry leave = Entry.newBuilder().setType(EntryType.EntryConfChangeV2)
                        .setData(ConfChangeV2.getDefaultInstance().toByteString()).build();
                if (appendEntry(List.of(leave))) {
                    pendingConfIndex = raftLog.lastIndex();
                    log.info(String.format("initiating automatic transition out of joint configuration %s", prs.config()));
                    Replication.bcastAppend(this);
                } else {
                    log.debug(() -> "not initiating automatic transition out of joint configuration: proposal dropped");
                }
            }
        }
        reduceUncommittedSize(rd.committedEntries());
        if (!rd.entries().isEmpty()) {
            Entry last = rd.entries().get(rd.entries().size() - 1);
            raftLog.stableTo(last.getIndex(), last.getTerm());
            if (state == StateType.LEADER && raftLog.matchTerm(last.getIndex(), last.getTerm())) {
                Progress self = prs.progress().get(id);
                if (self != null && self.maybeUpdate(last.getIndex()) && maybeCommit()) {
                    onCommitAdvanced();
                }
            }
        }
        if (rd.snapshot() != null) {
            raftLog.stableSnapTo(rd.snapshot().getMetadata().getIndex());
        }
    }

    /** A leader's commit index moved: release held reads and tell followers. */
    void onCommitAdvanced() {
        LeaderRole.releasePendingReads(this);
        Replication.bcastAppend(this);
    }

    // ---------------------------------------------------------------- configuration

    ConfState applyConfChange(ConfChangeV2 cc) {
        Changer changer = new Changer(prs, raftLog.lastIndex());
        ChangeResult result;
        if (ConfChanges.leaveJoint(cc)) {
            result = changer.leaveJoint();
        } else if (ConfChanges.enterJoint(cc)) {
            result = changer.enterJoint(ConfChanges.autoLeave(cc), cc.getChangesList());
        } else {
            result = changer.simple(cc.getChangesList());
        }
        return switchToConfig(result.config(), result.progress());
    }

    ConfState switchToConfig(TrackerConfig cfg, Map<Long, Progress> progress) {
        prs.setConfig(cfg);
        prs.setProgress(progress);
        log.info(String.format("%x switched to configuration %s", id, prs.config()));
        ConfState cs = prs.confState();
        Progress self = prs.progress().get(id);
        isLearner = self != null && self.isLearner();
        if ((self == null || isLearner) && state == StateType.LEADER) {
            // Removed or demoted leader: keep leading until the application steps it down
            // (e.g. by transferring leadership), as etcd does; it no longer counts itself.
            return cs;
        }
        if (state != StateType.LEADER || cs.getVotersCount() == 0) {
            return cs;
        }
        // The quorum may have changed: commit what the new configuration allows, and bring
        // newly added followers up to speed.
        if (maybeCommit()) {
            onCommitAdvanced();
        } else {
            for (long to : prs.progress().keySet().stream().mapToLong(Long::longValue).toArray()) {
                if (to != id) {
                    Replication.maybeSendAppend(this, to, false);
                }
            }
        }
        if (leadTransferee != NONE && !prs.progress().containsKey(leadTransferee)) {
            abortLeaderTransfer();
        }
        return cs;
    }

    /** Decodes a conf change entry (either version) as V2; throws on a malformed payload. */
    static ConfChangeV2 confChangeOf(Entry e) {
        try {
            if (e.getType() == EntryType.EntryConfChange) {
                return ConfChanges.toV2(ConfChange.parseFrom(e.getData()));
            }
            return ConfChangeV2.parseFrom(e.getData());
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalArgumentException("malformed conf change entry at index " + e.getIndex(), ex);
        }
    }

    static String hexIds(long[] ids) {
        StringBuilder sb = new StringBuilder();
        for (long i : ids) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(Long.toHexString(i));
        }
        return sb.toString();
    }
}
