package io.etcdjava.raft.failpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FailpointsTest {
    @Test
    void withoutThePropertyNothingIsArmedAndHitsAreHarmless() {
        assertThat(Failpoints.parse(null)).isEmpty();
        assertThat(Failpoints.parse(" ")).isEmpty();
        Failpoints.hit("walBeforeFsync"); // this JVM was started without -Detcdjava.failpoints
    }

    @Test
    void aSpecNamesPointsAndTheHitThatCrashes() {
        assertThat(Failpoints.parse("walBeforeFsync:crash@3, compactBeforeCommit:crash@1"))
                .containsOnlyKeys("walBeforeFsync", "compactBeforeCommit");
    }

    @Test
    void aMalformedSpecIsRefusedAtStart() {
        assertThatThrownBy(() -> Failpoints.parse("walBeforeFsync=3"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name:crash@N");
    }
}
