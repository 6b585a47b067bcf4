package io.etcdjava.server.raftnode;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdjava.raft.Config;
import io.etcdjava.raft.ProposalDroppedException;
import io.etcdjava.raft.RawNode;
import io.etcdjava.raft.ReadState;
import io.etcdjava.raft.Ready;
import io.etcdjava.raft.StateType;
import io.etcdjava.raft.pb.ConfChange;
import io.etcdjava.raft.pb.ConfChangeV2;
import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.EntryType;
import io.etcdjava.raft.pb.HardState;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import io.etcdjava.raft.pb.Snapshot;
import io.etcdjava.raft.pb.SnapshotMetadata;
import io.etcdjava.raft.wal.WalOptions;
import io.etcdjava.api.internal.Metadata;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.raftnode.RaftInbox.ConfProposal;
import io.etcdjava.server.raftnode.RaftInbox.Inbound;
import io.etcdjava.server.raftnode.RaftInbox.Proposal;
import io.etcdjava.server.raftnode.RaftInbox.ReadRequest;
import io.etcdjava.server.raftnode.RaftInbox.SnapshotRequest;
import io.etcdjava.server.raftnode.RaftInbox.SnapshotStatus;
import io.etcdjava.server.raftnode.RaftInbox.StatusQuery;
import io.etcdjava.server.raftnode.RaftInbox.TransferRequest;
import io.etcdjava.server.raftnode.RaftInbox.Unreachable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drives one member's raft: a loop thread owns the {@link RawNode}, ticks it, steps peer
 * messages, turns concurrent proposals into batches, persists each Ready with one fsync (group
 * commit), sends, and hands committed entries to the apply thread. Linearizable reads share
 * ReadIndex rounds. Threads: "raft-loop" and "etcd-apply", both started and stopped here.
 */
public final class RaftNode implements AutoCloseable {
    /** What {@link #atAppliedState} runs; may fail. */
    public interface AppliedStateAction {
        void run() throws Exception;
    }

    private final RaftNodeConfig cfg;
    private final long memberId;
    private final long clusterId;
    private final RaftStorage storage;
    private final RawNode node;
    private final Transport transport;
    private final RaftInbox inbox = new RaftInbox();
    private final ApplyLoop applyLoop;
    private final ReadIndexRounds reads = new ReadIndexRounds();
    private final ConfStateHistory confStates = new ConfStateHistory();
    private final AppliedIndexWaiter appliedWaiter;
    private final Thread loopThread;
    private final Thread applyThread;
    private volatile boolean running = true;
    private volatile RaftStatus status = RaftStatus.INITIAL;
    private volatile Throwable failure;
    private long leaderChanges;
    private boolean campaignedAlone;
    private final CompletableFuture<Void> firstLeader = new CompletableFuture<>();

    private RaftNode(RaftNodeConfig cfg, RaftStorage storage, Applier applier, Transport transport, Metadata ids) {
        this.cfg = cfg;
        this.memberId = ids.getNodeID();
        this.clusterId = ids.getClusterID();
        this.storage = storage;
        this.transport = transport;
        long snapIndex = storage.snapshotIndex();
        this.appliedWaiter = new AppliedIndexWaiter(snapIndex);
        this.node = new RawNode(Config.builder()
                .id(memberId)
                .storage(storage.memory)
                .electionTick(cfg.electionTicks())
                .heartbeatTick(1)
                .applied(snapIndex)
                .preVote(cfg.preVote())
                .checkQuorum(true)
                .maxSizePerMsg(1024 * 1024)
                .maxInflightMsgs(4096 / 8)
                .randomSeed(System.nanoTime() ^ memberId)
                .logger(cfg.logger())
                .build());
        confStates.record(snapIndex, storage.memory.initialState().confState());
        // A member joining a running cluster starts with an empty log the leader fills.
        if (storage.isFresh() && !cfg.initialPeers().isEmpty()) {
            node.bootstrap(cfg.initialPeers());
        }
        this.loopThread = new Thread(this::loop, "raft-loop");
        this.applyLoop = new ApplyLoop(applier, appliedWaiter, storage.memory::snapshot, snapIndex,
                cfg.snapshotCount(), () -> running, index -> inbox.add(new SnapshotRequest(index)), this::applyFailed);
        this.applyThread = new Thread(applyLoop, "etcd-apply");
    }

