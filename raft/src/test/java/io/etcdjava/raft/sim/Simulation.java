package io.etcdjava.raft.sim;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.Config;
import io.etcdjava.raft.MemoryStorage;
import io.etcdjava.raft.ProposalDroppedException;
import io.etcdjava.raft.RawNode;
import io.etcdjava.raft.ReadState;
import io.etcdjava.raft.Ready;
import io.etcdjava.raft.SimAccess;
import io.etcdjava.raft.StateType;
import io.etcdjava.raft.StepPeerNotFoundException;
import io.etcdjava.raft.pb.ConfChange;
import io.etcdjava.raft.pb.ConfChangeSingle;
import io.etcdjava.raft.pb.ConfChangeTransition;
import io.etcdjava.raft.pb.ConfChangeType;
import io.etcdjava.raft.pb.ConfChangeV2;
import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.EntryType;
import io.etcdjava.raft.pb.HardState;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import io.etcdjava.raft.pb.Snapshot;
import io.etcdjava.raft.pb.SnapshotMetadata;
import io.etcdjava.raft.tracker.TrackerConfig;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A seeded, fully deterministic simulation of a Raft cluster over a hostile network. One
 * {@link SplittableRandom} drives every choice, so a seed number reproduces a run exactly.
 *
 * <p>Each step is one random action: tick a node, deliver (or drop, duplicate, reorder) a message,
 * handle a node's Ready, propose, read, partition or heal, crash or restart a node, transfer
 * leadership, snapshot and compact a node's storage, or change the membership. After every step
 * the {@link Invariants} are checked. At the end the network is healed, every node restarted, and
 * the cluster must converge (liveness).
 *
 * <p>Durability model: a node's {@link MemoryStorage} is its disk. A Ready is handled as etcd
 * does: persist snapshot, entries and hard state (the fsync), apply, then send the messages, then
 * advance. A crash drops the RawNode (its unstable log, uncommitted state, pending messages) and
 * may hit a Ready half way: before the fsync (all lost) or after it (nothing applied or sent).
 */
final class Simulation {
    static final int SPARES = 2;
    /** The log's INFO lines (conflicts, snapshot restores) would flood the output and cost time. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.etcdjava.raft");

    static {
        QUIET.setLevel(java.util.logging.Level.WARNING);
    }

    final long seed;
    final int n;
    final int steps;
    final boolean verbose;
    private final SplittableRandom rnd;
    final Invariants inv = new Invariants();

    // Per-seed knobs, drawn from the seed.
    final boolean preVote;
    final boolean checkQuorum;
    final boolean confChanges;
    final double dropP;
    final double dupP;
    final int maxDelay;
    final double autoReadyP;
    final double splitReadyP;
    final double tickAllP;
    final boolean earlyMsgApp;
    final double deferFsyncP;
    final long maxUncommitted;
    final long maxSizePerMsg;
    final int maxInflight;

    private final Node[] nodes; // index = id, [0] unused
    private final ArrayList<Envelope> net = new ArrayList<>();
    private int[] group; // partition group per node id; all 0 when healed
    private boolean partitioned;
    private int step;
    private long confEffectsApplied;
    private long msgSeq;
    private long proposalSeq;
    private long traceHash = 0xcbf29ce484222325L;
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private final String reproduce;

    // Statistics, for the report and to notice a simulation that stopped exercising something.
    final Map<String, Integer> stats = new java.util.TreeMap<>();

    private record Envelope(Message m, int deliverAt, long seq) {
    }

    /** One simulated machine: its disk survives crashes, its process and memory do not. */
    private static final class Node {
        final long id;
        MemoryStorage storage = new MemoryStorage(); // the disk
        RawNode raw; // null while down
        Ready pending; // taken and persisted, not yet applied/sent/advanced
        boolean pendingEarly; // its MsgApps went out before the fsync
        boolean pendingPersisted; // the fsync is done
        int retireAt; // a removed leader lingering: shut down at this step
        long leaderTerm; // LeaderAppendOnly: term it leads (0: not leading), last index and its term
        long leaderLast;
        long leaderLastTerm;
        TrackerConfig cfgAtStepStart; // the raft configuration when the current step began
        boolean removed; // applied its own removal: shut down like an etcd member
        boolean evicted; // removed from the configuration (by anyone's account): peers refuse its messages
        int life;

        // The state machine (in memory): the applied log, summarized by a chain hash.
        long smApplied;
        long smHash;
        ConfState smConf;
        // Its durable copy, written after each Ready's entries are applied.
        long dApplied;
        long dHash;
        ConfState dConf;

        // Observed cursors for the monotonicity checks (reset per life).
        long seenCommit;
        long seenApplied;

        Node(long id) {
            this.id = id;
        }
    }

    /** Deliberate faults outside the Raft model, to prove the checkers catch what they should. */
    enum Sabotage {
        NONE,
        /** A crash loses the persisted log past the persisted commit index: a disk that lies about fsync. */
        LYING_FSYNC
    }

    final Sabotage sabotage;

    Simulation(long seed, int n, int steps, boolean verbose) {
        this(seed, n, steps, verbose, Sabotage.NONE);
    }

