package io.etcdjava.raft.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Cases restated from etcd's quorum/testdata (majority_*.txt and joint_*.txt).
 *
 * <p>Columns: incoming ids | outgoing ids ("-" = plain majority test, "zero" = joint with an empty
 * half) | one value per distinct voter in order of first appearance ("_" = nothing known) | result.
 */
class QuorumTableTest {

    @ParameterizedTest(name = "cfg=({0}) cfgj={1} idx=({2}) -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
        # etcd quorum/testdata/majority_commit.txt
                       | -              |                    | inf
        1              | -              | _                  | 0
        1              | -              | 12                 | 12
        1,2            | -              | _,_                | 0
        1,2            | -              | 12,_               | 0
        1,2            | -              | 12,5               | 5
        1,2,3          | -              | _,_,_              | 0
        1,2,3          | -              | 12,_,_             | 0
        1,2,3          | -              | 12,5,_             | 5
        1,2,3          | -              | 12,5,6             | 6
        1,2,3          | -              | 12,5,4             | 5
        1,2,3          | -              | 5,5,_              | 5
        1,2,3          | -              | 5,5,12             | 5
        1,2,3          | -              | 100,101,103        | 101
        1,2,3,4,5      | -              | 101,104,103,103,_  | 103
        1,2,3,4,5      | -              | 101,102,103,103,_  | 102
        # etcd quorum/testdata/joint_commit.txt
        1,2,3          | zero           | 100,101,99         | 100
        1              | 2              | _,_                | 0
        1              | 2              | 100,_              | 0
        1              | 2              | 13,100             | 13
        1              | 1              | _                  | 0
        1              | 1              | 100                | 100
        1,3            | 2              | _,_,_              | 0
        1,3            | 2              | 100,_,_            | 0
        1,3            | 2              | 100,_,50           | 0
        1,3            | 2              | 100,45,50          | 45
        1,2            | 2              | _,_                | 0
        1,2            | 2              | 100,_              | 0
        1,2            | 2              | _,100              | 0
        1,2            | 2              | 50,100             | 50
        1,2            | 2              | 100,50             | 50
        1,2            | 3,4            | 50,_,_,_           | 0
        1,2            | 3,4            | 50,_,49,_          | 0
        1,2            | 3,4            | 50,48,49,_         | 0
        1,2            | 3,4            | 50,48,49,47        | 47
        1,2            | 2,3            | _,_,_              | 0
        1,2            | 2,3            | 100,_,_            | 0
        1,2            | 2,3            | _,100,_            | 0
        1,2            | 2,3            | _,100,99           | 0
        1,2            | 2,3            | 101,100,99         | 99
        1,2            | 1,2            | _,_                | 0
        1,2            | 1,2            | _,40               | 0
        1,2            | 1,2            | 41,40              | 40
        1,2,3          | 4,5,6          | _,_,_,_,_,_        | 0
        1,2,3          | 4,5,6          | 100,_,_,_,_,_      | 0
        1,2,3          | 4,5,6          | 100,_,_,90,_,_     | 0
        1,2,3          | 4,5,6          | 100,99,_,_,_,_     | 0
        1,2,3          | 4,5,6          | _,99,90,97,95,_    | 90
        1,2,3          | 4,5,6          | 92,99,90,97,95,_   | 92
        1,2,3          | 4,5,6          | 92,99,90,97,95,77  | 92
        1,2,3          | 1,4,5          | _,_,_,_,_          | 0
        1,2,3          | 1,4,5          | 100,_,_,_,_        | 0
        1,2,3          | 1,4,5          | 100,101,_,_,_      | 0
        1,2,3          | 1,4,5          | 100,101,100,_,_    | 0
        1,2,3          | 1,4,5          | _,100,_,99,98      | 0
        1,2,3          | 1,4,5          | _,100,99,99,98     | 98
        1,2,3          | 1,4,5          | 1,100,99,99,98     | 98
        1,2,3          | 1,4,5          | 100,100,99,99,98   | 99
        1,2,3          | 2,3,4          | _,_,_,_            | 0
        1,2,3          | 2,3,4          | _,100,99,_         | 99
        1,2,3          | 2,3,4          | 98,100,99,_        | 99
        1,2,3          | 2,3,4          | 100,100,99,_       | 99
        1,2,3          | 2,3,4          | 100,100,99,98      | 99
        1,2,3          | 2,3,4          | 100,_,_,101        | 0
        1,2,3          | 2,3,4          | 100,99,_,101       | 99
        1,2,3          | 1,2,3          | 50,45,_            | 45
        """)
    void committedIndexMatchesTable(String cfg, String cfgj, String idx, String expected) {
        MajorityConfig c = MajorityConfig.of(parseIds(cfg));
        boolean joint = !"-".equals(cfgj);
        MajorityConfig cj = joint ? MajorityConfig.of(parseIds(cfgj)) : MajorityConfig.empty();
        Map<Long, Long> acked = lookup(idx, c, cj, "_", v -> Long.parseLong(v));
        AckedIndexer l = id -> acked.getOrDefault(id, 0L);
        long want = "inf".equals(expected) ? Long.MAX_VALUE : Long.parseLong(expected);

        if (!joint) {
            long got = c.committedIndex(l);
            assertThat(got).isEqualTo(want);
            assertThat(naiveCommittedIndex(c, l)).as("alternative computation").isEqualTo(want);
            assertThat(new JointConfig(c, MajorityConfig.empty()).committedIndex(l)).as("zero-joint").isEqualTo(want);
            assertThat(new JointConfig(c, c).committedIndex(l)).as("self-joint").isEqualTo(want);
            // Lowering an index that is already below the committed index cannot change it.
            for (long id : c.ids()) {
                long own = l.ackedIndex(id);
                if (want > own && own > 0) {
                    assertThat(c.committedIndex(overlay(l, id, own - 1))).isEqualTo(want);
                    assertThat(c.committedIndex(overlay(l, id, 0))).isEqualTo(want);
                }
            }
        } else {
            assertThat(new JointConfig(c, cj).committedIndex(l)).isEqualTo(want);
            assertThat(new JointConfig(cj, c).committedIndex(l)).as("symmetry").isEqualTo(want);
        }
    }

    @ParameterizedTest(name = "cfg=({0}) cfgj={1} votes=({2}) -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
        # etcd quorum/testdata/majority_vote.txt
                       | -              |                    | WON
        1              | -              | _                  | PENDING
        1              | -              | n                  | LOST
        123            | -              | y                  | WON
        4,8            | -              | _,_                | PENDING
        4,8            | -              | n,_                | LOST
        4,8            | -              | y,_                | PENDING
        4,8            | -              | n,y                | LOST
        4,8            | -              | y,y                | WON
        2,4,7          | -              | _,_,_              | PENDING
        2,4,7          | -              | n,_,_              | PENDING
        2,4,7          | -              | y,_,_              | PENDING
        2,4,7          | -              | n,n,_              | LOST
        2,4,7          | -              | y,n,_              | PENDING
        2,4,7          | -              | y,y,_              | WON
        2,4,7          | -              | y,y,n              | WON
        2,4,7          | -              | n,y,n              | LOST
        1,2,3,4,5,6,7  | -              | y,y,n,y,_,_,_      | PENDING
        1,2,3,4,5,6,7  | -              | _,y,y,_,n,y,n      | PENDING
        1,2,3,4,5,6,7  | -              | y,y,n,y,_,n,y      | WON
        1,2,3,4,5,6,7  | -              | y,y,_,n,y,n,n      | PENDING
        1,2,3,4,5,6,7  | -              | y,y,n,y,n,n,n      | LOST
        # etcd quorum/testdata/joint_vote.txt
                       | zero           |                    | WON
        1              | zero           | _                  | PENDING
        1              | zero           | y                  | WON
        1              | zero           | n                  | LOST
        1              | 1              | _                  | PENDING
        1              | 1              | y                  | WON
        1              | 1              | n                  | LOST
        1              | 2              | _,_                | PENDING
        1              | 2              | y,_                | PENDING
        1              | 2              | y,y                | WON
        1              | 2              | y,n                | LOST
        1              | 2              | n,_                | LOST
        1              | 2              | n,n                | LOST
        1              | 2              | n,y                | LOST
        1,2            | 3,4            | _,_,_,_            | PENDING
        1,2            | 3,4            | y,_,_,_            | PENDING
        1,2            | 3,4            | y,y,_,_            | PENDING
        1,2            | 3,4            | y,y,n,_            | LOST
        1,2            | 3,4            | y,y,n,n            | LOST
        1,2            | 3,4            | y,y,y,n            | LOST
        1,2            | 3,4            | y,y,y,y            | WON
        1,2            | 2,3            | _,_,_              | PENDING
        1,2            | 2,3            | _,n,_              | LOST
        1,2            | 2,3            | y,y,_              | PENDING
        1,2            | 2,3            | y,y,n              | LOST
        1,2            | 2,3            | y,y,y              | WON
        1,2            | 1,2            | _,_                | PENDING
        1,2            | 1,2            | y,_                | PENDING
        1,2            | 1,2            | y,n                | LOST
        1,2            | 1,2            | n,_                | LOST
        1,2            | 1,2            | n,n                | LOST
        1,2,3          | 2,3,4          | _,_,_,_            | PENDING
        1,2,3          | 2,3,4          | _,n,_,_            | PENDING
        1,2,3          | 2,3,4          | _,n,n,_            | LOST
        1,2,3          | 2,3,4          | _,y,y,_            | WON
        1,2,3          | 2,3,4          | y,y,_,_            | PENDING
        1,2,3          | 2,3,4          | y,y,n,_            | PENDING
        1,2,3          | 2,3,4          | y,y,n,n            | LOST
        1,2,3          | 2,3,4          | y,y,n,y            | WON
        """)
    void voteResultMatchesTable(String cfg, String cfgj, String votes, VoteResult expected) {
        MajorityConfig c = MajorityConfig.of(parseIds(cfg));
        boolean joint = !"-".equals(cfgj);
        MajorityConfig cj = joint ? MajorityConfig.of(parseIds(cfgj)) : MajorityConfig.empty();
        Map<Long, Boolean> v = new TreeMap<>(lookup(votes, c, cj, "_", s -> s.equals("y")));

        if (!joint) {
            assertThat(c.voteResult(v)).isEqualTo(expected);
        } else {
            assertThat(new JointConfig(c, cj).voteResult(v)).isEqualTo(expected);
            assertThat(new JointConfig(cj, c).voteResult(v)).as("symmetry").isEqualTo(expected);
        }
    }