    /** Opens (or creates) the member's WAL and snapshots and starts the raft and apply threads. */
    public static RaftNode start(RaftNodeConfig cfg, Applier applier, Transport transport) throws IOException {
        RaftNode n = open(cfg, applier, transport);
        n.run();
        return n;
    }

    /**
     * Opens (or creates) the member's WAL and snapshots without starting anything: raft neither
     * ticks nor applies until {@link #run}. Messages stepped meanwhile wait in its inbox, so the
     * peer port can serve before raft's first tick.
     */
    public static RaftNode open(RaftNodeConfig cfg, Applier applier, Transport transport) throws IOException {
        WalOptions options = WalOptions.builder().fsyncNanosObserver(cfg.fsyncObserver()).build();
        ByteString newMeta = Metadata.newBuilder().setNodeID(cfg.memberId()).setClusterID(cfg.clusterId())
                .build().toByteString();
        RaftStorage storage = RaftStorage.openOrCreate(cfg.walDir(), cfg.snapDir(), newMeta, options);
        Metadata ids;
        try {
            ids = Metadata.parseFrom(storage.metadata());
        } catch (InvalidProtocolBufferException e) {
            storage.close();
            throw new IOException("unreadable WAL metadata in " + cfg.walDir(), e);
        }
        if (storage.tornTail() != null) {
            cfg.logger().warn("repaired torn WAL tail: " + storage.tornTail());
        }
        return new RaftNode(cfg, storage, applier, transport, ids);
    }

    /** Starts the raft loop (ticking) and the apply thread of a node from {@link #open}; once. */
    public void run() {
        applyThread.start();
        loopThread.start();
    }

    /** This member's ID: the one recorded in its WAL when it was created. */
    public long memberId() {
        return memberId;
    }

    /** The cluster's ID as recorded in the WAL. */
    public long clusterId() {
        return clusterId;
    }

    /** Completes when this member first learns of a leader; the member serves clients after that. */
    public CompletableFuture<Void> leaderKnown() {
        return firstLeader;
    }

    public RaftStatus status() {
        return status;
    }

    public long appliedIndex() {
        return appliedWaiter.applied();
    }

    public long leaderChanges() {
        return leaderChanges;
    }

    /**
     * Proposes data; the future completes once the leader appended it to its log, or fails with
     * NO_LEADER / TOO_MANY_REQUESTS-style errors. The result of applying it is reported by the
     * applier, keyed by whatever id the caller put inside {@code data}.
     */
    public CompletableFuture<Void> propose(ByteString data) {
        CompletableFuture<Void> accepted = new CompletableFuture<>();
        if (!running) {
            accepted.completeExceptionally(EtcdError.STOPPED.exception());
            return accepted;
        }
        inbox.add(new Proposal(data, accepted));
        return accepted;
    }

    /** The index a linearizable read must wait for, confirmed by a quorum (ReadIndex). */
    public CompletableFuture<Long> readIndex() {
        CompletableFuture<Long> f = new CompletableFuture<>();
        if (!running) {
            f.completeExceptionally(EtcdError.STOPPED.exception());
            return f;
        }
        inbox.add(new ReadRequest(f));
        return f;
    }

    /**
     * Runs {@code action} on the apply thread between two batches, once everything applied is
     * durable, and completes with raft snapshot metadata for exactly that state: the last applied
     * index, its term, and the configuration in force there. A database sent to a peer under this
     * metadata (etcd's merged snapshot) is what raft's snapshot claims, and names every member
     * added since raft's own last snapshot — the one it is sent to among them.
     */
    public CompletableFuture<SnapshotMetadata> atAppliedState(AppliedStateAction action) {
        CompletableFuture<SnapshotMetadata> f = new CompletableFuture<>();
        if (!running) {
            f.completeExceptionally(EtcdError.STOPPED.exception());
            return f;
        }
        applyLoop.atAppliedState(action, f);
        return f;
    }

