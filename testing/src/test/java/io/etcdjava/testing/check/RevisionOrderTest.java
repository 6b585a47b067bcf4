package io.etcdjava.testing.check;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RevisionOrderTest {
    @Test
    void aReadOfAnotherKeyAtAnOlderRevisionAfterAWriteCompletedIsCaught() {
        H h = new H().put(1, "a", "v1", 0, 1, 10).get(2, "b", null, 0, 2, 3, 8);
        assertThat(RevisionOrder.check(h.ops())).singleElement()
                .satisfies(v -> assertThat(v.detail()).contains("saw revision 8"));
    }

    @Test
    void concurrentOperationsMayCompleteWithRevisionsInAnyOrder() {
        H h = new H().put(1, "a", "v1", 0, 10, 10).get(2, "b", null, 0, 1, 11, 9).put(3, "c", "w", 12, 13, 11)
                .get(2, "a", "v1", 10, 14, 15, 11);
        assertThat(RevisionOrder.check(h.ops())).isEmpty();
    }

    @Test
    void twoWritesAtOneRevisionAreCaught() {
        H h = new H().put(1, "a", "v1", 0, 10, 10).put(2, "b", "w1", 0, 10, 10);
        assertThat(RevisionOrder.check(h.ops())).singleElement()
                .satisfies(v -> assertThat(v.detail()).contains("share a revision"));
    }

    @Test
    void aWriteAfterACompletedReadMustGetANewerRevision() {
        H h = new H().get(1, "a", null, 0, 0, 1, 5).put(2, "b", "w1", 2, 3, 5);
        assertThat(RevisionOrder.check(h.ops())).singleElement()
                .satisfies(v -> assertThat(v.detail()).contains("not newer"));
    }

    @Test
    void indeterminateOperationsSayNothingAboutRevisions() {
        H h = new H().put(1, "a", "v1", 0, 1, 10).putLost(2, "b", "w1", 2).get(2, "a", "v1", 10, 3, 4, 10);
        assertThat(RevisionOrder.check(h.ops())).isEmpty();
    }
}
