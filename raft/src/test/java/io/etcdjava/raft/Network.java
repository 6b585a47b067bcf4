package io.etcdjava.raft;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.EntryType;
import io.etcdjava.raft.pb.HardState;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import io.etcdjava.raft.pb.Snapshot;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A deterministic in-memory cluster of {@link RawNode}s for scenario tests. Every node is driven
 * the way an application drives it: after each input its Readys are drained (snapshot, hard
 * state and entries persisted to its storage, committed entries applied, conf changes applied,
 * then advance) and the resulting messages are delivered breadth-first through the filters.
 *
 * <p>Because the application persists synchronously here, a leader's own entries count for
 * commitment right after the Ready that carries them, as the core requires.
 *
 * <p>While running, the network checks the Raft safety properties on every node after every
 * drain and records violations (see {@link #violations()}): at most one leader per term
 * (election safety), a leader's log only grows within its term (leader append-only), and no two
 * nodes apply different entries at the same index (state machine safety).
 */
final class Network {
    /** Keeps the core's System.Logger (JUL) output at warnings; held strongly so the level sticks. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.etcdjava");

    static {
        QUIET.setLevel(java.util.logging.Level.WARNING);
    }

    record Link(long from, long to) {
    }

    /** One member: the node, its storage, and what its application saw. */
    static final class Node {
        final long id;
        final TestStorage storage;
        RawNode raw;
        /** Every committed entry handed to the application, in order. */
        final List<Entry> applied = new ArrayList<>();
        final List<ReadState> readStates = new ArrayList<>();
        final List<Ready> readies = new ArrayList<>();
        Snapshot restoredSnapshot;
        ConfState confState;
        /** Every configuration the application switched to, in order. */
        final List<ConfState> confHistory = new ArrayList<>();

        Node(long id, TestStorage storage, RawNode raw) {
            this.id = id;
            this.storage = storage;
            this.raw = raw;
        }

        Raft raft() {
            return raw.raft();
        }

        /** Data of the normal, non-empty entries applied, as strings. */
        List<String> appliedData() {
            List<String> out = new ArrayList<>();
            for (Entry e : applied) {
                if (e.getType() == EntryType.EntryNormal && !e.getData().isEmpty()) {
                    out.add(e.getData().toStringUtf8());
                }
            }
            return out;
        }
    }

    /** A {@link MemoryStorage} that starts with a configuration but without a snapshot. */
    static final class TestStorage implements Storage {
        final MemoryStorage mem = new MemoryStorage();
        final ConfState initialConf;

        TestStorage(ConfState initialConf) {
            this.initialConf = initialConf;
        }

        @Override
        public InitialState initialState() {
            InitialState s = mem.initialState();
            if (mem.snapshot().getMetadata().getIndex() == 0) {
                return new InitialState(s.hardState(), initialConf);
            }
            return s;
        }

        @Override
        public List<Entry> entries(long lo, long hi, long maxSize) {
            return mem.entries(lo, hi, maxSize);
        }

        @Override
        public long term(long i) {
            return mem.term(i);
        }

        @Override
        public long lastIndex() {
            return mem.lastIndex();
        }

        @Override
        public long firstIndex() {
            return mem.firstIndex();
        }

        @Override
        public Snapshot snapshot() {
            return mem.snapshot();
        }
    }

    final Map<Long, Node> nodes = new TreeMap<>();
    private final Map<Long, Consumer<Config.Builder>> configs = new HashMap<>();
    private final Set<Link> cut = new HashSet<>();
    private final Set<MessageType> ignored = EnumSet.noneOf(MessageType.class);
    private final List<Predicate<Message>> dropRules = new ArrayList<>();
    /** Messages lost to filters, blackholes or cuts, in order. */
    final List<Message> dropped = new ArrayList<>();
    /** Every message delivered, in order. */
    final List<Message> delivered = new ArrayList<>();
    /** Proposals a leader refused after forwarding. */
    final List<RuntimeException> refused = new ArrayList<>();
    /** When a MsgSnap is delivered (lost), report success (failure) to its sender, like a transport. */
    boolean autoReportSnapshot = true;

    private final Map<Long, Long> leaderOfTerm = new HashMap<>();
    private final Map<Long, List<Entry>> leaderLogOfTerm = new HashMap<>();
    private final Map<Long, Entry> appliedAt = new HashMap<>();
    private final List<String> violations = new ArrayList<>();

    // ------------------------------------------------------------------ construction

    static Builder builder() {
        return new Builder();
    }

    /** Voters {@code ids}, default settings (election 10 ticks, heartbeat 1). */
    static Network of(long... ids) {
        return builder().voters(ids).build();
    }

    static final class Builder {
        private long[] voters = {};
        private long[] learners = {};
        private Consumer<Config.Builder> config = b -> {
        };
        private final Map<Long, long[]> logs = new HashMap<>();
        private final Map<Long, Long> terms = new HashMap<>();
        private final Map<Long, Consumer<Config.Builder>> perNode = new HashMap<>();
        private final Set<Long> blackholes = new HashSet<>();

        Builder voters(long... ids) {
            this.voters = ids;
            return this;
        }

        Builder learners(long... ids) {
            this.learners = ids;
            return this;
        }

        Builder config(Consumer<Config.Builder> c) {
            this.config = c;
            return this;
        }

        Builder config(long id, Consumer<Config.Builder> c) {
            perNode.put(id, c);
            return this;
        }

        /** Node {@code id} starts with persisted entries of these terms at indexes 1, 2, ... */
        Builder log(long id, long... terms) {
            logs.put(id, terms);
            return this;
        }

        /** Node {@code id} starts at this term (default: its last log term). */
        Builder term(long id, long term) {
            terms.put(id, term);
            return this;
        }

        /** Member {@code id} exists in the configuration but has no node: it never answers. */
        Builder blackhole(long id) {
            blackholes.add(id);
            return this;
        }

        Network build() {
            Network n = new Network();
            ConfState.Builder cs = ConfState.newBuilder();
            Arrays.stream(voters).forEach(cs::addVoters);
            Arrays.stream(learners).forEach(cs::addLearners);
            ConfState conf = cs.build();
            List<Long> all = new ArrayList<>();
            Arrays.stream(voters).forEach(all::add);
            Arrays.stream(learners).forEach(all::add);
            for (long id : all) {
                if (blackholes.contains(id)) {
                    continue;
                }
                TestStorage s = new TestStorage(conf);
                long[] terms = logs.get(id);
                long term = 0;
                if (terms != null && terms.length > 0) {
                    s.mem.append(entries(1, terms));
                    term = terms[terms.length - 1];
                }
                term = this.terms.getOrDefault(id, term);
                if (term > 0) {
                    s.mem.setHardState(HardState.newBuilder().setTerm(term).build());
                }
                Consumer<Config.Builder> c = config.andThen(perNode.getOrDefault(id, b -> {
                }));
                n.configs.put(id, c);
                n.add(id, s, c);
            }
            return n;
        }
    }

    /** Entries with the given terms at consecutive indexes from {@code first}, data "t<term>i<index>". */
    static List<Entry> entries(long first, long... terms) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            long idx = first + i;
            out.add(Entry.newBuilder().setIndex(idx).setTerm(terms[i])
                    .setData(ByteString.copyFromUtf8("t" + terms[i] + "i" + idx)).build());
        }
        return out;
    }

    static Config.Builder defaults(long id, Storage s) {
        return Config.builder().id(id).storage(s).electionTick(10).heartbeatTick(1)
                .maxInflightMsgs(256).maxSizePerMsg(Long.MAX_VALUE);
    }

    private Node add(long id, TestStorage s, Consumer<Config.Builder> c) {
        Config.Builder b = defaults(id, s);
        c.accept(b);
        Node node = new Node(id, s, new RawNode(b.build()));
        nodes.put(id, node);
        return node;
    }

    /** Adds a brand-new empty node (e.g. before proposing to add it) knowing {@code conf}. */
    Node addNode(long id, ConfState conf, Consumer<Config.Builder> c) {
        configs.put(id, c);
        return add(id, new TestStorage(conf), c);
    }

    /**
     * Simulates a crash and restart of {@code id}: volatile state is lost, the node is rebuilt
     * from what its storage persisted (and the applied index it had reached).
     */
    Node restart(long id) {
        Node old = node(id);
        Config.Builder b = defaults(id, old.storage);
        configs.getOrDefault(id, x -> {
        }).accept(b);
        long applied = old.raft().raftLog.applied();
        b.applied(Math.max(applied, old.storage.mem.snapshot().getMetadata().getIndex()));
        old.raw = new RawNode(b.build());
        return old;
    }

    // ------------------------------------------------------------------ accessors

    Node node(long id) {
        Node n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no node " + id);
        }
        return n;
    }

    Raft raft(long id) {
        return node(id).raft();
    }

    StateType state(long id) {
        return raft(id).state;
    }

    long term(long id) {
        return raft(id).term;
    }

    long committed(long id) {
        return raft(id).raftLog.committed();
    }

    long lastIndex(long id) {
        return raft(id).raftLog.lastIndex();
    }

    List<Entry> log(long id) {
        return raft(id).raftLog.allEntries();
    }

    /** The leader with the highest term, or 0. */
    long leader() {
        long best = 0;
        long bestTerm = -1;
        for (Node n : nodes.values()) {
            Raft r = n.raft();
            if (r.state == StateType.LEADER && r.term > bestTerm) {
                best = n.id;
                bestTerm = r.term;
            }
        }
        return best;
    }

    List<String> violations() {
        return violations;
    }

    // ------------------------------------------------------------------ filters

    /** Cuts both directions between {@code a} and {@code b}. */
    void cut(long a, long b) {
        cut.add(new Link(a, b));
        cut.add(new Link(b, a));
    }

    /** Cuts {@code id} off from every other node, both directions. */
    void isolate(long id) {
        for (long other : nodes.keySet()) {
            if (other != id) {
                cut(id, other);
            }
        }
    }

    /** Splits the cluster: no messages between the two groups. */
    void partition(long[] a, long[] b) {
        for (long x : a) {
            for (long y : b) {
                cut(x, y);
            }
        }
    }

    void ignore(MessageType t) {
        ignored.add(t);
    }

    void drop(Predicate<Message> rule) {
        dropRules.add(rule);
    }

    /** Removes every cut, ignored type and drop rule. */
    void heal() {
        cut.clear();
        ignored.clear();
        dropRules.clear();
    }

    private boolean filtered(Message m) {
        if (ignored.contains(m.getType()) || cut.contains(new Link(m.getFrom(), m.getTo()))) {
            return true;
        }
        for (Predicate<Message> p : dropRules) {
            if (p.test(m)) {
                return true;
            }
        }
        return !nodes.containsKey(m.getTo());
    }

    // ------------------------------------------------------------------ driving

    /** Runs the application loop of {@code id} until it has no Ready; returns what it wants sent. */
    List<Message> drain(long id) {
        Node n = node(id);
        List<Message> out = new ArrayList<>();
        int guard = 0;
        while (n.raw.hasReady()) {
            if (++guard > 10_000) {
                throw new IllegalStateException("node " + id + " never stops producing Readys");
            }
            Ready rd = n.raw.ready();
            n.readies.add(rd);
            if (rd.snapshot() != null) {
                n.storage.mem.applySnapshot(rd.snapshot());
                n.restoredSnapshot = rd.snapshot();
                n.confState = rd.snapshot().getMetadata().getConfState();
            }
            if (rd.hardState() != null) {
                n.storage.mem.setHardState(rd.hardState());
            }
            n.storage.mem.append(rd.entries());
            out.addAll(rd.messages());
            for (Entry e : rd.committedEntries()) {
                n.applied.add(e);
                Entry prev = appliedAt.putIfAbsent(e.getIndex(), e);
                if (prev != null && !prev.equals(e)) {
                    violations.add("state machine safety: node " + id + " applied " + brief(e)
                            + " where another node applied " + brief(prev));
                }
                if (e.getType() != EntryType.EntryNormal) {
                    n.confState = n.raw.applyConfChange(Raft.confChangeOf(e));
                    n.confHistory.add(n.confState);
                }
            }
            n.readStates.addAll(rd.readStates());
            n.raw.advance(rd);
            checkLeader(n);
        }
        checkLeader(n);
        return out;
    }

    private void checkLeader(Node n) {
        Raft r = n.raft();
        if (r.state != StateType.LEADER) {
            return;
        }
        Long prev = leaderOfTerm.putIfAbsent(r.term, n.id);
        if (prev != null && prev != n.id) {
            violations.add("election safety: " + prev + " and " + n.id + " both led term " + r.term);
            return;
        }
        List<Entry> now = r.raftLog.allEntries();
        if (prev == null) {
            // Newly elected: everything committed so far was committed in an earlier term.
            long first = now.isEmpty() ? r.raftLog.firstIndex() : now.get(0).getIndex();
            for (Entry e : appliedAt.values()) {
                if (e.getIndex() < first) {
                    continue;
                }
                int k = (int) (e.getIndex() - first);
                if (k >= now.size() || !now.get(k).equals(e)) {
                    violations.add("leader completeness: leader " + n.id + " of term " + r.term
                            + " lacks committed " + brief(e));
                    break;
                }
            }
        }
        List<Entry> before = leaderLogOfTerm.put(r.term, now);
        if (before != null && !now.isEmpty()) {
            long first = now.get(0).getIndex();
            for (Entry e : before) {
                if (e.getIndex() < first) {
                    continue; // compacted by the application
                }
                int k = (int) (e.getIndex() - first);
                if (k >= now.size() || !now.get(k).equals(e)) {
                    violations.add("leader append-only: leader " + n.id + " of term " + r.term
                            + " lost or overwrote " + brief(e));
                    break;
                }
            }
        }
    }

    static String brief(Entry e) {
        return "(i" + e.getIndex() + " t" + e.getTerm() + " " + e.getType() + " '" + e.getData().toStringUtf8() + "')";
    }

    /** Delivers {@code msgs} and everything they cause, until the network is quiet. */
    void send(List<Message> msgs) {
        Deque<Message> queue = new ArrayDeque<>(msgs);
        int guard = 0;
        while (!queue.isEmpty()) {
            if (++guard > 200_000) {
                throw new IllegalStateException("network does not quiesce");
            }
            Message m = queue.pollFirst();
            boolean isSnap = m.getType() == MessageType.MsgSnap;
            if (filtered(m)) {
                dropped.add(m);
                if (isSnap && autoReportSnapshot && nodes.containsKey(m.getFrom())) {
                    node(m.getFrom()).raw.reportSnapshot(m.getTo(), true);
                    queue.addAll(drain(m.getFrom()));
                }
                continue;
            }
            delivered.add(m);
            Node to = node(m.getTo());
            try {
                to.raw.step(m);
            } catch (ProposalDroppedException | StepPeerNotFoundException e) {
                refused.add(e);
            }
            queue.addAll(drain(m.getTo()));
            if (isSnap && autoReportSnapshot && nodes.containsKey(m.getFrom())) {
                node(m.getFrom()).raw.reportSnapshot(m.getTo(), false);
                queue.addAll(drain(m.getFrom()));
            }
        }
    }

    void send(Message... msgs) {
        send(Arrays.asList(msgs));
    }

    /** Delivers whatever any node has pending. */
    void flush() {
        List<Message> out = new ArrayList<>();
        for (long id : nodes.keySet()) {
            out.addAll(drain(id));
        }
        send(out);
    }

    /** Starts an election at {@code id} and runs it to completion. */
    void campaign(long id) {
        node(id).raw.campaign();
        send(drain(id));
    }

    /** Proposes at {@code id} and runs replication to completion; the refusal propagates. */
    void propose(long id, String data) {
        node(id).raw.propose(ByteString.copyFromUtf8(data));
        send(drain(id));
    }

    /** Proposes a conf change at {@code id} and runs it to completion. */
    void proposeConf(long id, io.etcdjava.raft.pb.ConfChangeV2 cc) {
        node(id).raw.proposeConfChange(cc);
        send(drain(id));
    }

    void proposeConf(long id, io.etcdjava.raft.pb.ConfChange cc) {
        node(id).raw.proposeConfChange(cc);
        send(drain(id));
    }

    /** Ticks {@code id} {@code n} times, delivering after each tick. */
    void tick(long id, int n) {
        for (int i = 0; i < n; i++) {
            node(id).raw.tick();
            send(drain(id));
        }
    }

    /** Ticks every node {@code n} times, delivering after each round. */
    void tickAll(int n) {
        for (int i = 0; i < n; i++) {
            List<Message> out = new ArrayList<>();
            for (Node node : nodes.values()) {
                node.raw.tick();
                out.addAll(drain(node.id));
            }
            send(out);
        }
    }

    /** Steps {@code m} into {@code id}'s state machine (local types allowed) and returns what it sends, undelivered. */
    List<Message> stepCollect(long id, Message m) {
        raft(id).step(m);
        return drain(id);
    }

    /** Ticks {@code id} once and returns what it sends, undelivered. */
    List<Message> tickCollect(long id) {
        node(id).raw.tick();
        return drain(id);
    }

    static List<Message> ofType(List<Message> msgs, MessageType t) {
        return msgs.stream().filter(m -> m.getType() == t).toList();
    }

    static ByteString bytes(String s) {
        return ByteString.copyFromUtf8(s);
    }
}
