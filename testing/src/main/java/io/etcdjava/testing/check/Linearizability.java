package io.etcdjava.testing.check;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a KV history for linearizability, one key at a time (a history is linearizable iff each
 * key's sub-history is), with the Wing &amp; Gong / Lowe search as porcupine does it: walk the
 * calls and returns in time order, linearize a pending call whenever the model allows it, back
 * up at a return whose call is not yet linearized, and never revisit a (linearized set, state)
 * pair. Indeterminate operations return at +∞, so they may take effect anywhere after their call
 * or — linearized last — not at all. Each key gets a time budget; running out gives
 * {@link Outcome#UNKNOWN}, never a hang. Keys written with a lease are left out: their expiry is
 * not an operation of the history (the lease checker judges them).
 */
public final class Linearizability {
    public enum Outcome { OK, ILLEGAL, UNKNOWN }

    /** The verdict on one key. */
    public record KeyResult(String key, Outcome outcome, int ops, String detail) {
    }

    /** The verdict on a history: every key's, and the violations among them. */
    public record Result(List<KeyResult> keys, List<Violation> violations) {
        public long count(Outcome o) {
            return keys.stream().filter(k -> k.outcome() == o).count();
        }
    }

    private final Duration budgetPerKey;

    public Linearizability(Duration budgetPerKey) {
        this.budgetPerKey = budgetPerKey;
    }

    public Result check(List<Op> history) {
        Map<Long, String> valueAtRevision = new HashMap<>();
        Map<String, Long> revisionOfValue = new HashMap<>();
        Set<String> leased = new HashSet<>();
        Map<String, List<Op>> byKey = new LinkedHashMap<>();
        for (Op op : history) {
            if (op.kind() == OpKind.LEASE_GRANT || op.kind() == OpKind.LEASE_KEEPALIVE) {
                continue;
            }
            if (op.lease() != 0) {
                leased.add(op.key());
            }
            if (op.appliedWrite() && op.value() != null && op.revision() > 0) {
                valueAtRevision.put(op.revision(), op.value());
                revisionOfValue.put(op.value(), op.revision());
            }
            if (op.kind() == OpKind.GET && op.completed() && op.readValue() != null) {
                valueAtRevision.putIfAbsent(op.readModRev(), op.readValue());
            }
            // a read whose outcome is unknown said nothing and changed nothing
            if (op.kind() != OpKind.GET || op.completed()) {
                byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
            }
        }
        List<Violation> violations = new ArrayList<>();
        List<KeyResult> results = new ArrayList<>();
        KvModel model = new KvModel(valueAtRevision);
        for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
            if (leased.contains(e.getKey())) {
                continue;
            }
            for (Op op : e.getValue()) {
                if (op.kind() == OpKind.GET && op.completed() && op.readValue() != null) {
                    Long written = revisionOfValue.get(op.readValue());
                    if (written != null && written != op.readModRev()) {
                        violations.add(new Violation("linearizability", e.getKey(), op + " read mod revision "
                                + op.readModRev() + " but the write of that value was acknowledged at " + written));
                    }
                }
            }
            KeyResult r = checkKey(e.getKey(), e.getValue(), model);
            results.add(r);
            if (r.outcome() == Outcome.ILLEGAL) {
                violations.add(new Violation("linearizability", e.getKey(), r.detail()));
            }
        }
        return new Result(results, violations);
    }

    KeyResult checkKey(String key, List<Op> ops, KvModel model) {
        for (Op op : ops) {
            if (!model.decidable(op)) {
                return new KeyResult(key, Outcome.UNKNOWN, ops.size(),
                        "mod revision " + op.expectModRev() + " of " + op + " was never seen with a value");
            }
        }
        return new Search(key, ops, model, System.nanoTime() + budgetPerKey.toNanos()).run();
    }

    /** One key's search over a doubly linked list of call/return events (index 0 is the head). */
    private static final class Search {
        private final String key;
        private final List<Op> ops;
        private final KvModel model;
        private final long deadline;
        private final int[] next;
        private final int[] prev;
        private final int[] opOf;       // node → op index
        private final boolean[] isCall;
        private final int[] returnOf;   // call node → its return node

        Search(String key, List<Op> ops, KvModel model, long deadline) {
            this.key = key;
            this.ops = ops;
            this.model = model;
            this.deadline = deadline;
            int n = ops.size();
            record Ev(int op, boolean call, long time) {
            }
            List<Ev> evs = new ArrayList<>(2 * n);
            for (int i = 0; i < n; i++) {
                evs.add(new Ev(i, true, ops.get(i).invokeNanos()));
                evs.add(new Ev(i, false, ops.get(i).completeNanos()));
            }
            // at equal times calls go first: touching operations count as concurrent
            evs.sort(Comparator.comparingLong(Ev::time).thenComparing(ev -> !ev.call()));
            next = new int[2 * n + 1];
            prev = new int[2 * n + 1];
            opOf = new int[2 * n + 1];
            isCall = new boolean[2 * n + 1];
            returnOf = new int[2 * n + 1];
            int[] callNode = new int[n];
            for (int i = 0; i < evs.size(); i++) {
                int node = i + 1;
                Ev ev = evs.get(i);
                opOf[node] = ev.op();
                isCall[node] = ev.call();
                if (ev.call()) {
                    callNode[ev.op()] = node;
                } else {
                    returnOf[callNode[ev.op()]] = node;
                }
                prev[node] = node - 1;
                next[node - 1] = node;
                next[node] = 0;
            }
        }

        private void lift(int call) {
            next[prev[call]] = next[call];
            if (next[call] != 0) {
                prev[next[call]] = prev[call];
            }
            int ret = returnOf[call];
            next[prev[ret]] = next[ret];
            if (next[ret] != 0) {
                prev[next[ret]] = prev[ret];
            }
        }

        private void unlift(int call) {
            int ret = returnOf[call];
            next[prev[ret]] = ret;
            if (next[ret] != 0) {
                prev[next[ret]] = ret;
            }
            next[prev[call]] = call;
            if (next[call] != 0) {
                prev[next[call]] = call;
            }
        }

        KeyResult run() {
            record Memo(BitSet linearized, String state) {
            }
            record Frame(int node, String state) {
            }
            int n = ops.size();
            int determinate = 0;
            for (Op op : ops) {
                determinate += op.completed() ? 1 : 0;
            }
            Set<Memo> seen = new HashSet<>();
            ArrayDeque<Frame> stack = new ArrayDeque<>();
            BitSet linearized = new BitSet(n);
            String state = null;
            int remaining = determinate;
            int deepest = 0;
            BitSet deepestSet = new BitSet(n);
            long steps = 0;
            int entry = next[0];
            while (next[0] != 0 && remaining > 0) {
                if ((++steps & 1023) == 0 && System.nanoTime() > deadline) {
                    return new KeyResult(key, Outcome.UNKNOWN, n, "search budget exhausted after " + steps
                            + " steps, " + seen.size() + " states, deepest " + deepest + "/" + n);
                }
                if (isCall[entry]) {
                    int i = opOf[entry];
                    String after = model.step(state, ops.get(i));
                    if (after != KvModel.ILLEGAL) {
                        linearized.set(i);
                        if (seen.add(new Memo((BitSet) linearized.clone(), after))) {
                            stack.push(new Frame(entry, state));
                            state = after;
                            remaining -= ops.get(i).completed() ? 1 : 0;
                            if (stack.size() > deepest) {
                                deepest = stack.size();
                                deepestSet = (BitSet) linearized.clone();
                            }
                            lift(entry);
                            entry = next[0];
                            continue;
                        }
                        linearized.clear(i);
                    }
                    entry = next[entry];
                } else {
                    if (stack.isEmpty()) {
                        return new KeyResult(key, Outcome.ILLEGAL, n, explain(deepest, deepestSet));
                    }
                    Frame f = stack.pop();
                    int i = opOf[f.node()];
                    linearized.clear(i);
                    remaining += ops.get(i).completed() ? 1 : 0;
                    state = f.state();
                    unlift(f.node());
                    entry = next[f.node()];
                }
            }
            return new KeyResult(key, Outcome.OK, n, "");
        }

        /** The deepest partial linearization and the completed operations it could not place. */
        private String explain(int deepest, BitSet deepestSet) {
            List<Op> stuck = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) {
                if (!deepestSet.get(i) && ops.get(i).completed()) {
                    stuck.add(ops.get(i));
                }
            }
            stuck.sort(Comparator.comparingLong(Op::invokeNanos));
            return "not linearizable: at most " + deepest + " of " + ops.size()
                    + " operations linearize; first unplaced: " + stuck.subList(0, Math.min(3, stuck.size()));
        }
    }
}
