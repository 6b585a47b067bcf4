package io.etcdjava.testing.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs every checker over one history and gathers the verdict. */
public final class Checks {
    /** Everything found, plus how much of the KV history the linearizability search could decide. */
    public record Verdict(List<Violation> violations, long keysChecked, long keysUnknown,
                          List<Linearizability.KeyResult> unknown) {
        public boolean ok() {
            return violations.isEmpty();
        }
    }

    private final Duration budgetPerKey;
    private final Duration leaseBound;
    private final boolean contiguousWatch;

    /**
     * @param budgetPerKey    linearizability search time per key before it answers "unknown"
     * @param leaseBound      how long past its TTL a leased key may still be read
     * @param contiguousWatch whether the watchers cover every key written (see {@link WatchGuarantees})
     */
    public Checks(Duration budgetPerKey, Duration leaseBound, boolean contiguousWatch) {
        this.budgetPerKey = budgetPerKey;
        this.leaseBound = leaseBound;
        this.contiguousWatch = contiguousWatch;
    }

    public Verdict check(History h) {
        List<Violation> v = new ArrayList<>();
        List<Op> resolved = WatchResolution.resolve(h.ops(), h.events(), h.segments());
        Linearizability.Result lin = new Linearizability(budgetPerKey).check(resolved);
        v.addAll(lin.violations());
        v.addAll(RevisionOrder.check(h.ops()));
        v.addAll(WatchGuarantees.check(h.ops(), h.segments(), h.events(), contiguousWatch));
        v.addAll(LeaseSafety.check(h.ops(), h.events(), leaseBound));
        List<Linearizability.KeyResult> unknown = lin.keys().stream()
                .filter(k -> k.outcome() == Linearizability.Outcome.UNKNOWN).toList();
        return new Verdict(v, lin.keys().size(), unknown.size(), unknown);
    }
}
