package io.etcdjava.testing.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.testing.check.WatchEvent.Type;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WatchGuaranteesTest {
    /** Three acknowledged writes at revisions 2, 3, 4 (put a, put b, delete a). */
    private static final List<Op> HISTORY = new H().put(1, "a", "v1", 0, 1, 2).put(1, "b", "w1", 2, 3, 3)
            .del(1, "a", true, 4, 5, 4).ops();

    private static WatchEvent ev(int watcher, int segment, long rev, String key, String value) {
        return new WatchEvent(watcher, segment, rev, key, value == null ? Type.DELETE : Type.PUT, value,
                value == null ? 0 : rev, rev * 10);
    }

    private static final List<WatchSegment> ONE = List.of(new WatchSegment(1, 0, 2, false));

    private static List<WatchEvent> all() {
        return new ArrayList<>(List.of(ev(1, 0, 2, "a", "v1"), ev(1, 0, 3, "b", "w1"), ev(1, 0, 4, "a", null)));
    }

    @Test
    void aCompleteOrderedStreamPasses() {
        assertThat(WatchGuarantees.check(HISTORY, ONE, all(), true)).isEmpty();
    }

    @Test
    void aGapIsCaught() {
        List<WatchEvent> evs = all();
        evs.remove(1);
        assertThat(WatchGuarantees.check(HISTORY, ONE, evs, true)).extracting(Violation::detail)
                .anySatisfy(d -> assertThat(d).contains("gap"))
                .anySatisfy(d -> assertThat(d).contains("missed the acknowledged write"));
    }

    @Test
    void aMissedAcknowledgedWriteIsCaughtEvenWithoutContiguousRevisions() {
        List<WatchEvent> evs = all();
        evs.remove(1);
        assertThat(WatchGuarantees.check(HISTORY, ONE, evs, false)).extracting(Violation::detail)
                .singleElement().satisfies(d -> assertThat(d).contains("missed the acknowledged write"));
    }

    @Test
    void aDuplicateIsCaught() {
        List<WatchEvent> evs = all();
        evs.add(2, ev(1, 0, 3, "b", "w1"));
        assertThat(WatchGuarantees.check(HISTORY, ONE, evs, true)).extracting(Violation::detail)
                .anySatisfy(d -> assertThat(d).contains("duplicate"));
    }

    @Test
    void aDuplicateAfterReconnectingIsCaught() {
        List<WatchSegment> two = List.of(new WatchSegment(1, 0, 2, false), new WatchSegment(1, 1, 3, false));
        List<WatchEvent> evs = List.of(ev(1, 0, 2, "a", "v1"), ev(1, 0, 3, "b", "w1"), ev(1, 1, 3, "b", "w1"),
                ev(1, 1, 4, "a", null));
        assertThat(WatchGuarantees.check(HISTORY, two, evs, true)).extracting(Violation::detail)
                .singleElement().satisfies(d -> assertThat(d).contains("duplicate event w1/1 @3"));
    }

    @Test
    void aStreamResumedFromTheNextRevisionPasses() {
        List<WatchSegment> two = List.of(new WatchSegment(1, 0, 2, false), new WatchSegment(1, 1, 4, false));
        List<WatchEvent> evs = List.of(ev(1, 0, 2, "a", "v1"), ev(1, 0, 3, "b", "w1"), ev(1, 1, 4, "a", null));
        assertThat(WatchGuarantees.check(HISTORY, two, evs, true)).isEmpty();
    }

    @Test
    void eventsOutOfOrderAreCaught() {
        List<WatchEvent> evs = List.of(ev(1, 0, 3, "b", "w1"), ev(1, 0, 2, "a", "v1"), ev(1, 0, 4, "a", null));
        assertThat(WatchGuarantees.check(HISTORY, ONE, evs, true)).extracting(Violation::detail)
                .anySatisfy(d -> assertThat(d).contains("out of order"));
    }

    @Test
    void anEventOfAFailedCompareAndSetIsCaught() {
        List<Op> h = new H().cas(1, "a", "x", "v1", false, 0, 1, 1).ops();
        List<WatchEvent> evs = List.of(ev(1, 0, 2, "a", "v1"));
        assertThat(WatchGuarantees.check(h, ONE, evs, true)).extracting(Violation::detail)
                .singleElement().satisfies(d -> assertThat(d).contains("no operation could have written"));
    }

    @Test
    void anEventAtAnotherRevisionThanTheWriteWasAcknowledgedAtIsCaught() {
        List<WatchEvent> evs = List.of(ev(1, 0, 2, "b", "w1"));
        List<Op> h = new H().put(1, "b", "w1", 0, 1, 3).ops();
        assertThat(WatchGuarantees.check(h, ONE, evs, false)).extracting(Violation::detail)
                .anySatisfy(d -> assertThat(d).contains("acknowledged at revision 3"));
    }

    @Test
    void watchersThatDisagreeAreCaught() {
        List<WatchEvent> evs = new ArrayList<>(all());
        evs.add(ev(2, 0, 2, "a", "v1"));
        evs.add(ev(2, 0, 3, "b", "v1"));
        assertThat(WatchGuarantees.check(HISTORY, List.of(ONE.get(0), new WatchSegment(2, 0, 2, false)), evs,
                true)).extracting(Violation::detail).anySatisfy(d -> assertThat(d).contains("disagree"));
    }

    @Test
    void eventsLostToCompactionAreNotAGap() {
        List<WatchSegment> segs = List.of(new WatchSegment(1, 0, 2, false), new WatchSegment(1, 1, 2, true));
        List<WatchEvent> evs = List.of(ev(1, 1, 4, "a", null));
        assertThat(WatchGuarantees.check(HISTORY, segs, evs, true)).isEmpty();
    }
}
