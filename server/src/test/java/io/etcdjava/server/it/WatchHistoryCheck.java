package io.etcdjava.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.mvccpb.KeyValue;
import io.etcdjava.server.it.HistoryEvent.KeyRange;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The watch history test's verdicts: the writers' history is contiguous and is what the store
 * gives back revision by revision, and every watcher's segments equal that history restricted to
 * its range: no gap, no duplicate, no reordering.
 */
final class WatchHistoryCheck {
    private final TreeMap<Long, List<HistoryEvent>> history;
    private final long last;

    WatchHistoryCheck(TreeMap<Long, List<HistoryEvent>> history) {
        this.history = history;
        this.last = history.lastKey();
    }

    /** Each write made exactly one revision, from the base write on. */
    void historyIsContiguous(long base) {
        assertThat(history.firstKey()).as("the first revision written").isEqualTo(base);
        assertThat(history.lastKey() - history.firstKey() + 1).as("no revision lost or shared")
                .isEqualTo(history.size());
    }

    /** Reads every revision above the compaction back from the store: state diffs equal the writes. */
    void storeAgrees(KVGrpc.KVBlockingStub kv, long compactAt) {
        Map<String, String> before = state(kv, compactAt);
        for (long rev = compactAt + 1; rev <= last; rev++) {
            Map<String, String> expected = new TreeMap<>(before);
            for (HistoryEvent e : history.get(rev)) {
                if (e.put()) {
                    expected.put(e.key(), e.value());
                } else {
                    expected.remove(e.key());
                }
            }
            Map<String, String> after = state(kv, rev);
            assertThat(after).as("the store's state at revision %d", rev).isEqualTo(expected);
            before = after;
        }
    }

    private static Map<String, String> state(KVGrpc.KVBlockingStub kv, long rev) {
        RangeResponse r = kv.withDeadlineAfter(20, TimeUnit.SECONDS).range(RangeRequest.newBuilder()
                .setKey(HistoryWriters.bs(HistoryWriters.PREFIX)).setRangeEnd(HistoryWriters.bs(HistoryWriters.PREFIX_END))
                .setRevision(rev).build());
        Map<String, String> out = new TreeMap<>();
        for (KeyValue kv2 : r.getKvsList()) {
            out.put(kv2.getKey().toStringUtf8(), kv2.getValue().toStringUtf8());
        }
        return out;
    }

    /** Waits (bounded) until every watcher's last segment holds all it should up to the last write. */
    void awaitCaughtUp(Collection<HistoryWatcher> watchers, long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            int behind = 0;
            String example = null;
            for (HistoryWatcher w : watchers) {
                HistoryWatcher.Record r = w.record();
                int want = expectedAtLeast(r);
                if (r.count() < want) {
                    behind++;
                    example = r.id() + " " + r.range() + " from " + r.start() + " segments " + r.segmentStarts()
                            + " got " + r.count() + " want " + want;
                }
            }
            if (behind == 0) {
                return;
            }
            assertThat(System.nanoTime()).as("%d watchers never caught up, e.g. %s", behind, example)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private int expectedAtLeast(HistoryWatcher.Record r) {
        int before = 0;
        for (int i = 0; i < r.segments().size() - 1; i++) {
            before += r.segments().get(i).size();
        }
        long from = r.segmentStarts().get(r.segmentStarts().size() - 1);
        return before + (from == 0 ? 0 : expected(r.range(), from, last + 1).size());
    }

    /** Every segment equals the history of its range between its start and the next segment's. */
    void watchersSawHistory(Collection<HistoryWatcher> watchers) {
        for (HistoryWatcher w : watchers) {
            HistoryWatcher.Record r = w.record();
            for (int i = 0; i < r.segments().size(); i++) {
                long from = r.segmentStarts().get(i);
                long to = i + 1 < r.segments().size() ? r.segmentStarts().get(i + 1) : last + 1;
                List<HistoryEvent> got = r.segments().get(i);
                if (from == 0) {
                    // Left before its created answer came: it cannot have had events.
                    assertThat(got).as("watcher %d segment %d", r.id(), i).isEmpty();
                    continue;
                }
                List<HistoryEvent> want = expected(r.range(), from, to);
                if (r.compactedAfter().get(i)) {
                    // Cancelled for compaction: what came before the cancel is a prefix.
                    assertThat(want).as("watcher %d %s segment %d from %d", r.id(), r.range(), i, from)
                            .startsWith(got.toArray(new HistoryEvent[0]));
                } else {
                    assertThat(got).as("watcher %d %s segment %d [%d, %d) of %s", r.id(), r.range(), i, from, to,
                            r.segmentStarts()).containsExactlyElementsOf(want);
                }
            }
        }
    }

    private List<HistoryEvent> expected(KeyRange range, long from, long to) {
        List<HistoryEvent> out = new ArrayList<>();
        for (List<HistoryEvent> evs : history.subMap(Math.max(from, 1), Math.max(from, to)).values()) {
            for (HistoryEvent e : evs) {
                if (range.contains(e.key())) {
                    out.add(e);
                }
            }
        }
        return out;
    }
}