    Simulation(long seed, int n, int steps, boolean verbose, Sabotage sabotage) {
        this.sabotage = sabotage;
        this.seed = seed;
        this.n = n;
        this.steps = steps;
        this.verbose = verbose;
        this.rnd = new SplittableRandom(seed);
        this.preVote = rnd.nextBoolean();
        this.checkQuorum = rnd.nextBoolean();
        this.confChanges = rnd.nextInt(4) != 0;
        this.dropP = rnd.nextInt(3) == 0 ? 0 : rnd.nextDouble() * 0.2;
        this.dupP = rnd.nextInt(3) == 0 ? 0 : rnd.nextDouble() * 0.1;
        this.maxDelay = 1 + rnd.nextInt(rnd.nextBoolean() ? 5 : 30);
        this.autoReadyP = 0.3 + rnd.nextDouble() * 0.7;
        this.splitReadyP = rnd.nextBoolean() ? 0 : rnd.nextDouble() * 0.5;
        this.earlyMsgApp = rnd.nextBoolean();
        this.deferFsyncP = rnd.nextDouble() * 0.6;
        this.tickAllP = rnd.nextBoolean() ? 0 : rnd.nextDouble() * 0.3;
        this.maxUncommitted = rnd.nextInt(4) == 0 ? 50 + rnd.nextInt(500) : 0;
        this.maxSizePerMsg = rnd.nextBoolean() ? 1 << 20 : 1 + rnd.nextInt(200);
        this.maxInflight = rnd.nextBoolean() ? 256 : 1 + rnd.nextInt(8);
        this.reproduce = String.format("mvn -pl raft test -Dtest=RaftSimulationTest#simulation -Dsim.seed=%d -Dsim.nodes=%d -Dsim.steps=%d",
                seed, n, steps);

        int universe = n + SPARES;
        nodes = new Node[universe + 1];
        group = new int[universe + 1];
        ConfState.Builder cs = ConfState.newBuilder();
        for (long i = 1; i <= n; i++) {
            cs.addVoters(i);
        }
        long h0 = 0x5eed;
        inv.onApplySnapshot(0, 1, h0);
        Snapshot initial = Snapshot.newBuilder()
                .setMetadata(SnapshotMetadata.newBuilder().setConfState(cs).setIndex(1).setTerm(1))
                .setData(snapData(1, h0)).build();
        for (int i = 1; i <= universe; i++) {
            Node nd = new Node(i);
            nd.storage.applySnapshot(initial);
            nd.dApplied = 1;
            nd.dHash = h0;
            nd.dConf = cs.build();
            nodes[i] = nd;
            start(nd);
        }
        trace("seed %d: %d nodes (+%d spares), preVote=%b checkQuorum=%b confChanges=%b drop=%.3f dup=%.3f maxDelay=%d autoReady=%.2f splitReady=%.2f tickAll=%.2f earlyMsgApp=%b maxUncommitted=%d maxSizePerMsg=%d maxInflight=%d",
                seed, n, SPARES, preVote, checkQuorum, confChanges, dropP, dupP, maxDelay, autoReadyP, splitReadyP, tickAllP, earlyMsgApp, maxUncommitted, maxSizePerMsg, maxInflight);
    }

    // ------------------------------------------------------------------ running

    /** Runs all steps and the liveness phase; returns the trace hash. */
    long run() {
        try {
            for (step = 1; step <= steps; step++) {
                oneStep();
                checkStep();
                if (step % 500 == 0) {
                    checkLogs();
                }
            }
            checkLogs();
            liveness();
            checkLogs();
        } catch (Invariants.Violation v) {
            throw failure(v.getMessage(), v);
        } catch (SimulationFailure f) {
            throw f;
        } catch (RuntimeException | AssertionError e) {
            throw failure("CoreError: the core threw " + e, e);
        }
        return traceHash;
    }

    /** A failure with seed, step, the reproduce command and (when verbose) the recent trace. */
    static final class SimulationFailure extends AssertionError {
        final long seed;

        SimulationFailure(long seed, String msg, Throwable cause) {
            super(msg, cause);
            this.seed = seed;
        }
    }