    private static List<Long> parseIds(String s) {
        List<Long> out = new ArrayList<>();
        if (s == null || s.equals("zero")) {
            return out;
        }
        for (String t : s.split(",")) {
            out.add(Long.parseLong(t.trim()));
        }
        return out;
    }

    /** Assigns values to voters in order of first appearance (incoming, then outgoing). */
    private static <T> Map<Long, T> lookup(String values, MajorityConfig c, MajorityConfig cj, String absent,
            java.util.function.Function<String, T> parse) {
        List<String> vals = new ArrayList<>();
        if (values != null) {
            for (String t : values.split(",")) {
                vals.add(t.trim());
            }
        }
        LinkedHashMap<Long, String> byVoter = new LinkedHashMap<>();
        int p = 0;
        for (MajorityConfig half : List.of(c, cj)) {
            for (long id : half.ids()) {
                if (!byVoter.containsKey(id)) {
                    byVoter.put(id, vals.get(p++));
                }
            }
        }
        assertThat(p).as("one value per distinct voter").isEqualTo(vals.size());
        Map<Long, T> out = new TreeMap<>();
        byVoter.forEach((id, v) -> {
            if (!v.equals(absent)) {
                out.put(id, parse.apply(v));
            }
        });
        return out;
    }

    private static AckedIndexer overlay(AckedIndexer l, long id, long idx) {
        return i -> i == id ? idx : l.ackedIndex(i);
    }

    /** Largest index acked by a quorum, by brute force over all candidate indexes. */
    static long naiveCommittedIndex(MajorityConfig c, AckedIndexer l) {
        if (c.isEmpty()) {
            return Long.MAX_VALUE;
        }
        long best = 0;
        for (long candidateVoter : c.ids()) {
            long candidate = l.ackedIndex(candidateVoter);
            int n = 0;
            for (long id : c.ids()) {
                if (l.ackedIndex(id) >= candidate) {
                    n++;
                }
            }
            if (n >= c.size() / 2 + 1) {
                best = Math.max(best, candidate);
            }
        }
        return best;
    }
}
