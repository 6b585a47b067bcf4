package io.etcdjava.raft.quorum;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * Immutable pair of majority configs that must both agree; the outgoing half is empty unless a
 * joint-consensus transition is in progress.
 */
public final class JointConfig {
    private final MajorityConfig incoming;
    private final MajorityConfig outgoing;

    public JointConfig(MajorityConfig incoming, MajorityConfig outgoing) {
        this.incoming = Objects.requireNonNull(incoming, "incoming");
        this.outgoing = Objects.requireNonNull(outgoing, "outgoing");
    }

    public MajorityConfig incoming() {
        return incoming;
    }

    public MajorityConfig outgoing() {
        return outgoing;
    }

    public boolean isJoint() {
        return !outgoing.isEmpty();
    }

    /** Returns the sorted union of both halves. */
    public long[] ids() {
        long[] a = incoming.ids();
        long[] b = outgoing.ids();
        if (b.length == 0) {
            return a;
        }
        long[] out = new long[a.length + b.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < a.length || j < b.length) {
            if (j == b.length || (i < a.length && a[i] < b[j])) {
                out[n++] = a[i++];
            } else if (i == a.length || b[j] < a[i]) {
                out[n++] = b[j++];
            } else {
                out[n++] = a[i++];
                j++;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    public boolean contains(long id) {
        return incoming.contains(id) || outgoing.contains(id);
    }

    /** An index is committed only once both halves have committed it. */
    public long committedIndex(AckedIndexer acked) {
        return Math.min(incoming.committedIndex(acked), outgoing.committedIndex(acked));
    }

    /** Both halves must win; a loss in either half is final. */
    public VoteResult voteResult(Map<Long, Boolean> votes) {
        VoteResult r1 = incoming.voteResult(votes);
        VoteResult r2 = outgoing.voteResult(votes);
        if (r1 == r2) {
            return r1;
        }
        if (r1 == VoteResult.LOST || r2 == VoteResult.LOST) {
            return VoteResult.LOST;
        }
        return VoteResult.PENDING;
    }

    @Override
    public boolean equals(Object o) {
        return this == o
                || (o instanceof JointConfig j && incoming.equals(j.incoming) && outgoing.equals(j.outgoing));
    }

    @Override
    public int hashCode() {
        return 31 * incoming.hashCode() + outgoing.hashCode();
    }

    /** Formats as {@code (1 2 3)&&(1 2 4)} when joint, otherwise just the incoming half. */
    @Override
    public String toString() {
        return isJoint() ? incoming + "&&" + outgoing : incoming.toString();
    }
}