    /** Completes once everything up to {@code index} is applied. */
    public CompletableFuture<Void> waitApplied(long index) {
        return appliedWaiter.await(index);
    }

    /** ReadIndex, then wait for apply: after this, a local read is linearizable. */
    public CompletableFuture<Void> linearizableBarrier() {
        return readIndex().thenCompose(this::waitApplied);
    }

    /** Steps a message from a peer (transport inbound path). */
    public void step(Message m) {
        inbox.add(new Inbound(m));
    }

    /** The transport could not reach {@code peer}: raft stops pipelining to it and probes instead. */
    public void reportUnreachable(long peer) {
        inbox.add(new Unreachable(peer));
    }

    /** Whether the snapshot sent to {@code peer} arrived; raft resumes replicating to it either way. */
    public void reportSnapshot(long peer, boolean failed) {
        inbox.add(new SnapshotStatus(peer, failed));
    }

    public void transferLeadership(long transferee) {
        inbox.add(new TransferRequest(transferee));
    }

    /**
     * Proposes a membership change; completes once the leader appended it. Whoever applies it
     * reports the outcome keyed by {@code change.id}.
     */
    public CompletableFuture<Void> proposeConfChange(ConfChange change) {
        CompletableFuture<Void> accepted = new CompletableFuture<>();
        if (!running) {
            accepted.completeExceptionally(EtcdError.STOPPED.exception());
            return accepted;
        }
        inbox.add(new ConfProposal(change, accepted));
        return accepted;
    }

    /** The raft core's full status (with every peer's progress while leading), read on the raft loop. */
    public CompletableFuture<io.etcdjava.raft.Status> detailedStatus() {
        CompletableFuture<io.etcdjava.raft.Status> f = new CompletableFuture<>();
        if (!running) {
            f.completeExceptionally(EtcdError.STOPPED.exception());
            return f;
        }
        inbox.add(new StatusQuery(f));
        return f;
    }

    // ------------------------------------------------------------------ raft loop

