package io.etcdjava.testing.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Revision monotonicity across members: the store's revision is one global counter, so an
 * operation invoked after another completed (in real time, whichever members served them) must
 * not see an older revision, and a write after it must get a newer one; no two applied writes
 * share a revision. Catches stale reads across keys that per-key linearizability cannot see.
 */
public final class RevisionOrder {
    private RevisionOrder() {
    }

    public static List<Violation> check(List<Op> history) {
        List<Violation> out = new ArrayList<>();
        Map<Long, Op> writeAt = new HashMap<>();
        List<Op> known = new ArrayList<>();
        for (Op op : history) {
            if (!op.completed() || op.revision() <= 0) {
                continue;
            }
            known.add(op);
            if (op.appliedWrite()) {
                Op other = writeAt.putIfAbsent(op.revision(), op);
                if (other != null) {
                    out.add(new Violation("revision", "rev " + op.revision(),
                            "two applied writes share a revision: " + other + " and " + op));
                }
            }
        }
        List<Op> byComplete = new ArrayList<>(known);
        byComplete.sort(Comparator.comparingLong(Op::completeNanos));
        List<Op> byInvoke = new ArrayList<>(known);
        byInvoke.sort(Comparator.comparingLong(Op::invokeNanos));
        int done = 0;
        Op newest = null;
        for (Op b : byInvoke) {
            while (done < byComplete.size() && byComplete.get(done).completeNanos() < b.invokeNanos()) {
                Op a = byComplete.get(done++);
                if (newest == null || a.revision() > newest.revision()) {
                    newest = a;
                }
            }
            if (newest == null) {
                continue;
            }
            if (b.revision() < newest.revision()) {
                out.add(new Violation("revision", "c" + b.client(), b + " saw revision " + b.revision()
                        + " after " + newest + " had completed at revision " + newest.revision()));
            } else if (b.appliedWrite() && b.revision() == newest.revision()) {
                out.add(new Violation("revision", "c" + b.client(), "write " + b + " got revision " + b.revision()
                        + ", not newer than " + newest + " which completed before it began"));
            }
        }
        return out;
    }
}
