package io.etcdjava.raft.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdjava.raft.quorum.JointConfig;
import io.etcdjava.raft.quorum.MajorityConfig;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrackerConfigTest {

    private static JointConfig voters(MajorityConfig in, MajorityConfig out) {
        return new JointConfig(in, out);
    }

    @Test
    void toStringMatchesEtcdFormat() {
        TrackerConfig c = new TrackerConfig(voters(MajorityConfig.of(1, 2), MajorityConfig.of(1)), true,
                Set.of(3L), Set.of(4L));
        assertThat(c).hasToString("voters=(1 2)&&(1) learners=(3) learners_next=(4) autoleave");
    }

    @Test
    void toStringOmitsEmptyLearnerSetsAndFalseAutoLeave() {
        TrackerConfig c = new TrackerConfig(voters(MajorityConfig.of(1), MajorityConfig.empty()), false,
                Set.of(), Set.of());
        assertThat(c).hasToString("voters=(1)");
        assertThat(TrackerConfig.empty()).hasToString("voters=()");
    }

    @Test
    void learnerSetsAreSortedUnmodifiableCopies() {
        Set<Long> learners = new HashSet<>(Set.of(9L, 3L, 5L));
        TrackerConfig c = new TrackerConfig(voters(MajorityConfig.of(1), MajorityConfig.empty()), false,
                learners, Set.of());
        learners.add(11L);
        assertThat(c.learners()).containsExactly(3L, 5L, 9L);
        assertThatThrownBy(() -> c.learners().add(1L)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> c.learnersNext().add(1L)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void equalityIsByValue() {
        TrackerConfig a = new TrackerConfig(voters(MajorityConfig.of(1, 2), MajorityConfig.of(1)), true,
                Set.of(3L), Set.of(4L));
        TrackerConfig b = new TrackerConfig(voters(MajorityConfig.of(2, 1), MajorityConfig.of(1)), true,
                new HashSet<>(Set.of(3L)), Set.of(4L));
        assertThat(a).isEqualTo(b);
        assertThat(a.hashCode()).isEqualTo(b.hashCode());
        assertThat(a).isNotEqualTo(new TrackerConfig(a.voters(), false, a.learners(), a.learnersNext()));
    }

    @Test
    void emptyHasNoMembers() {
        TrackerConfig e = TrackerConfig.empty();
        assertThat(e.voters().ids()).isEmpty();
        assertThat(e.voters().isJoint()).isFalse();
        assertThat(e.learners()).isEmpty();
        assertThat(e.learnersNext()).isEmpty();
        assertThat(e.autoLeave()).isFalse();
    }
}
