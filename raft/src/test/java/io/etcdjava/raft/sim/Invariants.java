package io.etcdjava.raft.sim;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.HardState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safety invariants of Raft, checked incrementally from events the simulation reports. Knows
 * nothing about RawNode: the self-test feeds it fabricated histories to prove each checker can fail.
 * Every check throws {@link Violation} naming the invariant.
 */
final class Invariants {

    /** A broken invariant; the simulation adds seed, step and a reproduce command. */
    static final class Violation extends RuntimeException {
        final String invariant;

        Violation(String invariant, String detail) {
            super(invariant + ": " + detail, null, false, false);
            this.invariant = invariant;
        }
    }

    /** What the leader-completeness check needs from a node's log. */
    interface LogView {
        /** Term of entry {@code i}, or -1 if the node no longer holds it (compacted). */
        long term(long i);

        long firstIndex();

        long lastIndex();
    }

    private record LogKey(long index, long term) {
    }

    private record LogVal(int type, ByteString data, long prevTerm) {
    }

    /** term -> leader id, over the whole history (ElectionSafety). */
    private final Map<Long, Long> leaderOfTerm = new HashMap<>();
    /** (index, term) -> the one entry any log may hold there (LogMatching). */
    private final Map<LogKey, LogVal> logEntries = new HashMap<>();
    /** index -> term of the entry committed there, as observed by any node. */
    private final ArrayList<Long> committedTerm = new ArrayList<>(List.of(0L));
    /** index -> the entry applied there first, by any node (StateMachineSafety, Durability). */
    private final ArrayList<Entry> appliedEntry = new ArrayList<>(List.of(Entry.getDefaultInstance()));
    /** index -> state machine hash after applying it (snapshots are checked against it). */
    private final TreeMap<Long, Long> appliedHash = new TreeMap<>();
    /** read-index request context -> max committed index anywhere when it was issued. */
    private final Map<ByteString, Long> readRequests = new HashMap<>();
    /** node -> durable hard state (survives crashes). */
    private final Map<Long, HardState> durableHardState = new HashMap<>();

    long maxCommitted() {
        return committedTerm.size() - 1;
    }

    long maxApplied() {
        return appliedEntry.size() - 1;
    }

    Entry appliedEntry(long i) {
        return appliedEntry.get((int) i);
    }

    Long appliedHash(long i) {
        return appliedHash.get(i);
    }

    int leaderTerms() {
        return leaderOfTerm.size();
    }

    /** ElectionSafety: at most one leader per term, across all history. */
    void onLeader(long node, long term) {
        Long prev = leaderOfTerm.putIfAbsent(term, node);
        if (prev != null && prev != node) {
            throw new Violation("ElectionSafety", String.format(
                    "two leaders in term %d: node %d and node %d", term, prev, node));
        }
    }

    /**
     * LeaderCompleteness, at election: the new leader of {@code term} holds every entry committed
     * so far (compacted entries are covered by its snapshot, which only holds committed entries).
     */
    void onNewLeader(long node, long term, LogView log) {
        long first = log.firstIndex();
        long last = log.lastIndex();
        for (long i = Math.max(1, first); i <= maxCommitted(); i++) {
            long ct = committedTerm.get((int) i);
            if (ct == 0) {
                continue; // committed index seen only through a snapshot
            }
            long t = i > last ? -2 : log.term(i);
            if (t != ct && t != -1) {
                throw new Violation("LeaderCompleteness", String.format(
                        "node %d became leader of term %d without committed entry %d (term %d); its log has %s",
                        node, term, i, ct, t == -2 ? "no entry there (last index " + last + ")" : "term " + t));
            }
        }
    }

    /**
     * CommitDurability: when a leader commits {@code index}, a majority of the voters of each half
     * of its configuration hold that entry on disk. Here is the deliberate difference from etcd 3.4:
     * the leader's own unpersisted entries must not count.
     */
    void onLeaderCommit(long leader, long term, long index, long entryTerm, long[] incoming, long[] outgoing,
            java.util.function.LongPredicate durable) {
        for (long[] half : new long[][] {incoming, outgoing}) {
            if (half.length == 0) {
                continue;
            }
            int has = 0;
            StringBuilder who = new StringBuilder();
            for (long id : half) {
                if (durable.test(id)) {
                    has++;
                    who.append(' ').append(id);
                }
            }
            if (has <= half.length / 2) {
                throw new Violation("CommitDurability", String.format(
                        "leader %d of term %d committed index %d (term %d) but only voters [%s ] of %s have it on disk",
                        leader, term, index, entryTerm, who.toString(), java.util.Arrays.toString(half)));
            }
        }
    }

