package io.etcdjava.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.api.mvccpb.KeyValue;
import io.etcdjava.server.it.HistoryEvent.KeyRange;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** WatchHistoryIT's verdict catches what it must: gaps, duplicates, reordering, bad resumes. */
class WatchHistoryCheckTest {
    private static final KeyRange ALL = new KeyRange("h/", "h0");
    private final Object stream1 = new Object();
    private final Object stream2 = new Object();

    /** rev 2 put h/k00, rev 3 put h/k01, rev 4 delete h/k00, rev 5 put h/k01. */
    private static WatchHistoryCheck check() {
        TreeMap<Long, List<HistoryEvent>> h = new TreeMap<>();
        h.put(2L, List.of(new HistoryEvent(2, true, "h/k00", "a")));
        h.put(3L, List.of(new HistoryEvent(3, true, "h/k01", "b")));
        h.put(4L, List.of(new HistoryEvent(4, false, "h/k00", "")));
        h.put(5L, List.of(new HistoryEvent(5, true, "h/k01", "c")));
        return new WatchHistoryCheck(h);
    }

    private static Event ev(long rev) {
        return switch ((int) rev) {
            case 2 -> put(2, "h/k00", "a");
            case 3 -> put(3, "h/k01", "b");
            case 4 -> Event.newBuilder().setType(Event.EventType.DELETE)
                    .setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("h/k00")).setModRevision(4)).build();
            default -> put(5, "h/k01", "c");
        };
    }

    private static Event put(long rev, String k, String v) {
        return Event.newBuilder().setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(k))
                .setValue(ByteString.copyFromUtf8(v)).setModRevision(rev)).build();
    }

    private HistoryWatcher watcherSaw(long... revs) {
        HistoryWatcher w = new HistoryWatcher(7, ALL, 1);
        w.begin(stream1, 0, w.detach());
        for (long r : revs) {
            w.events(stream1, List.of(ev(r)));
        }
        return w;
    }

    @Test
    void theWholeHistoryInOrderPasses() {
        check().watchersSawHistory(List.of(watcherSaw(2, 3, 4, 5)));
    }

    @Test
    void aGapADuplicateOrAReorderFails() {
        for (HistoryWatcher bad : List.of(watcherSaw(2, 4, 5), watcherSaw(2, 3, 3, 4, 5), watcherSaw(2, 4, 3, 5))) {
            assertThatThrownBy(() -> check().watchersSawHistory(List.of(bad))).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("watcher 7");
        }
    }

    @Test
    void aResumeAtLastRevisionPlusOneOnAnotherStreamPassesAndLateAnswersOfTheOldStreamAreDropped() {
        HistoryWatcher w = watcherSaw(2, 3);
        long from = w.detach();
        assertThat(from).isEqualTo(4);
        w.events(stream1, List.of(ev(4))); // in flight on the stream it left
        w.begin(stream2, 1, from);
        w.events(stream2, List.of(ev(4), ev(5)));
        check().watchersSawHistory(List.of(w));
    }

    @Test
    void aResumeThatSkipsOrRepeatsARevisionFails() {
        HistoryWatcher skipped = watcherSaw(2, 3);
        skipped.detach();
        skipped.begin(stream2, 1, 4);
        skipped.events(stream2, List.of(ev(5)));
        assertThatThrownBy(() -> check().watchersSawHistory(List.of(skipped))).isInstanceOf(AssertionError.class);

        HistoryWatcher repeated = watcherSaw(2, 3);
        repeated.detach();
        repeated.begin(stream2, 1, 4);
        repeated.events(stream2, List.of(ev(3), ev(4), ev(5)));
        assertThatThrownBy(() -> check().watchersSawHistory(List.of(repeated))).isInstanceOf(AssertionError.class);
    }

    @Test
    void aWatcherBehindTimesOutNamingIt() {
        assertThatThrownBy(() -> check().awaitCaughtUp(List.of(watcherSaw(2, 3)), 0))
                .isInstanceOf(AssertionError.class).hasMessageContaining("1 watchers never caught up, e.g. 7");
    }
}
