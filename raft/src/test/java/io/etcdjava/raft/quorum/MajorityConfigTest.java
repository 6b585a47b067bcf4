package io.etcdjava.raft.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MajorityConfigTest {

    @Test
    void ofSortsAndDeduplicates() {
        MajorityConfig c = MajorityConfig.of(3, 1, 2, 3, 1);
        assertThat(c.ids()).containsExactly(1, 2, 3);
        assertThat(c.size()).isEqualTo(3);
        assertThat(c).isEqualTo(MajorityConfig.of(List.of(2L, 3L, 1L)));
        assertThat(c.hashCode()).isEqualTo(MajorityConfig.of(1, 2, 3).hashCode());
    }

    @Test
    void idsReturnsADefensiveCopy() {
        MajorityConfig c = MajorityConfig.of(1, 2);
        c.ids()[0] = 99;
        assertThat(c.ids()).containsExactly(1, 2);
        assertThat(c.contains(1)).isTrue();
        assertThat(c.contains(99)).isFalse();
    }

    @Test
    void emptyConfigIsEmptyAndPrintsAsEmptyParens() {
        assertThat(MajorityConfig.empty().isEmpty()).isTrue();
        assertThat(MajorityConfig.of()).isEqualTo(MajorityConfig.empty());
        assertThat(MajorityConfig.empty()).hasToString("()");
    }

    @Test
    void toStringListsSortedIdsSeparatedBySpaces() {
        assertThat(MajorityConfig.of(3, 1, 2)).hasToString("(1 2 3)");
    }

    @Test
    void emptyConfigCommitsEverything() {
        assertThat(MajorityConfig.empty().committedIndex(id -> 5)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void emptyConfigWinsEveryVote() {
        assertThat(MajorityConfig.empty().voteResult(Map.of())).isEqualTo(VoteResult.WON);
    }

    @Test
    void votesOfNonMembersAreIgnored() {
        Map<Long, Boolean> votes = Map.of(7L, true, 8L, true, 1L, true);
        assertThat(MajorityConfig.of(1, 2, 3).voteResult(votes)).isEqualTo(VoteResult.PENDING);
    }

    @Test
    void committedIndexWorksBeyondSevenVoters() {
        MajorityConfig c = MajorityConfig.of(1, 2, 3, 4, 5, 6, 7, 8, 9);
        // Acked indexes 10..90; the 5th largest (quorum of 9) is 50.
        assertThat(c.committedIndex(id -> id * 10)).isEqualTo(50);
    }

    @Test
    void committedIndexAgreesWithBruteForceOnRandomInputs() {
        Random rnd = new Random(42);
        for (int iter = 0; iter < 20_000; iter++) {
            int n = rnd.nextInt(10);
            long[] ids = new long[n];
            Map<Long, Long> acked = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                ids[i] = 1 + rnd.nextInt(2 * n);
                if (rnd.nextInt(4) > 0) {
                    acked.put(ids[i], (long) rnd.nextInt(n + 1));
                }
            }
            MajorityConfig c = MajorityConfig.of(ids);
            AckedIndexer l = id -> acked.getOrDefault(id, 0L);
            assertThat(c.committedIndex(l)).as("cfg %s acked %s", c, acked)
                    .isEqualTo(QuorumTableTest.naiveCommittedIndex(c, l));
        }
    }
}