    /** LeaderAppendOnly: while leading a term, a node never drops or rewrites entries of its log. */
    void onLeaderLog(long leader, long term, long prevLast, long prevLastTerm, long last, long termNowAtPrevLast) {
        if (last < prevLast || termNowAtPrevLast != prevLastTerm && termNowAtPrevLast != -1) {
            throw new Violation("LeaderAppendOnly", String.format(
                    "leader %d of term %d had last entry %d (term %d); now its last index is %d and entry %d has term %d",
                    leader, term, prevLast, prevLastTerm, last, prevLast, termNowAtPrevLast));
        }
    }

    /** LogMatching: an entry at (index, term) is the same in every log, with the same predecessor term. */
    void onLogEntry(long node, Entry e, long prevTerm) {
        LogKey k = new LogKey(e.getIndex(), e.getTerm());
        LogVal v = new LogVal(e.getTypeValue(), e.getData(), prevTerm);
        LogVal prev = logEntries.putIfAbsent(k, v);
        if (prev == null) {
            return;
        }
        if (prev.type != v.type || !prev.data.equals(v.data)) {
            throw new Violation("LogMatching", String.format(
                    "node %d holds entry (index %d, term %d) with data %s but another log has %s there",
                    node, e.getIndex(), e.getTerm(), show(v.data), show(prev.data)));
        }
        if (prevTerm >= 0 && prev.prevTerm >= 0 && prev.prevTerm != prevTerm) {
            LogVal fixed = prev;
            throw new Violation("LogMatching", String.format(
                    "node %d holds entry (index %d, term %d) preceded by term %d but another log has it preceded by term %d",
                    node, e.getIndex(), e.getTerm(), prevTerm, fixed.prevTerm));
        }
        if (prev.prevTerm < 0 && prevTerm >= 0) {
            logEntries.put(k, v);
        }
    }

    /**
     * A node at term {@code observerTerm} has a commit index covering entry {@code index} of
     * {@code term} (-1: unknown, compacted). CommitAgreement: no two nodes commit different entries
     * at one index. LeaderCompleteness for the current leaders: the entry became committed in some
     * term at most {@code observerTerm} (a node learns commits from its leader of its own term, or
     * from disk with an even later term), so a leader of a term above that must hold it. (A leader
     * of a term between the entry's and the committing one need not: it may have lost its quorum.)
     */
    void onCommitted(long node, long observerTerm, long index, long term,
            Map<Long, Map.Entry<Long, LogView>> leaders) {
        while (committedTerm.size() <= index) {
            committedTerm.add(0L);
        }
        long known = committedTerm.get((int) index);
        if (term <= 0) {
            return;
        }
        if (known == 0) {
            committedTerm.set((int) index, term);
            for (Map.Entry<Long, Map.Entry<Long, LogView>> l : leaders.entrySet()) {
                long lterm = l.getValue().getKey();
                LogView lv = l.getValue().getValue();
                if (lterm > observerTerm && index >= lv.firstIndex()) {
                    long t = index > lv.lastIndex() ? -2 : lv.term(index);
                    if (t != term && t != -1) {
                        throw new Violation("LeaderCompleteness", String.format(
                                "entry %d (term %d) committed on node %d at term %d is missing from leader %d of later term %d (has term %d)",
                                index, term, node, observerTerm, l.getKey(), lterm, t));
                    }
                }
            }
        } else if (known != term) {
            throw new Violation("CommitAgreement", String.format(
                    "node %d committed entry %d with term %d but term %d was committed there before",
                    node, index, term, known));
        }
    }

