package io.etcdjava.testing.check;

import java.util.Map;
import java.util.Objects;

/**
 * The sequential specification of one key: a register holding a value or nothing. CAS by mod
 * revision is turned into CAS by value, which is exact because every write in a history writes a
 * value of its own, so a revision names one value ({@code valueAtRevision}, learned from every
 * response that reported a value with its revision). Indeterminate operations have no outputs
 * to check, so any state accepts them.
 */
final class KvModel {
    /** Returned by {@link #step} when the operation's outputs are impossible in that state. */
    static final String ILLEGAL = new String("<illegal>");

    private final Map<Long, String> valueAtRevision;

    KvModel(Map<Long, String> valueAtRevision) {
        this.valueAtRevision = valueAtRevision;
    }

    /** Whether {@code op}'s mod-revision compare can be decided (its revision was seen with a value). */
    boolean decidable(Op op) {
        return op.kind() != OpKind.CAS || op.expectModRev() <= 0 || valueAtRevision.containsKey(op.expectModRev());
    }

    /** The state after {@code op} in {@code state} (null = absent), or {@link #ILLEGAL}. */
    String step(String state, Op op) {
        boolean known = op.completed();
        return switch (op.kind()) {
            case PUT -> op.value();
            case GET -> Objects.equals(state, op.readValue()) ? state : ILLEGAL;
            case DELETE -> known && op.succeeded() != (state != null) ? ILLEGAL : null;
            case CAS -> {
                String expected = op.expectModRev() > 0 ? valueAtRevision.get(op.expectModRev())
                        : op.expectModRev() == 0 ? null : op.expectValue();
                boolean holds = Objects.equals(state, expected);
                if (known && holds != op.succeeded()) {
                    yield ILLEGAL;
                }
                yield holds ? op.value() : state;
            }
            case LEASE_GRANT, LEASE_KEEPALIVE -> state;
        };
    }
}