    private void loop() {
        long tickNanos = cfg.tick().toNanos();
        // etcd's request timeout: 5 s plus two election timeouts.
        long readTimeoutNanos = TimeUnit.SECONDS.toNanos(5) + 2L * cfg.electionTicks() * tickNanos;
        long nextTick = System.nanoTime() + tickNanos;
        List<Object> batch = new ArrayList<>();
        List<Proposal> proposals = new ArrayList<>();
        try {
            maybeCampaignAlone();
            while (running) {
                long now = System.nanoTime();
                if (now - nextTick >= 0) {
                    node.tick();
                    reads.expireParked(now, readTimeoutNanos, EtcdError.TIMEOUT);
                    nextTick += tickNanos;
                    if (now - nextTick >= 0) {
                        nextTick = now + tickNanos;
                    }
                }
                Object first = node.hasReady() ? inbox.poll()
                        : inbox.poll(Math.max(0, nextTick - now));
                if (first != null) {
                    batch.add(first);
                    inbox.drainTo(batch);
                    for (Object o : batch) {
                        if (o == RaftInbox.STOP) {
                            running = false;
                        } else if (o instanceof Proposal p) {
                            proposals.add(p);
                        } else {
                            handle(o);
                        }
                    }
                    batch.clear();
                    if (!proposals.isEmpty()) {
                        proposeBatch(proposals);
                        proposals.clear();
                    }
                    if (reads.hasWaiting()) {
                        startReadRound();
                    }
                }
                if (node.hasReady()) {
                    processReady(node.ready());
                    maybeCampaignAlone();
                    if (reads.hasWaiting() && status.hasLeader()) {
                        startReadRound(); // readers parked until a leader came
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            // A member that cannot persist must stop rather than acknowledge what is not durable.
            failure = t;
            cfg.logger().warn("raft loop failed: " + t);
            running = false;
        } finally {
            reads.failEverything(EtcdError.STOPPED);
            firstLeader.completeExceptionally(EtcdError.STOPPED.exception());
            inbox.failPending();
            applyLoop.wake();
        }
    }

    /**
     * A lone voter elects itself as soon as its configuration is applied instead of waiting an
     * election timeout; raft refuses to campaign before that.
     */
    private void maybeCampaignAlone() {
        if (campaignedAlone || status.hasLeader()) {
            return;
        }
        io.etcdjava.raft.Status st = node.status();
        long[] voters = st.config().voters().ids();
        if (st.applied() >= st.hardState().getCommit() && voters.length == 1 && voters[0] == memberId) {
            campaignedAlone = true;
            node.campaign();
        }
    }

    private void handle(Object o) {
        if (o instanceof Inbound in) {
            try {
                node.step(in.message());
            } catch (RuntimeException e) {
                cfg.logger().debug(() -> "dropped raft message: " + e.getMessage());
            }
        } else if (o instanceof ReadRequest r) {
            if (!status.hasLeader()) {
                reads.park(r.index(), System.nanoTime());
            } else {
                reads.enqueue(r.index());
            }
        } else if (o instanceof SnapshotRequest s) {
            takeSnapshot(s.durableIndex());
        } else if (o instanceof TransferRequest t) {
            node.transferLeader(t.transferee());
        } else if (o instanceof ConfProposal cp) {
            try {
                node.proposeConfChange(cp.change());
                cp.accepted().complete(null);
            } catch (ProposalDroppedException e) {
                cp.accepted().completeExceptionally(
                        (status.hasLeader() ? EtcdError.TOO_MANY_REQUESTS : EtcdError.NO_LEADER).exception());
            }
        } else if (o instanceof StatusQuery q) {
            q.result().complete(node.status());
        } else if (o instanceof Unreachable u) {
            try {
                node.reportUnreachable(u.peer());
            } catch (RuntimeException e) {
                cfg.logger().debug(() -> "dropped unreachable report: " + e.getMessage());
            }
        } else if (o instanceof SnapshotStatus st) {
            try {
                node.reportSnapshot(st.peer(), st.failed());
            } catch (RuntimeException e) {
                cfg.logger().debug(() -> "dropped snapshot status: " + e.getMessage());
            }
        }
    }

    private void proposeBatch(List<Proposal> proposals) {
        List<ByteString> data = new ArrayList<>(proposals.size());
        for (Proposal p : proposals) {
            data.add(p.data());
        }
        try {
            node.proposeAll(data);
            for (Proposal p : proposals) {
                p.accepted().complete(null);
            }
        } catch (ProposalDroppedException e) {
            EtcdError why = status.hasLeader() ? EtcdError.TOO_MANY_REQUESTS : EtcdError.NO_LEADER;
            for (Proposal p : proposals) {
                p.accepted().completeExceptionally(why.exception());
            }
        }
    }

    private void startReadRound() {
        node.readIndex(reads.startRound());
    }

    private void processReady(Ready rd) throws IOException {
        if (rd.hardState() != null) {
            RaftStatus s = status;
            status = new RaftStatus(s.leader(), rd.hardState().getTerm(), s.commitIndex(), s.lastIndex(), s.role());
        }
        if (rd.softState() != null) {
            onSoftState(rd.softState().lead(), rd.softState().raftState());
        }
        boolean leader = status.role() == StateType.LEADER;
        // Entries committed before this Ready are durable here already: applying them need not
        // wait for this Ready's sends and write (etcd hands them over first, too).
        boolean applyFirst = rd.snapshot() == null && onlyNormalEntries(rd.committedEntries())
                && (rd.entries().isEmpty() || lastIndex(rd.committedEntries()) < rd.entries().get(0).getIndex());
        if (applyFirst && !rd.committedEntries().isEmpty()) {
            applyLoop.committed(rd.committedEntries(), confStates.latest());
        }
        List<Message> afterPersist = new ArrayList<>(rd.messages().size());
        List<Message> now = new ArrayList<>();
        for (Message m : rd.messages()) {
            // A leader replicates while it fsyncs; it counts itself only after (see raft core).
            if (leader && isReplication(m.getType())) {
                now.add(m);
            } else {
                afterPersist.add(m);
            }
        }
        if (!now.isEmpty()) {
            transport.send(now);
        }
        storage.save(rd.hardState(), rd.entries(), rd.snapshot());
        if (rd.snapshot() != null) {
            // Persisted above (snap file, then WAL record); the state machine swaps in its database next.
            Snapshot snap = rd.snapshot();
            confStates.record(snap.getMetadata().getIndex(), snap.getMetadata().getConfState());
            applyLoop.install(snap);
        }
        if (!afterPersist.isEmpty()) {
            transport.send(afterPersist);
        }
        for (ReadState rs : rd.readStates()) {
            reads.complete(rs.requestCtx(), rs.index());
        }
        if (!applyFirst && !rd.committedEntries().isEmpty()) {
            for (Entry e : rd.committedEntries()) {
                if (e.getType() != EntryType.EntryNormal) {
                    applyConfChange(e);
                }
            }
            applyLoop.committed(rd.committedEntries(), confStates.latest());
        }
        HardState hs = rd.hardState();
        RaftStatus s = status;
        status = new RaftStatus(s.leader(), hs == null ? s.term() : hs.getTerm(),
                hs == null ? s.commitIndex() : hs.getCommit(), storage.memory.lastIndex(), s.role());
        node.advance(rd);
    }

    private void applyConfChange(Entry e) {
        try {
            ConfState cs = e.getType() == EntryType.EntryConfChange
                    ? node.applyConfChange(ConfChange.parseFrom(e.getData()))
                    : node.applyConfChange(ConfChangeV2.parseFrom(e.getData()));
            confStates.record(e.getIndex(), cs);
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException("undecodable conf change at index " + e.getIndex(), ex);
        }
    }

    private void onSoftState(long lead, StateType role) {
        RaftStatus s = status;
        if (lead != s.leader()) {
            if (lead != 0) {
                leaderChanges++;
                firstLeader.complete(null);
                cfg.logger().info(String.format("raft.node: %x elected leader %x at term %d", memberId, lead, s.term()));
            } else {
                cfg.logger().info(String.format("raft.node: %x lost leader %x at term %d", memberId, s.leader(), s.term()));
            }
            // Rounds sent to the old leader will never be answered.
            reads.failAll(EtcdError.LEADER_CHANGED);
            if (lead != 0) {
                reads.unpark();
            }
        }
        status = new RaftStatus(lead, s.term(), s.commitIndex(), s.lastIndex(), role);
    }

    private static boolean onlyNormalEntries(List<Entry> entries) {
        for (Entry e : entries) {
            if (e.getType() != EntryType.EntryNormal) {
                return false;
            }
        }
        return true;
    }

    /** The index of the last entry; 0 for none. */
    private static long lastIndex(List<Entry> entries) {
        return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).getIndex();
    }

    private static boolean isReplication(MessageType t) {
        return t == MessageType.MsgApp || t == MessageType.MsgHeartbeat || t == MessageType.MsgSnap;
    }

    private void takeSnapshot(long index) {
        try {
            storage.snapshot(index, confStates.at(index), cfg.snapshotCatchUpEntries());
            confStates.pruneBefore(index);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The apply thread failed: the whole member stops, as when the raft loop fails. */
    private void applyFailed(Throwable t) {
        failure = t;
        cfg.logger().warn("apply failed: " + t);
        running = false;
        inbox.add(RaftInbox.STOP);
    }

    /**
     * Closes a node that never {@link #run}. A WAL this open created holds its metadata only —
     * raft's bootstrap entries are written at its first Ready — so it is removed: the next start
     * bootstraps afresh instead of finding a log without any configuration.
     */
    public void closeUnstarted() throws IOException, InterruptedException {
        close();
        if (storage.isFresh()) {
            try (java.util.stream.Stream<java.nio.file.Path> walk = java.nio.file.Files.walk(cfg.walDir())) {
                for (java.nio.file.Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.delete(p);
                }
            }
        }
    }

    /** Why the member stopped on its own, if it did. */
    public Throwable failure() {
        return failure;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        running = false;
        inbox.add(RaftInbox.STOP);
        loopThread.join(10_000); // returns at once if never run
        applyLoop.wake();
        applyThread.join(10_000);
        storage.close();
    }
}