    /**
     * StateMachineSafety and Durability of applied entries: node applies {@code e} right after
     * {@code prevApplied}; it must be the next index, and the same entry any node ever applied there.
     */
    void onApply(long node, long prevApplied, Entry e, long hashAfter) {
        if (e.getIndex() != prevApplied + 1) {
            throw new Violation("StateMachineSafety", String.format(
                    "node %d applied index %d right after %d (gap or repeat)", node, e.getIndex(), prevApplied));
        }
        int i = (int) e.getIndex();
        while (appliedEntry.size() <= i) {
            appliedEntry.add(null);
        }
        Entry first = appliedEntry.get(i);
        if (first == null) {
            appliedEntry.set(i, e);
            appliedHash.put(e.getIndex(), hashAfter);
            return;
        }
        if (first.getTerm() != e.getTerm() || !first.getData().equals(e.getData())
                || first.getType() != e.getType()) {
            throw new Violation("StateMachineSafety", String.format(
                    "node %d applied %s at index %d (term %d) but %s (term %d) was applied there before",
                    node, show(e.getData()), i, e.getTerm(), show(first.getData()), first.getTerm()));
        }
        Long h = appliedHash.get(e.getIndex());
        if (h != null && h != hashAfter) {
            throw new Violation("StateMachineSafety", String.format(
                    "node %d state after index %d differs from another node's (hash %x vs %x)", node, i, hashAfter, h));
        }
    }

    /** A snapshot installed at {@code index} must carry the state any node had after applying it. */
    void onApplySnapshot(long node, long index, long hash) {
        Long h = appliedHash.get(index);
        if (h == null) {
            appliedHash.put(index, hash);
        } else if (h != hash) {
            throw new Violation("StateMachineSafety", String.format(
                    "node %d installed a snapshot at index %d whose state (hash %x) differs from the applied one (%x)",
                    node, index, hash, h));
        }
    }

    /** Monotonic commit/applied within one life of a node; a restart may only fall back to what is durable. */
    void onIndexMoved(String what, long node, long before, long after, long durableFloor) {
        if (after < before) {
            throw new Violation("Monotonic" + what, String.format(
                    "node %d %s index went back from %d to %d", node, what.toLowerCase(), before, after));
        }
        if (after < durableFloor) {
            throw new Violation("Monotonic" + what, String.format(
                    "node %d %s index %d is below its durable %d", node, what.toLowerCase(), after, durableFloor));
        }
    }

    /**
     * HardStateDurability: what a node persists never moves term or commit back and never changes a
     * vote already cast in a term, across crashes (so a restarted node cannot vote twice).
     */
    void onPersistHardState(long node, HardState hs) {
        HardState old = durableHardState.get(node);
        if (old != null) {
            if (hs.getTerm() < old.getTerm()) {
                throw new Violation("HardStateDurability", String.format(
                        "node %d persisted term %d after term %d", node, hs.getTerm(), old.getTerm()));
            }
            if (hs.getTerm() == old.getTerm() && old.getVote() != 0 && hs.getVote() != old.getVote()) {
                throw new Violation("HardStateDurability", String.format(
                        "node %d voted for %d and then %d in term %d", node, old.getVote(), hs.getVote(), hs.getTerm()));
            }
            if (hs.getCommit() < old.getCommit()) {
                throw new Violation("HardStateDurability", String.format(
                        "node %d persisted commit %d after commit %d", node, hs.getCommit(), old.getCommit()));
            }
        }
        durableHardState.put(node, hs);
    }

    void onReadRequest(ByteString ctx) {
        readRequests.put(ctx, maxCommitted());
    }

    /** ReadIndexSafety: a read index is at least every commit index observed before the read was asked. */
    void onReadState(long node, long index, ByteString ctx) {
        Long floor = readRequests.get(ctx);
        if (floor == null) {
            throw new Violation("ReadIndexSafety", String.format(
                    "node %d got a read state for unknown request %s", node, show(ctx)));
        }
        if (index < floor) {
            throw new Violation("ReadIndexSafety", String.format(
                    "node %d got read index %d for request %s, but %d was already committed when it was issued",
                    node, index, show(ctx), floor));
        }
    }

    static String show(ByteString b) {
        if (b.isEmpty()) {
            return "<empty>";
        }
        String s = b.toStringUtf8();
        return s.length() > 40 ? '"' + s.substring(0, 40) + "...\"" : '"' + s + '"';
    }
}
