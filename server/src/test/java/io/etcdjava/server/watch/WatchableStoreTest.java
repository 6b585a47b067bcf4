package io.etcdjava.server.watch;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.server.mvcc.MvccStore;
import io.etcdjava.server.mvcc.WriteTxn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class WatchableStoreTest {
    @TempDir
    Path dir;
    MvccStore mvcc;
    WatchableStore watches;

    @BeforeEach
    void open() {
        mvcc = MvccStore.open(dir.resolve("db"));
    }

    @AfterEach
    void close() {
        if (watches != null) {
            watches.close();
        }
        mvcc.close();
    }

    private void start(WatchableStore.Options options) {
        watches = WatchableStore.open(mvcc, options, null);
    }

    private static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private long put(String k, String v) {
        try (WriteTxn t = mvcc.write(0, 0)) {
            t.put(k.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8), 0);
            return t.rev() + 1;
        }
    }

    private void delete(String k) {
        try (WriteTxn t = mvcc.write(0, 0)) {
            t.deleteRange(k.getBytes(StandardCharsets.UTF_8), null);
        }
    }

    private void compact(long rev) throws Exception {
        java.util.concurrent.CompletableFuture<Void> done;
        try (WriteTxn t = mvcc.write(0, 0)) {
            done = t.compact(rev);
        }
        done.get(10, TimeUnit.SECONDS);
    }

    /** Reads a stream the way a transport does: woken by onReady, never by sleeping. */
    static final class Reader {
        final Semaphore ready = new Semaphore(0);
        WatchStream stream;
        final List<Delivery> got = new ArrayList<>();

        Reader open(WatchableStore ws) {
            stream = ws.newStream(ready::release);
            return this;
        }

        /** Drains until {@code done} holds over everything received, or fails after 20 s. */
        List<Delivery> until(java.util.function.Predicate<List<Delivery>> done) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!done.test(got)) {
                Delivery d = stream.poll();
                if (d != null) {
                    got.add(d);
                    continue;
                }
                long left = deadline - System.nanoTime();
                assertThat(left).as("timed out; got %s", got).isPositive();
                ready.tryAcquire(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
            }
            return got;
        }

        List<Event> events() {
            List<Event> out = new ArrayList<>();
            for (Delivery d : got) {
                out.addAll(d.events());
            }
            return out;
        }

        long lastEventRev() {
            List<Event> evs = events();
            return evs.isEmpty() ? 0 : evs.get(evs.size() - 1).getKv().getModRevision();
        }
    }

    /** Waits (bounded) for a condition another thread makes true; parks briefly between checks. */
    private static void awaitCondition(java.util.function.BooleanSupplier cond, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!cond.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting: %s", what).isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static List<Long> revisions(List<Event> evs) {
        return evs.stream().map(e -> e.getKv().getModRevision()).toList();
    }

    @Test
    void aSyncedWatcherSeesEachChangeOfItsKeyOnceAfterTheCreatedAnswer() throws Exception {
        start(WatchableStore.Options.DEFAULT);
        put("other", "x");
        Reader r = new Reader().open(watches);
        long id = r.stream.watch(WatchSpec.key(bs("foo"), 0));
        put("foo", "1");
        put("other", "y");
        put("foo", "2");
        delete("foo");
        r.until(g -> g.stream().mapToInt(d -> d.events().size()).sum() == 3);

        assertThat(r.got.get(0).kind()).isEqualTo(Delivery.Kind.CREATED);
        assertThat(r.got.get(0).revision()).isEqualTo(2);
        assertThat(r.got.get(0).watchId()).isEqualTo(id).isZero();
        assertThat(r.events()).extracting(Event::getType)
                .containsExactly(Event.EventType.PUT, Event.EventType.PUT, Event.EventType.DELETE);
        assertThat(revisions(r.events())).containsExactly(3L, 5L, 6L);
        assertThat(r.events()).as("no prev_kv was asked for").noneMatch(Event::hasPrevKv);
    }

    @Test
    void watchersOfOneKeyGetPrevKvOnlyWhenTheyAskedForIt() throws Exception {
        start(WatchableStore.Options.DEFAULT);
        put("foo", "0");
        Reader r = new Reader().open(watches);
        long plain = r.stream.watch(WatchSpec.key(bs("foo"), 0));
        long withPrev = r.stream.watch(WatchSpec.key(bs("foo"), 0).withPrevKv(true));
        put("foo", "1");
        delete("foo");
        r.until(g -> g.stream().mapToInt(d -> d.events().size()).sum() == 4);

        List<Event> forPlain = r.got.stream().filter(d -> d.watchId() == plain).flatMap(d -> d.events().stream()).toList();
        List<Event> forPrev = r.got.stream().filter(d -> d.watchId() == withPrev).flatMap(d -> d.events().stream()).toList();
        assertThat(forPlain).hasSize(2).noneMatch(Event::hasPrevKv);
        assertThat(forPrev).extracting(e -> e.getPrevKv().getValue().toStringUtf8()).containsExactly("0", "1");
        assertThat(forPlain).extracting(e -> e.getKv().getModRevision()).containsExactly(3L, 4L);
    }

    @Test
    void prevKvOfAPutIsTheValueWrittenEarlierInTheSameWriteGroup() throws Exception {
        start(WatchableStore.Options.DEFAULT);
        Reader r = new Reader().open(watches);
        long withPrev = r.stream.watch(WatchSpec.key(bs("g"), 0).withPrevKv(true));
        mvcc.beginGroup();
        put("g", "first");
        put("g", "second");
        put("g", "third");
        mvcc.commitGroup();
        r.until(g -> g.stream().mapToInt(d -> d.events().size()).sum() == 3);

        List<Event> got = r.got.stream().filter(d -> d.watchId() == withPrev).flatMap(d -> d.events().stream()).toList();
        assertThat(got).extracting(e -> e.getKv().getValue().toStringUtf8()).containsExactly("first", "second", "third");
        assertThat(got.get(0).hasPrevKv()).as("the put that created the key has no prev_kv").isFalse();
        assertThat(got.subList(1, 3)).extracting(e -> e.getPrevKv().getValue().toStringUtf8())
                .containsExactly("first", "second");
    }

    @Test
    void prefixFromKeyAndFilterWatchersSeeOnlyTheirEvents() throws Exception {
        start(WatchableStore.Options.DEFAULT);
        Reader r = new Reader().open(watches);
        long prefix = r.stream.watch(WatchSpec.range(bs("a/"), bs("a0"), 0));
        long fromKey = r.stream.watch(WatchSpec.range(bs("b"), ByteString.EMPTY, 0));
        long noPut = r.stream.watch(WatchSpec.range(bs("a/"), bs("a0"), 0).withFilters(true, false));
        put("a/1", "v");
        put("a1", "v");
        put("c", "v");
        delete("a/1");
        r.until(g -> g.stream().filter(d -> d.watchId() == prefix).mapToInt(d -> d.events().size()).sum() == 2
                && g.stream().filter(d -> d.watchId() == fromKey).mapToInt(d -> d.events().size()).sum() == 1
                && g.stream().filter(d -> d.watchId() == noPut).mapToInt(d -> d.events().size()).sum() == 1);
        assertThat(r.got.stream().filter(d -> d.watchId() == fromKey).flatMap(d -> d.events().stream())
                .map(e -> e.getKv().getKey().toStringUtf8())).containsExactly("c");
        assertThat(r.got.stream().filter(d -> d.watchId() == noPut).flatMap(d -> d.events().stream())
                .map(Event::getType)).containsExactly(Event.EventType.DELETE);
    }

    @Test
    void aClientChosenIdIsKeptAndADuplicateIsRefusedWithEtcdsReason() throws Exception {
        start(WatchableStore.Options.DEFAULT);
        Reader r = new Reader().open(watches);
        assertThat(r.stream.watch(WatchSpec.key(bs("k"), 0).withId(7))).isEqualTo(7);
        assertThat(r.stream.watch(WatchSpec.key(bs("k"), 0).withId(7))).isEqualTo(-1);
        assertThat(r.stream.watch(WatchSpec.range(bs("b"), bs("a"), 0))).isEqualTo(-1);
        assertThat(r.stream.cancel(7)).isTrue();
        assertThat(r.stream.cancel(7)).as("unknown ids get no answer").isFalse();
        r.until(g -> g.size() == 4);
        assertThat(r.got.get(1).cancelReason()).isEqualTo("mvcc: duplicate watch ID provided on the WatchStream");
        assertThat(r.got.get(2).cancelReason()).isEqualTo("mvcc: watcher range is empty");
        assertThat(r.got.get(3).kind()).isEqualTo(Delivery.Kind.CANCELED);
        assertThat(r.got.get(3).watchId()).isEqualTo(7);
    }

    @Test
    void aWatcherFromACompactedRevisionIsCancelledWithTheCompactRevision() throws Exception {
        start(WatchableStore.Options.DEFAULT);
        for (int i = 0; i < 9; i++) {
            put("k", "v" + i);
        }
        compact(6);
        Reader r = new Reader().open(watches);
        r.stream.watch(WatchSpec.key(bs("k"), 3));
        r.until(g -> g.size() == 2);
        assertThat(r.got.get(0).kind()).isEqualTo(Delivery.Kind.CREATED);
        assertThat(r.got.get(1).isCompacted()).isTrue();
        assertThat(r.got.get(1).compactRevision()).isEqualTo(6);
        assertThat(r.got.get(1).events()).isEmpty();

        Reader ok = new Reader().open(watches);
        ok.stream.watch(WatchSpec.key(bs("k"), 6));
        ok.until(g -> g.stream().mapToInt(d -> d.events().size()).sum() == 5);
        assertThat(revisions(ok.events())).containsExactly(6L, 7L, 8L, 9L, 10L);
    }

    @Test
    void historicalWatchersCatchUpAndJoinLiveDeliveryWithoutGapOrDuplicateUnderConcurrentWrites()
            throws Exception {
        // Small batches and a tiny recent ring force many rounds and the read-from-store fallback.
        start(WatchableStore.Options.DEFAULT.withBatchRevisions(37).withRecent(3, 1 << 20));
        int writes = 3000;
        for (int i = 0; i < 200; i++) {
            put("key" + (i % 7), "pre" + i);
        }
        AtomicReference<Throwable> failed = new AtomicReference<>();
        CountDownLatch writing = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try {
                writing.countDown();
                for (int i = 0; i < writes; i++) {
                    if (i % 10 == 9) {
                        delete("key" + (i % 7));
                    } else {
                        put("key" + (i % 7), "v" + i);
                    }
                }
            } catch (Throwable t) {
                failed.set(t);
            }
        }, "test-writer");
        writer.start();
        writing.await();
        List<Reader> readers = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Reader r = new Reader().open(watches);
            long start = 1 + i * 97L;
            r.stream.watch(WatchSpec.range(bs("key"), bs("kez"), start));
            readers.add(r);
            starts.add(start);
        }
        writer.join(30_000);
        assertThat(failed.get()).isNull();
        long last = mvcc.currentRevision();
        assertThat(last).isEqualTo(1 + 200 + writes);
        for (int i = 0; i < readers.size(); i++) {
            Reader r = readers.get(i);
            r.until(g -> r.lastEventRev() == last);
            long from = Math.max(2, starts.get(i));
            List<Long> expected = java.util.stream.LongStream.rangeClosed(from, last).boxed().toList();
            assertThat(revisions(r.events())).as("reader %d from %d", i, starts.get(i)).isEqualTo(expected);
        }
    }

    @Test
    void aSlowReaderIsBoundedFallsBackToCatchUpAndDoesNotHoldBackOthers() throws Exception {
        start(WatchableStore.Options.DEFAULT.withStreamBufferLength(4).withRecent(8, 1 << 20));
        Reader slow = new Reader().open(watches);
        Reader fast = new Reader().open(watches);
        slow.stream.watch(WatchSpec.key(bs("k"), 0));
        fast.stream.watch(WatchSpec.key(bs("k"), 0));
        int n = 500;
        for (int i = 0; i < n; i++) {
            put("k", "v" + i);
            // The fast reader keeps up; the slow one reads nothing.
            for (Delivery d = fast.stream.poll(); d != null; d = fast.stream.poll()) {
                fast.got.add(d);
            }
        }
        fast.until(g -> fast.lastEventRev() == n + 1);
        assertThat(fast.events()).hasSize(n);
        assertThat(slow.stream.queued()).as("created answer + at most 4 event messages").isLessThanOrEqualTo(5);
        assertThat(watches.metrics.slowWatchers.get()).isEqualTo(1);

        slow.until(g -> slow.lastEventRev() == n + 1);
        assertThat(revisions(slow.events()))
                .isEqualTo(java.util.stream.LongStream.rangeClosed(2, n + 1).boxed().toList());
        awaitCondition(() -> watches.metrics.slowWatchers.get() == 0, "back in the synced set");
        put("k", "after");
        slow.until(g -> slow.lastEventRev() == n + 2);
        fast.until(g -> fast.lastEventRev() == n + 2);
        assertThat(watches.metrics.pendingEvents.get()).isZero();
    }

    @Test
    void progressIsAnsweredAtTheCurrentRevisionAndNotifiedOnlyWhenIdle() throws Exception {
        start(WatchableStore.Options.DEFAULT.withProgressInterval(Duration.ofMillis(50)));
        put("k", "1");
        Reader r = new Reader().open(watches);
        r.stream.requestProgress();
        long id = r.stream.watch(WatchSpec.key(bs("k"), 0).withProgressNotify(true));
        r.until(g -> g.size() >= 3);
        assertThat(r.got.get(0).kind()).isEqualTo(Delivery.Kind.PROGRESS);
        assertThat(r.got.get(0).watchId()).isEqualTo(-1);
        assertThat(r.got.get(0).revision()).isEqualTo(2);
        assertThat(r.got.get(2).kind()).isEqualTo(Delivery.Kind.EVENTS);
        assertThat(r.got.get(2).watchId()).isEqualTo(id);
        assertThat(r.got.get(2).events()).isEmpty();
        assertThat(r.got.get(2).revision()).isEqualTo(2);
    }

    @Test
    void closingAStreamReleasesItsWatchers() throws Exception {
        start(WatchableStore.Options.DEFAULT);
        Reader r = new Reader().open(watches);
        r.stream.watch(WatchSpec.key(bs("k"), 0));
        r.stream.watch(WatchSpec.key(bs("k"), 1));
        assertThat(watches.metrics.watchers.get()).isEqualTo(2);
        assertThat(watches.metrics.streams.get()).isEqualTo(1);
        r.stream.close();
        assertThat(watches.metrics.watchers.get()).isZero();
        assertThat(watches.metrics.slowWatchers.get()).isZero();
        assertThat(watches.metrics.streams.get()).isZero();
        put("k", "v");
        assertThat(r.stream.poll()).isNull();
    }
}