    private SimulationFailure failure(String what, Throwable cause) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("seed %d (%d nodes) failed at step %d: %s%n  reproduce: %s", seed, n, step, what, reproduce));
        if (verbose && !recent.isEmpty()) {
            sb.append(String.format("%n  last %d trace lines:%n", recent.size()));
            for (String l : recent) {
                sb.append("    ").append(l).append('\n');
            }
        } else {
            sb.append(" (add -Dsim.verbose=true for the trace)");
        }
        return new SimulationFailure(seed, sb.toString(), cause);
    }

    private void oneStep() {
        for (int i = 1; i < nodes.length; i++) {
            if (nodes[i].raw != null && nodes[i].retireAt != 0 && step >= nodes[i].retireAt) {
                nodes[i].retireAt = 0;
                if (nodes[i].removed) {
                    crash(nodes[i], "retire");
                }
            }
        }
        int a = rnd.nextInt(1000);
        if (a < 430) {
            deliverOne();
        } else if (a < 650) {
            if (rnd.nextDouble() < tickAllP) {
                mix(1, 0);
                trace("tick all");
                for (int i = 1; i < nodes.length; i++) {
                    if (nodes[i].raw != null) {
                        nodes[i].raw.tick();
                        maybeReady(nodes[i]);
                    }
                }
                return;
            }
            Node nd = randomLive();
            if (nd != null) {
                mix(1, nd.id);
                trace("tick %d", nd.id);
                nd.raw.tick();
                maybeReady(nd);
            }
        } else if (a < 780) {
            readyRandom();
        } else if (a < 860) {
            propose();
        } else if (a < 885) {
            readIndex();
        } else if (a < 893) {
            transferLeader();
        } else if (a < 905) {
            partitionOrHeal();
        } else if (a < 913) {
            crash();
        } else if (a < 928) {
            restartRandom();
        } else if (a < 945) {
            snapshotAndCompact();
        } else if (a < 960) {
            if (confChanges) {
                confChange();
            }
        } else if (a < 964) {
            Node nd = randomLive();
            if (nd != null) {
                mix(2, nd.id);
                trace("campaign %d", nd.id);
                nd.raw.campaign();
                maybeReady(nd);
            }
        } else if (a < 968) {
            Node from = randomLive();
            if (from != null) {
                long to = 1 + rnd.nextInt(nodes.length - 1);
                if (to != from.id) {
                    trace("reportUnreachable %d -> %d", from.id, to);
                    from.raw.reportUnreachable(to);
                    count("unreachable");
                }
            }
        } else {
            deliverOne();
        }
    }

    // ------------------------------------------------------------------ nodes

    private void start(Node nd) {
        // Restart from disk: the state machine recovers from its durable copy, or from the
        // storage's snapshot (rebuilding the rest from the log), whichever the dice say.
        long snapIndex = nd.storage.snapshot().getMetadata().getIndex();
        long applied = 0;
        RawNode raw;
        Config.Builder cfg = Config.builder().id(nd.id).storage(nd.storage).electionTick(10).heartbeatTick(1)
                .preVote(preVote).checkQuorum(checkQuorum).randomSeed(rnd.nextLong())
                .maxSizePerMsg(maxSizePerMsg).maxInflightMsgs(maxInflight).maxUncommittedEntriesSize(maxUncommitted);
        if (nd.dApplied > snapIndex && rnd.nextBoolean()) {
            applied = nd.dApplied;
            raw = new RawNode(cfg.applied(applied).build());
            // Conf changes between the snapshot and the applied index are not re-delivered: the
            // application replays them from its log, as etcd does.
            for (Entry e : nd.storage.entries(snapIndex + 1, applied + 1, Long.MAX_VALUE)) {
                if (e.getType() != EntryType.EntryNormal) {
                    raw.applyConfChange(SimAccess.confChangeOf(e));
                }
            }
            nd.smApplied = nd.dApplied;
            nd.smHash = nd.dHash;
            nd.smConf = nd.dConf;
        } else {
            // The log may keep a few entries behind the snapshot: tell raft the state machine
            // starts at the snapshot, or it would hand those entries out again.
            raw = new RawNode(cfg.applied(snapIndex).build());
            Snapshot s = nd.storage.snapshot();
            nd.smApplied = snapIndex;
            nd.smHash = ByteBuffer.wrap(s.getData().toByteArray()).getLong(8);
            nd.smConf = s.getMetadata().getConfState();
        }
        nd.raw = raw;
        nd.cfgAtStepStart = null;
        nd.life++;
        nd.seenCommit = SimAccess.committed(raw);
        nd.seenApplied = SimAccess.applied(raw);
        HardState hs = nd.storage.initialState().hardState();
        inv.onIndexMoved("Commit", nd.id, hs.getCommit(), nd.seenCommit, hs.getCommit());
        inv.onIndexMoved("Applied", nd.id, snapIndex, nd.seenApplied, snapIndex);
        if (SimAccess.term(raw) != hs.getTerm()) {
            throw new Invariants.Violation("HardStateDurability", String.format(
                    "node %d restarted at term %d but persisted term %d", nd.id, SimAccess.term(raw), hs.getTerm()));
        }
        trace("start %d (life %d): term %d commit %d applied %d snap %d last %d", nd.id, nd.life,
                hs.getTerm(), nd.seenCommit, nd.seenApplied, snapIndex, SimAccess.lastIndex(raw));
    }

    private void crash() {
        // Leaders are the interesting victims: half the time, crash one.
        Node nd = rnd.nextBoolean() ? currentLeader() : null;
        if (nd == null) {
            nd = randomLive();
        }
        if (nd == null || liveCount() <= 1) {
            return;
        }
        crash(nd, "crash");
    }

    private void crash(Node nd, String why) {
        mix(3, nd.id);
        trace("%s %d", why, nd.id);
        count(why);
        nd.raw = null;
        nd.pending = null;
        nd.retireAt = 0;
        nd.leaderTerm = 0;
        if (sabotage == Sabotage.LYING_FSYNC) {
            MemoryStorage lied = new MemoryStorage();
            Snapshot snap = nd.storage.snapshot();
            HardState hs = nd.storage.initialState().hardState();
            lied.applySnapshot(snap);
            long keepTo = Math.max(hs.getCommit(), snap.getMetadata().getIndex());
            if (keepTo >= nd.storage.firstIndex()) {
                lied.append(nd.storage.entries(nd.storage.firstIndex(), keepTo + 1, Long.MAX_VALUE));
            }
            lied.setHardState(hs);
            nd.storage = lied;
        }
        // In-memory state machine is gone; the durable copy stays.
    }

    private void restartRandom() {
        List<Node> down = new ArrayList<>();
        for (int i = 1; i < nodes.length; i++) {
            if (nodes[i].raw == null && !nodes[i].removed) {
                down.add(nodes[i]);
            }
        }
        if (down.isEmpty()) {
            return;
        }
        Node nd = down.get(rnd.nextInt(down.size()));
        mix(4, nd.id);
        count("restart");
        start(nd);
    }

    private Node randomLive() {
        int live = liveCount();
        if (live == 0) {
            return null;
        }
        int k = rnd.nextInt(live);
        for (int i = 1; i < nodes.length; i++) {
            if (nodes[i].raw != null && k-- == 0) {
                return nodes[i];
            }
        }
        throw new AssertionError();
    }

    private int liveCount() {
        int c = 0;
        for (int i = 1; i < nodes.length; i++) {
            if (nodes[i].raw != null) {
                c++;
            }
        }
        return c;
    }

    // ------------------------------------------------------------------ Ready handling

    private void maybeReady(Node nd) {
        if (nd.raw != null && rnd.nextDouble() < autoReadyP) {
            handleReady(nd, true);
        }
    }

    private void readyRandom() {
        List<Node> ready = new ArrayList<>();
        for (int i = 1; i < nodes.length; i++) {
            if (nodes[i].raw != null && (nodes[i].pending != null || nodes[i].raw.hasReady())) {
                ready.add(nodes[i]);
            }
        }
        if (!ready.isEmpty()) {
            handleReady(ready.get(rnd.nextInt(ready.size())), true);
        }
    }

    /**
     * Moves {@code nd}'s Ready handling on: finishes a half-handled Ready, or takes a new one and
     * persists it, then (usually at once, sometimes steps later, as etcd's node loop steps
     * messages and ticks while the application works on a Ready) applies, sends and advances.
     * May crash the node part way when {@code mayCrash}.
     */
    private void handleReady(Node nd, boolean mayCrash) {
        if (nd.pending != null) {
            if (nd.pendingPersisted) {
                finishReady(nd, mayCrash);
            } else {
                persistReady(nd, mayCrash);
            }
            return;
        }
        RawNode raw = nd.raw;
        if (!raw.hasReady()) {
            return;
        }
        Ready rd = raw.ready();
        mix(5, nd.id);
        mix(6, rd.entries().size());
        mix(7, rd.committedEntries().size());
        mix(8, rd.messages().size());
        count("ready");
        if (verbose) {
            trace("ready %d: hs=%s ents=%s snap=%s committed=%s msgs=%d reads=%d", nd.id,
                    rd.hardState() == null ? "-" : rd.hardState().getTerm() + "/" + rd.hardState().getVote() + "/" + rd.hardState().getCommit(),
                    range(rd.entries()), rd.snapshot() == null ? "-" : rd.snapshot().getMetadata().getIndex() + "@" + rd.snapshot().getMetadata().getTerm(),
                    range(rd.committedEntries()), rd.messages().size(), rd.readStates().size());
        }
        nd.pending = rd;
        nd.pendingPersisted = false;
        nd.pendingEarly = earlyMsgApp && SimAccess.state(raw) == StateType.LEADER;
        if (nd.pendingEarly) {
            // Ready's contract lets a leader send its MsgApps while it persists (etcd's parallel
            // fsync, thesis 10.2.1); the core then must not count its own unpersisted entries.
            for (Message m : rd.messages()) {
                if (m.getType() == MessageType.MsgApp) {
                    send(m);
                }
            }
            if (mayCrash && rnd.nextDouble() < deferFsyncP) {
                count("ready-split-before-fsync");
                trace("ready %d: MsgApps sent, fsync later", nd.id);
                return;
            }
        }
        persistReady(nd, mayCrash);
    }

    /** The fsync of the pending Ready's snapshot, entries and hard state. */
    private void persistReady(Node nd, boolean mayCrash) {
        Ready rd = nd.pending;
        if (mayCrash && rnd.nextInt(800) == 0 && liveCount() > 1) {
            crash(nd, "crash-before-fsync");
            return;
        }
        if (rd.snapshot() != null) {
            nd.storage.applySnapshot(rd.snapshot());
            count("snapshot-installed");
        }
        if (!rd.entries().isEmpty()) {
            nd.storage.append(rd.entries());
            for (Entry e : rd.entries()) {
                inv.onLogEntry(nd.id, e, storageTerm(nd.storage, e.getIndex() - 1));
            }
        }
        if (rd.hardState() != null) {
            inv.onPersistHardState(nd.id, rd.hardState());
            nd.storage.setHardState(rd.hardState());
        }
        nd.pendingPersisted = true;
        if (mayCrash && rnd.nextDouble() < splitReadyP) {
            count("ready-split");
            trace("ready %d persisted; apply/send/advance later", nd.id);
            return;
        }
        finishReady(nd, mayCrash);
    }

    /** The second half of a Ready: apply, send, advance. */
    private void finishReady(Node nd, boolean mayCrash) {
        Ready rd = nd.pending;
        RawNode raw = nd.raw;
        if (mayCrash && rnd.nextInt(800) == 0 && liveCount() > 1) {
            crash(nd, "crash-after-fsync");
            return;
        }
        // 2. Apply.
        if (rd.snapshot() != null) {
            Snapshot s = rd.snapshot();
            long idx = s.getMetadata().getIndex();
            long hash = ByteBuffer.wrap(s.getData().toByteArray()).getLong(8);
            if (idx <= nd.smApplied) {
                throw new Invariants.Violation("StateMachineSafety", String.format(
                        "node %d was handed a snapshot at %d but has applied %d already", nd.id, idx, nd.smApplied));
            }
            inv.onApplySnapshot(nd.id, idx, hash);
            nd.smApplied = idx;
            nd.smHash = hash;
            nd.smConf = s.getMetadata().getConfState();
        }
        boolean removedSelf = false;
        for (Entry e : rd.committedEntries()) {
            long h = chain(nd.smHash, e);
            inv.onApply(nd.id, nd.smApplied, e, h);
            nd.smApplied = e.getIndex();
            nd.smHash = h;
            if (e.getType() != EntryType.EntryNormal) {
                ConfChangeV2 cc = SimAccess.confChangeOf(e);
                TreeSet<Long> was = members(nd.smConf);
                boolean wasMember = was.contains(nd.id);
                nd.smConf = raw.applyConfChange(cc);
                TreeSet<Long> now = members(nd.smConf);
                if (e.getIndex() > confEffectsApplied) {
                    // The first node to apply a change decides who the cluster considers removed.
                    confEffectsApplied = e.getIndex();
                    for (long id : was) {
                        if (!now.contains(id)) {
                            nodes[(int) id].evicted = true;
                        }
                    }
                    for (long id : now) {
                        if (!was.contains(id)) {
                            nodes[(int) id].removed = false; // added (back): may be restarted again
                            nodes[(int) id].evicted = false;
                        }
                    }
                }
                count("confchange-applied");
                trace("apply-conf %d @%d: %s -> %s", nd.id, e.getIndex(), oneLine(cc), oneLine(nd.smConf));
                removedSelf = wasMember && !now.contains(nd.id);
            } else if (!e.getData().isEmpty()) {
                count("applied-proposals");
            }
        }
        nd.dApplied = nd.smApplied;
        nd.dHash = nd.smHash;
        nd.dConf = nd.smConf;
        if (mayCrash && rnd.nextInt(800) == 0 && liveCount() > 1) {
            crash(nd, "crash-before-send");
            return;
        }
        for (ReadState rs : rd.readStates()) {
            count("read-states");
            inv.onReadState(nd.id, rs.index(), rs.requestCtx());
        }

        // 3. Send, only now that everything the messages vouch for is on disk.
        for (Message m : rd.messages()) {
            if (!nd.pendingEarly || m.getType() != MessageType.MsgApp) {
                send(m);
            }
        }
        nd.pending = null;
        raw.advance(rd);
        if (removedSelf && !nd.evicted) {
            // The cluster has already committed (and someone applied) a later configuration that
            // adds this node back, so it is a member again: it must not retire. It is only late
            // replaying its own old removal; it keeps going and will apply its re-addition. (Seeds
            // 12940 and 19014: a re-added node that retired here was never restarted, or was
            // restarted with a stale config that lists neither itself nor the later removals, and
            // the cluster could not converge. etcd never re-adds a removed ID; the simulation
            // does, so it must not retire a node that is in the latest committed configuration.)
            trace("node %d applied its old removal but was added back since: stays", nd.id);
            count("removal-superseded");
        } else if (removedSelf) {
            // An etcd member that applies its own removal shuts down; a leader may first try to
            // hand leadership over and linger a little (the core keeps it leading meanwhile).
            nd.removed = true;
            if (SimAccess.state(raw) == StateType.LEADER && rnd.nextBoolean()) {
                nd.retireAt = step + 1 + rnd.nextInt(100);
                long to = nd.smConf.getVotersCount() > 0 ? nd.smConf.getVoters(rnd.nextInt(nd.smConf.getVotersCount())) : 0;
                trace("removed leader %d lingers until step %d, transferring to %d", nd.id, nd.retireAt, to);
                count("removed-leader-lingers");
                if (to != 0) {
                    raw.transferLeader(to);
                }
            } else {
                crash(nd, "retire");
            }
        }
    }

    private static long storageTerm(MemoryStorage s, long i) {
        try {
            return s.term(i);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    static long chain(long h, Entry e) {
        long x = e.getIndex() * 0x9E3779B97F4A7C15L ^ e.getTerm() * 0xC2B2AE3D27D4EB4FL
                ^ e.getData().hashCode() ^ ((long) e.getTypeValue() << 40);
        return mix64(h * 31 + x);
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static ByteString snapData(long index, long hash) {
        return ByteString.copyFrom(ByteBuffer.allocate(16).putLong(index).putLong(hash).array());
    }

    private static TreeSet<Long> members(ConfState cs) {
        TreeSet<Long> s = new TreeSet<>(cs.getVotersList());
        s.addAll(cs.getLearnersList());
        s.addAll(cs.getVotersOutgoingList());
        s.addAll(cs.getLearnersNextList());
        return s;
    }

    // ------------------------------------------------------------------ network

    private void send(Message m) {
        if (m.getType() == MessageType.MsgSnap) {
            m = mergedSnapshot(m);
        }
        int delay = rnd.nextInt(maxDelay + 1);
        net.add(new Envelope(m, step + delay, msgSeq++));
        count("sent");
        if (net.size() > 5000) {
            // A congested link loses packets: drop the oldest.
            net.remove(0);
            count("overflow-dropped");
        }
    }

    /**
     * Like etcd's createMergedSnapshotMessage: the snapshot sent is the sender's current state
     * machine (applied index and configuration), not the possibly older one in its storage, which
     * may predate the recipient joining (it would then refuse it).
     */
    private Message mergedSnapshot(Message m) {
        Node from = nodes[(int) m.getFrom()];
        SnapshotMetadata meta = m.getSnapshot().getMetadata();
        if (from.smApplied <= meta.getIndex() || rnd.nextBoolean() && members(meta.getConfState()).contains(m.getTo())) {
            return m;
        }
        long term = storageTerm(from.storage, from.smApplied);
        if (term <= 0) {
            return m;
        }
        count("snapshot-merged");
        return m.toBuilder().setSnapshot(Snapshot.newBuilder()
                .setMetadata(SnapshotMetadata.newBuilder().setIndex(from.smApplied).setTerm(term).setConfState(from.smConf))
                .setData(snapData(from.smApplied, from.smHash))).build();
    }

    private void deliverOne() {
        if (net.isEmpty()) {
            return;
        }
        // Reordering: any message whose delay has passed may go next.
        int eligible = 0;
        for (Envelope e : net) {
            if (e.deliverAt <= step) {
                eligible++;
            }
        }
        if (eligible == 0) {
            return;
        }
        int k = rnd.nextInt(eligible);
        int idx = -1;
        for (int i = 0; i < net.size(); i++) {
            if (net.get(i).deliverAt <= step && k-- == 0) {
                idx = i;
                break;
            }
        }
        Envelope env = net.remove(idx);
        Message m = env.m;
        mix(9, env.seq);
        if (rnd.nextDouble() < dropP) {
            dropped(m, "dropped");
            return;
        }
        if (rnd.nextDouble() < dupP) {
            net.add(new Envelope(m, step + rnd.nextInt(maxDelay + 1), msgSeq++));
            count("duplicated");
        }
        deliver(m);
    }

    private boolean reachable(long from, long to) {
        return !partitioned || group[(int) from] == group[(int) to];
    }

    private void dropped(Message m, String why) {
        count(why);
        trace("%s %s %d->%d", why, m.getType(), m.getFrom(), m.getTo());
        if (m.getType() == MessageType.MsgSnap) {
            Node from = nodes[(int) m.getFrom()];
            if (from.raw != null) {
                from.raw.reportSnapshot(m.getTo(), true);
                count("snapshot-failed");
            }
        }
    }

    private void deliver(Message m) {
        Node to = nodes[(int) m.getTo()];
        if (to.raw == null) {
            dropped(m, "to-down-node");
            return;
        }
        if (refused(to, m)) {
            dropped(m, "from-removed-member");
            return;
        }
        if (!reachable(m.getFrom(), m.getTo())) {
            dropped(m, "partitioned");
            Node from = nodes[(int) m.getFrom()];
            if (from.raw != null && rnd.nextInt(4) == 0) {
                from.raw.reportUnreachable(m.getTo());
            }
            return;
        }
        trace("deliver %s %d->%d term %d idx %d logterm %d commit %d ents %s%s", m.getType(), m.getFrom(), m.getTo(),
                m.getTerm(), m.getIndex(), m.getLogTerm(), m.getCommit(), range(m.getEntriesList()),
                m.getReject() ? " reject hint " + m.getRejectHint() : "");
        count("delivered");
        stepNode(to, m);
        if (m.getType() == MessageType.MsgSnap) {
            Node from = nodes[(int) m.getFrom()];
            if (from.raw != null) {
                from.raw.reportSnapshot(m.getTo(), false);
                count("snapshot-delivered");
            }
        }
        maybeReady(to);
    }

    /**
     * etcd refuses raft messages from a member it knows was removed (IsIDRemoved). A node whose
     * applied configuration does not list itself yet is a joiner: it got the cluster's membership,
     * removed ids included, when it joined (seed 1880: a zombie removed node otherwise pushed a
     * not-yet-caught-up joiner to a higher term it could never tell the leader about).
     */
    private boolean refused(Node to, Message m) {
        if (!nodes[(int) m.getFrom()].evicted) {
            return false;
        }
        TreeSet<Long> known = members(to.smConf);
        return !known.contains(m.getFrom()) || !known.contains(to.id);
    }

    private void stepNode(Node to, Message m) {
        try {
            to.raw.step(m);
        } catch (ProposalDroppedException | StepPeerNotFoundException e) {
            count("step-refused");
        }
    }

    private void partitionOrHeal() {
        if (partitioned && rnd.nextInt(3) != 0) {
            partitioned = false;
            java.util.Arrays.fill(group, 0);
            mix(10, 0);
            trace("heal");
            count("heal");
            return;
        }
        partitioned = true;
        int universe = nodes.length - 1;
        if (rnd.nextBoolean()) {
            Node leader = currentLeader();
            int lone = leader != null && rnd.nextBoolean() ? (int) leader.id : 1 + rnd.nextInt(universe);
            for (int i = 1; i <= universe; i++) {
                group[i] = i == lone ? 1 : 0;
            }
        } else {
            for (int i = 1; i <= universe; i++) {
                group[i] = rnd.nextInt(2);
            }
        }
        mix(11, java.util.Arrays.hashCode(group));
        trace("partition %s", java.util.Arrays.toString(group));
        count("partition");
    }

    // ------------------------------------------------------------------ clients

    private void propose() {
        Node nd = randomLive();
        if (nd == null) {
            return;
        }
        ByteString data = ByteString.copyFromUtf8("p" + seed + "-" + (++proposalSeq));
        mix(12, nd.id);
        trace("propose %s to %d", data.toStringUtf8(), nd.id);
        try {
            nd.raw.propose(data);
            count("proposed");
        } catch (ProposalDroppedException e) {
            count("proposal-dropped");
        }
        maybeReady(nd);
    }

    private void readIndex() {
        Node nd = randomLive();
        if (nd == null) {
            return;
        }
        ByteString ctx = ByteString.copyFromUtf8("r" + (++proposalSeq));
        inv.onReadRequest(ctx);
        mix(13, nd.id);
        trace("readIndex %s at %d (committed anywhere: %d)", ctx.toStringUtf8(), nd.id, inv.maxCommitted());
        nd.raw.readIndex(ctx);
        count("read-requests");
        maybeReady(nd);
    }

    private void transferLeader() {
        Node nd = randomLive();
        if (nd == null) {
            return;
        }
        long to = 1 + rnd.nextInt(nodes.length - 1);
        mix(14, to);
        trace("transferLeader at %d to %d", nd.id, to);
        nd.raw.transferLeader(to);
        count("transfer");
        maybeReady(nd);
    }

    private void snapshotAndCompact() {
        Node nd = randomLive();
        if (nd == null) {
            return;
        }
        long snapIndex = nd.storage.snapshot().getMetadata().getIndex();
        long at = nd.smApplied;
        if (at <= snapIndex || at > nd.storage.lastIndex()) {
            return;
        }
        nd.storage.createSnapshot(at, nd.smConf, snapData(at, nd.smHash));
        // Sometimes keep a few entries behind the snapshot for slow followers, as etcd does.
        long compactTo = Math.max(nd.storage.firstIndex(), at - rnd.nextInt(4));
        if (compactTo > nd.storage.firstIndex() - 1) {
            nd.storage.compact(compactTo);
        }
        mix(15, at);
        trace("snapshot %d at %d, compact to %d", nd.id, at, compactTo);
        count("compact");
    }

    private void confChange() {
        // Ask the node that believes it leads; the change goes through the log like any proposal.
        Node leader = null;
        for (int i = 1; i < nodes.length; i++) {
            if (nodes[i].raw != null && SimAccess.state(nodes[i].raw) == StateType.LEADER) {
                leader = nodes[i];
            }
        }
        if (leader == null) {
            return;
        }
        ConfState cs = leader.smConf;
        TreeSet<Long> voters = new TreeSet<>(cs.getVotersList());
        TreeSet<Long> learners = new TreeSet<>(cs.getLearnersList());
        boolean joint = cs.getVotersOutgoingCount() > 0;
        List<Long> outsiders = new ArrayList<>();
        for (long i = 1; i < nodes.length; i++) {
            if (!voters.contains(i) && !learners.contains(i) && !cs.getVotersOutgoingList().contains(i)
                    && !nodes[(int) i].removed) {
                outsiders.add(i);
            }
        }
        Object change;
        if (joint) {
            if (cs.getAutoLeave()) {
                return;
            }
            change = ConfChangeV2.getDefaultInstance(); // leave the joint config explicitly
        } else {
            int kind = rnd.nextInt(6);
            if (kind == 0 && !outsiders.isEmpty()) {
                long id = outsiders.get(rnd.nextInt(outsiders.size()));
                change = cc1(ConfChangeType.ConfChangeAddLearnerNode, id);
            } else if (kind == 1 && !learners.isEmpty()) {
                long id = learners.first();
                change = cc1(ConfChangeType.ConfChangeAddNode, id);
            } else if (kind == 2 && voters.size() > 3) {
                long id = pick(voters);
                change = cc1(ConfChangeType.ConfChangeRemoveNode, id);
            } else if (kind == 3 && !outsiders.isEmpty() && voters.size() >= 3) {
                // Replace a voter by an outsider through a joint configuration.
                long in = outsiders.get(rnd.nextInt(outsiders.size()));
                long out = pick(voters);
                ConfChangeTransition tr = rnd.nextBoolean() ? ConfChangeTransition.ConfChangeTransitionJointImplicit
                        : ConfChangeTransition.ConfChangeTransitionJointExplicit;
                change = ConfChangeV2.newBuilder().setTransition(tr)
                        .addChanges(ConfChangeSingle.newBuilder().setType(ConfChangeType.ConfChangeAddNode).setNodeId(in))
                        .addChanges(ConfChangeSingle.newBuilder().setType(ConfChangeType.ConfChangeRemoveNode).setNodeId(out))
                        .build();
            } else if (kind == 4 && !learners.isEmpty()) {
                // Promote a learner with a V2 simple change.
                change = ConfChangeV2.newBuilder().addChanges(ConfChangeSingle.newBuilder()
                        .setType(ConfChangeType.ConfChangeAddNode).setNodeId(learners.first())).build();
            } else if (kind == 5 && voters.size() > 3) {
                // Demote a voter (perhaps the leader) to learner.
                change = cc1(ConfChangeType.ConfChangeAddLearnerNode, rnd.nextBoolean() ? leader.id : pick(voters));
            } else {
                return;
            }
        }
        Node via = rnd.nextInt(4) == 0 ? randomLive() : leader;
        trace("propose conf change via %d: %s", via.id, oneLine(change));
        mix(16, change.hashCode());
        try {
            if (change instanceof ConfChange c) {
                via.raw.proposeConfChange(c);
            } else {
                via.raw.proposeConfChange((ConfChangeV2) change);
            }
            count("confchange-proposed");
        } catch (ProposalDroppedException e) {
            count("proposal-dropped");
        }
        maybeReady(via);
    }

    private long pick(TreeSet<Long> s) {
        int k = rnd.nextInt(s.size());
        for (long x : s) {
            if (k-- == 0) {
                return x;
            }
        }
        throw new AssertionError();
    }

    private static ConfChange cc1(ConfChangeType t, long id) {
        return ConfChange.newBuilder().setType(t).setNodeId(id).build();
    }

    // ------------------------------------------------------------------ invariants

    private Invariants.LogView view(RawNode raw) {
        return new Invariants.LogView() {
            @Override
            public long term(long i) {
                return SimAccess.term(raw, i);
            }

            @Override
            public long firstIndex() {
                return SimAccess.firstIndex(raw);
            }

            @Override
            public long lastIndex() {
                return SimAccess.lastIndex(raw);
            }
        };
    }

    private final Map<Long, Long> leaderSeen = new HashMap<>(); // node -> term it was last seen leading

    /** The per-step checks: leaders, commit and apply cursors of every running node. */
    private void checkStep() {
        Map<Long, Map.Entry<Long, Invariants.LogView>> leaders = new HashMap<>();
        for (int i = 1; i < nodes.length; i++) {
            Node nd = nodes[i];
            if (nd.raw == null) {
                continue;
            }
            RawNode raw = nd.raw;
            if (SimAccess.state(raw) == StateType.LEADER) {
                long term = SimAccess.term(raw);
                inv.onLeader(nd.id, term);
                Long prev = leaderSeen.put(nd.id, term);
                if (prev == null || prev != term) {
                    count("leaders");
                    trace("node %d is leader of term %d (last index %d)", nd.id, term, SimAccess.lastIndex(raw));
                    inv.onNewLeader(nd.id, term, view(raw));
                }
                leaders.put(nd.id, Map.entry(term, view(raw)));
                long last = SimAccess.lastIndex(raw);
                if (nd.leaderTerm == term) {
                    inv.onLeaderLog(nd.id, term, nd.leaderLast, nd.leaderLastTerm, last, SimAccess.term(raw, nd.leaderLast));
                }
                nd.leaderTerm = term;
                nd.leaderLast = last;
                nd.leaderLastTerm = SimAccess.term(raw, last);
            } else {
                nd.leaderTerm = 0;
            }
        }
        for (int i = 1; i < nodes.length; i++) {
            Node nd = nodes[i];
            if (nd.raw == null) {
                continue;
            }
            RawNode raw = nd.raw;
            long c = SimAccess.committed(raw);
            inv.onIndexMoved("Commit", nd.id, nd.seenCommit, c, 0);
            for (long k = nd.seenCommit + 1; k <= c; k++) {
                inv.onCommitted(nd.id, SimAccess.term(raw), k, SimAccess.term(raw, k), leaders);
            }
            TrackerConfig cfg = SimAccess.config(raw);
            if (c > nd.seenCommit && SimAccess.state(raw) == StateType.LEADER) {
                long ct = SimAccess.term(raw, c);
                java.util.function.LongPredicate durable = id -> durablyHas(nodes[(int) id].storage, c, ct);
                try {
                    inv.onLeaderCommit(nd.id, SimAccess.term(raw), c, ct, cfg.voters().incoming().ids(),
                            cfg.voters().outgoing().ids(), durable);
                } catch (Invariants.Violation v) {
                    // The commit may have happened before a conf change applied in this same step.
                    TrackerConfig before = nd.cfgAtStepStart;
                    if (before == null || before == cfg) {
                        throw v;
                    }
                    inv.onLeaderCommit(nd.id, SimAccess.term(raw), c, ct, before.voters().incoming().ids(),
                            before.voters().outgoing().ids(), durable);
                }
            }
            nd.cfgAtStepStart = cfg;
            nd.seenCommit = c;
            long a = SimAccess.applied(raw);
            inv.onIndexMoved("Applied", nd.id, nd.seenApplied, a, 0);
            nd.seenApplied = a;
        }
    }

    private static boolean durablyHas(MemoryStorage s, long index, long term) {
        return s.snapshot().getMetadata().getIndex() >= index || storageTerm(s, index) == term;
    }

    /** LogMatching over every running node's whole log, stable and unstable. */
    private void checkLogs() {
        for (int i = 1; i < nodes.length; i++) {
            Node nd = nodes[i];
            if (nd.raw == null) {
                continue;
            }
            long first = SimAccess.firstIndex(nd.raw);
            long last = SimAccess.lastIndex(nd.raw);
            if (first > last) {
                continue;
            }
            long prevTerm = SimAccess.term(nd.raw, first - 1);
            for (Entry e : SimAccess.entries(nd.raw, first, last + 1)) {
                inv.onLogEntry(nd.id, e, prevTerm);
                prevTerm = e.getTerm();
            }
        }
    }

    // ------------------------------------------------------------------ liveness

    /**
     * Heals everything, restarts every node that should run, and delivers reliably: the cluster must
     * elect a leader, commit a fresh proposal, and converge on one applied log that contains every
     * entry ever applied anywhere.
     */
    private void liveness() {
        trace("--- liveness phase");
        partitioned = false;
        java.util.Arrays.fill(group, 0);
        for (int i = 1; i < nodes.length; i++) {
            if (nodes[i].raw != null && nodes[i].removed) {
                crash(nodes[i], "retire"); // a lingering removed leader
            }
            if (nodes[i].raw == null && !nodes[i].removed) {
                start(nodes[i]);
            }
        }
        ByteString marker = ByteString.copyFromUtf8("final-" + seed);
        boolean proposed = false;
        int rounds = 3000;
        String why = "";
        for (int r = 0; r < rounds; r++, step++) {
            // Reliable network: everything in flight arrives, in order, nothing is lost.
            List<Envelope> inflight = new ArrayList<>(net);
            net.clear();
            for (Envelope e : inflight) {
                deliverReliably(e.m);
            }
            for (int i = 1; i < nodes.length; i++) {
                while (nodes[i].raw != null && (nodes[i].pending != null || nodes[i].raw.hasReady())) {
                    handleReady(nodes[i], false);
                }
            }
            if (r % 2 == 0) {
                for (int i = 1; i < nodes.length; i++) {
                    if (nodes[i].raw != null) {
                        nodes[i].raw.tick();
                    }
                }
            }
            checkStep();
            Node leader = currentLeader();
            if (leader == null) {
                why = "no leader";
                continue;
            }
            ConfState cs = leader.smConf;
            for (long id : members(cs)) {
                Node m = nodes[(int) id];
                if (m.raw == null) {
                    m.removed = false;
                    start(m); // added back after it had retired
                }
            }
            if (cs.getVotersOutgoingCount() > 0 && !cs.getAutoLeave() && r % 20 == 0) {
                try {
                    leader.raw.proposeConfChange(ConfChangeV2.getDefaultInstance());
                } catch (ProposalDroppedException e) {
                    // retry later
                }
            }
            if (!proposed || r % 50 == 0 && !markerApplied(leader, marker)) {
                try {
                    leader.raw.propose(marker);
                    proposed = true;
                } catch (ProposalDroppedException e) {
                    why = "marker proposal dropped: " + e.getMessage();
                    continue;
                }
            }
            why = converged(leader, marker);
            if (why == null) {
                trace("converged after %d quiet rounds at index %d", r, leader.smApplied);
                mix(17, leader.smApplied);
                count("liveness-rounds", r);
                return;
            }
        }
        throw new Invariants.Violation("Liveness", "cluster did not converge within " + rounds
                + " quiet rounds after healing: " + why + "; " + describe());
    }

    private void deliverReliably(Message m) {
        Node to = nodes[(int) m.getTo()];
        if (to.raw == null || refused(to, m)) {
            return;
        }
        stepNode(to, m);
        if (m.getType() == MessageType.MsgSnap) {
            Node from = nodes[(int) m.getFrom()];
            if (from.raw != null) {
                from.raw.reportSnapshot(m.getTo(), false);
            }
        }
    }

    private Node currentLeader() {
        Node best = null;
        for (int i = 1; i < nodes.length; i++) {
            Node nd = nodes[i];
            if (nd.raw != null && SimAccess.state(nd.raw) == StateType.LEADER
                    && (best == null || SimAccess.term(nd.raw) > SimAccess.term(best.raw))) {
                best = nd;
            }
        }
        return best;
    }

    private boolean markerApplied(Node nd, ByteString marker) {
        long ai = markerIndex(marker);
        return ai > 0 && nd.smApplied >= ai;
    }

    private long markerIndex(ByteString marker) {
        for (long i = inv.maxApplied(); i > 1; i--) {
            Entry e = inv.appliedEntry(i);
            if (e != null && e.getData().equals(marker)) {
                return i;
            }
        }
        return -1;
    }

    /** Null when converged, else what is still missing. */
    private String converged(Node leader, ByteString marker) {
        long mi = markerIndex(marker);
        if (mi < 0) {
            return "marker not applied yet";
        }
        long target = SimAccess.committed(leader.raw);
        if (target < inv.maxApplied()) {
            return "leader commit " + target + " below max applied anywhere " + inv.maxApplied();
        }
        if (leader.smConf.getVotersOutgoingCount() > 0) {
            return "still in a joint configuration";
        }
        for (long id : members(leader.smConf)) {
            Node m = nodes[(int) id];
            if (m.raw == null) {
                return "member " + id + " is down";
            }
            if (m.smApplied != target) {
                return "member " + id + " applied " + m.smApplied + ", leader committed " + target;
            }
            Long h = inv.appliedHash(target);
            if (h == null || h != m.smHash) {
                return "member " + id + " state differs at " + target;
            }
        }
        return null;
    }

    private String describe() {
        StringBuilder sb = new StringBuilder("nodes:");
        Node leader = currentLeader();
        if (leader != null) {
            sb.append(" leader progress ").append(oneLine(leader.raw.status().progress()));
        }
        for (int i = 1; i < nodes.length; i++) {
            Node nd = nodes[i];
            if (nd.raw == null) {
                sb.append(String.format(" [%d down%s]", i, nd.removed ? " (removed)" : ""));
            } else {
                sb.append(String.format(" [%d %s term %d lead %d commit %d applied %d last %d conf %s]", i,
                        SimAccess.state(nd.raw), SimAccess.term(nd.raw), nd.raw.status().softState().lead(),
                        SimAccess.committed(nd.raw), nd.smApplied, SimAccess.lastIndex(nd.raw), oneLine(nd.smConf)));
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ tracing

    private void mix(int tag, long v) {
        traceHash = (traceHash ^ tag) * 0x100000001b3L;
        traceHash = (traceHash ^ v) * 0x100000001b3L;
    }

    private void count(String what) {
        count(what, 1);
    }

    private void count(String what, int k) {
        stats.merge(what, k, Integer::sum);
    }

    private void trace(String fmt, Object... args) {
        if (!verbose) {
            return;
        }
        recent.addLast(step + ": " + String.format(fmt, args));
        if (recent.size() > 400) {
            recent.removeFirst();
        }
    }

    private static String range(List<Entry> es) {
        if (es.isEmpty()) {
            return "[]";
        }
        return "[" + es.get(0).getIndex() + ".." + es.get(es.size() - 1).getIndex() + "@" + es.get(es.size() - 1).getTerm() + "]";
    }

    private static String oneLine(Object o) {
        return o.toString().replace('\n', ' ').trim();
    }
}
