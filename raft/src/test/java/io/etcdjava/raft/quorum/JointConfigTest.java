package io.etcdjava.raft.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class JointConfigTest {

    @Test
    void idsIsTheSortedUnionOfBothHalves() {
        JointConfig j = new JointConfig(MajorityConfig.of(1, 5, 3), MajorityConfig.of(4, 1, 2, 9));
        assertThat(j.ids()).containsExactly(1, 2, 3, 4, 5, 9);
    }

    @Test
    void isJointOnlyWhenOutgoingIsNonEmpty() {
        assertThat(new JointConfig(MajorityConfig.of(1), MajorityConfig.empty()).isJoint()).isFalse();
        assertThat(new JointConfig(MajorityConfig.of(1), MajorityConfig.of(1)).isJoint()).isTrue();
    }

    @Test
    void containsChecksBothHalves() {
        JointConfig j = new JointConfig(MajorityConfig.of(1), MajorityConfig.of(2));
        assertThat(j.contains(1)).isTrue();
        assertThat(j.contains(2)).isTrue();
        assertThat(j.contains(3)).isFalse();
    }

    @Test
    void toStringShowsOutgoingHalfOnlyWhenJoint() {
        assertThat(new JointConfig(MajorityConfig.of(1, 2, 3), MajorityConfig.of(1, 2, 4)))
                .hasToString("(1 2 3)&&(1 2 4)");
        assertThat(new JointConfig(MajorityConfig.of(1, 2, 3), MajorityConfig.empty())).hasToString("(1 2 3)");
    }

    @Test
    void committedIndexIsTheMinimumOfBothHalves() {
        JointConfig j = new JointConfig(MajorityConfig.of(1, 2, 3), MajorityConfig.of(4, 5, 6));
        // incoming commits 20 (2 of 1,2,3 at >= 20); outgoing commits 5.
        Map<Long, Long> acked = Map.of(1L, 30L, 2L, 20L, 3L, 1L, 4L, 5L, 5L, 5L, 6L, 100L);
        assertThat(j.committedIndex(id -> acked.getOrDefault(id, 0L))).isEqualTo(5);
    }

    @Test
    void voteIsLostWhenEitherHalfLoses() {
        JointConfig j = new JointConfig(MajorityConfig.of(1, 2, 3), MajorityConfig.of(4, 5, 6));
        assertThat(j.voteResult(Map.of(1L, true, 2L, true, 4L, false, 5L, false))).isEqualTo(VoteResult.LOST);
    }

    @Test
    void voteIsPendingWhenOneHalfWonAndTheOtherIsUndecided() {
        JointConfig j = new JointConfig(MajorityConfig.of(1, 2, 3), MajorityConfig.of(4, 5, 6));
        assertThat(j.voteResult(Map.of(1L, true, 2L, true, 4L, true))).isEqualTo(VoteResult.PENDING);
    }

    @Test
    void equalityIsByBothHalves() {
        JointConfig a = new JointConfig(MajorityConfig.of(1, 2), MajorityConfig.of(3));
        assertThat(a).isEqualTo(new JointConfig(MajorityConfig.of(2, 1), MajorityConfig.of(3)));
        assertThat(a.hashCode()).isEqualTo(new JointConfig(MajorityConfig.of(2, 1), MajorityConfig.of(3)).hashCode());
        assertThat(a).isNotEqualTo(new JointConfig(MajorityConfig.of(3), MajorityConfig.of(1, 2)));
    }
}
