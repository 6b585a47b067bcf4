package io.etcdjava.raft.quorum;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/** Immutable set of voter ids that makes decisions by simple majority. */
public final class MajorityConfig {
    private static final MajorityConfig EMPTY = new MajorityConfig(new long[0]);

    /** Sorted, duplicate-free; never exposed so the instance stays immutable. */
    private final long[] ids;

    private MajorityConfig(long[] sortedUniqueIds) {
        this.ids = sortedUniqueIds;
    }

    public static MajorityConfig empty() {
        return EMPTY;
    }

    public static MajorityConfig of(long... ids) {
        return fromUnsorted(ids.clone());
    }

    public static MajorityConfig of(Collection<Long> ids) {
        long[] a = new long[ids.size()];
        int i = 0;
        for (Long id : ids) {
            a[i++] = id;
        }
        return fromUnsorted(a);
    }

    private static MajorityConfig fromUnsorted(long[] a) {
        if (a.length == 0) {
            return EMPTY;
        }
        Arrays.sort(a);
        int n = 1;
        for (int i = 1; i < a.length; i++) {
            if (a[i] != a[n - 1]) {
                a[n++] = a[i];
            }
        }
        return new MajorityConfig(n == a.length ? a : Arrays.copyOf(a, n));
    }

    public boolean contains(long id) {
        return Arrays.binarySearch(ids, id) >= 0;
    }

    public int size() {
        return ids.length;
    }

    public boolean isEmpty() {
        return ids.length == 0;
    }

    /** Returns a sorted copy of the voter ids. */
    public long[] ids() {
        return ids.clone();
    }

    /**
     * Returns the largest index acknowledged by a majority of the voters. The empty config returns
     * {@link Long#MAX_VALUE} so that, inside a joint config, it never holds back the other half.
     */
    public long committedIndex(AckedIndexer acked) {
        int n = ids.length;
        if (n == 0) {
            return Long.MAX_VALUE;
        }
        if (n == 1) {
            return acked.ackedIndex(ids[0]);
        }
        // One small primitive array per call; insertion sort beats Arrays.sort for the usual n <= 7.
        long[] srt = new long[n];
        for (int i = 0; i < n; i++) {
            long v = acked.ackedIndex(ids[i]);
            int j = i;
            while (j > 0 && srt[j - 1] > v) {
                srt[j] = srt[j - 1];
                j--;
            }
            srt[j] = v;
        }
        // The value at this position (ascending order) is acked by exactly n/2+1 voters or more.
        return srt[n - (n / 2 + 1)];
    }

    /**
     * Tallies {@code votes} (absent entries are votes not yet cast). The empty config wins by
     * convention, which lets a joint config with an empty half behave like a plain majority.
     */
    public VoteResult voteResult(Map<Long, Boolean> votes) {
        int n = ids.length;
        if (n == 0) {
            return VoteResult.WON;
        }
        int yes = 0;
        int missing = 0;
        for (long id : ids) {
            Boolean v = votes.get(id);
            if (v == null) {
                missing++;
            } else if (v) {
                yes++;
            }
        }
        int quorum = n / 2 + 1;
        if (yes >= quorum) {
            return VoteResult.WON;
        }
        if (yes + missing >= quorum) {
            return VoteResult.PENDING;
        }
        return VoteResult.LOST;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof MajorityConfig m && Arrays.equals(ids, m.ids));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids);
    }

    /** Formats as {@code (1 2 3)}, ids printed as unsigned like etcd's uint64. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(2 + ids.length * 4).append('(');
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(Long.toUnsignedString(ids[i]));
        }
        return sb.append(')').toString();
    }
}
