package io.etcdjava.server.watch;

import com.google.protobuf.ByteString;
import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.api.mvccpb.KeyValue;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.metrics.Metrics;
import io.etcdjava.server.mvcc.KvChangeListener;
import io.etcdjava.server.mvcc.MvccStore;
import io.etcdjava.server.mvcc.RangeOptions;
import io.etcdjava.server.mvcc.RangeResult;
import io.etcdjava.server.mvcc.ReadTxn;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's watchable store: watchers over an {@link MvccStore}, each told every change in its key
 * range from its start revision, in revision order, exactly once.
 *
 * <p>Synced watchers (caught up to the last committed revision) get events straight from the
 * store's change listener on the apply thread, which only queues them. Unsynced watchers
 * (historical starts, or synced ones whose stream buffer was full) catch up on this store's
 * {@code watch-sync} thread: it reads a batch of revisions from the store without the lock, then
 * under the lock hands the batch over, adds the revisions committed meanwhile from a small ring of
 * recent changes, and moves the watcher to the synced set at the last notified revision. Because
 * both delivery paths run under {@link #mu} and track {@code minRev}, nothing is skipped or sent
 * twice. The same thread ticks progress notifications.
 *
 * <p>Locks, in order: {@link #mu}, then a {@link WatchStream}'s queue monitor.
 */
public final class WatchableStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WatchableStore.class);

    /** Tunables; {@link #DEFAULT} follows etcd (chanBufLen 128, watchBatchMaxRevs 1000, 100 ms sync). */
    public record Options(int streamBufferLength, int batchRevisions, int maxWatchersPerSync, Duration syncInterval,
            Duration progressInterval, int recentRevisions, long recentBytes) {
        public static final Options DEFAULT = new Options(128, 1000, 512, Duration.ofMillis(100),
                Duration.ofMinutes(10), 1024, 16L << 20);

        public Options {
            if (streamBufferLength <= 0 || batchRevisions <= 0 || maxWatchersPerSync <= 0 || recentRevisions < 0
                    || recentBytes < 0) {
                throw new IllegalArgumentException("watch options must be positive");
            }
            if (syncInterval.isNegative() || syncInterval.isZero() || progressInterval.isNegative()
                    || progressInterval.isZero()) {
                throw new IllegalArgumentException("watch intervals must be positive");
            }
        }

        public Options withProgressInterval(Duration d) {
            return new Options(streamBufferLength, batchRevisions, maxWatchersPerSync, syncInterval, d,
                    recentRevisions, recentBytes);
        }

        public Options withStreamBufferLength(int n) {
            return new Options(n, batchRevisions, maxWatchersPerSync, syncInterval, progressInterval,
                    recentRevisions, recentBytes);
        }

        public Options withBatchRevisions(int n) {
            return new Options(streamBufferLength, n, maxWatchersPerSync, syncInterval, progressInterval,
                    recentRevisions, recentBytes);
        }

        public Options withRecent(int revisions, long bytes) {
            return new Options(streamBufferLength, batchRevisions, maxWatchersPerSync, syncInterval,
                    progressInterval, revisions, bytes);
        }
    }

    /** One committed revision kept for the catch-up tail. */
    private record Committed(long rev, List<Event> events, long bytes) {
    }

    private final MvccStore store;
    private final Options options;
    final WatchMetrics metrics;
    final ReentrantLock mu = new ReentrantLock();
    private final ScheduledExecutorService exec;
    private final AtomicBoolean syncQueued = new AtomicBoolean();

    // Guarded by mu.
    private long lastRev;
    private final Map<ByteString, Set<Watcher>> syncedKeys = new HashMap<>();
    private final Set<Watcher> syncedRanges = new LinkedHashSet<>();
    private final Set<Watcher> unsynced = new LinkedHashSet<>();
    private final Set<WatchStream> streams = new HashSet<>();
    private final ArrayDeque<Committed> recent = new ArrayDeque<>();
    private long recentBytes;
    private boolean closed;

    private WatchableStore(MvccStore store, Options options, Metrics registry) {
        this.store = store;
        this.options = options;
        this.metrics = new WatchMetrics(registry);
        this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "watch-sync");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts watching {@code store} (becoming its change listener) with the given options; metrics
     * go to {@code registry} when it is non-null.
     */
    public static WatchableStore open(MvccStore store, Options options, Metrics registry) {
        WatchableStore ws = new WatchableStore(store, options, registry);
        store.setChangeListener(new KvChangeListener() {
            @Override
            public void onCommit(long revision, List<Event> events) {
                ws.onCommit(revision, events);
            }

            @Override
            public void onRestore(long currentRevision, long compactRevision) {
                ws.onRestore(currentRevision);
            }
        });
        ws.mu.lock();
        try {
            ws.lastRev = Math.max(ws.lastRev, store.currentRevision());
        } finally {
            ws.mu.unlock();
        }
        long every = options.syncInterval().toNanos();
        ws.exec.scheduleWithFixedDelay(ws::syncSafely, every, every, TimeUnit.NANOSECONDS);
        return ws;
    }

    /**
     * A new stream; {@code onReady} is run (possibly on the apply thread, so it must not block)
     * whenever a message was queued for it.
     */
    public WatchStream newStream(Runnable onReady) {
        WatchStream s = new WatchStream(this, options.streamBufferLength(), onReady);
        mu.lock();
        try {
            if (closed) {
                throw EtcdError.STOPPED.exception();
            }
            streams.add(s);
            long every = options.progressInterval().toNanos();
            s.progressTicker = exec.scheduleAtFixedRate(() -> progressTick(s), every, every, TimeUnit.NANOSECONDS);
        } finally {
            mu.unlock();
        }
        metrics.streams.inc();
        return s;
    }

    /** The last revision watchers were told about. */
    public long currentRevision() {
        mu.lock();
        try {
            return lastRev;
        } finally {
            mu.unlock();
        }
    }

    /** The store watched (for prev_kv lookups of caught-up events). */
    public MvccStore mvcc() {
        return store;
    }

    // ------------------------------------------------------------------ stream requests

    long watch(WatchStream s, WatchSpec spec) {
        mu.lock();
        try {
            if (s.closed) {
                return -1;
            }
            if (Watcher.isEmptyRange(spec)) {
                s.offerControl(Delivery.created(-1, lastRev, WatchException.EMPTY_RANGE));
                return -1;
            }
            long id = s.assignId(spec.watchId());
            if (id < 0) {
                s.offerControl(Delivery.created(-1, lastRev, WatchException.DUPLICATE_ID));
                return -1;
            }
            long start = spec.startRevision() == 0 ? lastRev + 1 : spec.startRevision();
            Watcher w = new Watcher(id, spec, s, start);
            s.watchers.put(id, w);
            // The created answer goes first, so it precedes every event of the watcher.
            s.offerControl(Delivery.created(id, lastRev, null));
            if (start > lastRev) {
                addSynced(w);
            } else {
                w.state = Watcher.State.UNSYNCED;
                unsynced.add(w);
                metrics.slowWatchers.inc();
                wakeSync();
            }
            metrics.watchers.inc();
            return id;
        } finally {
            mu.unlock();
        }
    }

    boolean cancel(WatchStream s, long id) {
        mu.lock();
        try {
            Watcher w = s.watchers.remove(id);
            if (w == null) {
                return false;
            }
            remove(w);
            metrics.watchers.dec();
            s.offerControl(Delivery.canceled(id, lastRev));
            return true;
        } finally {
            mu.unlock();
        }
    }

    void requestProgress(WatchStream s) {
        mu.lock();
        try {
            s.offerControl(Delivery.progress(lastRev));
        } finally {
            mu.unlock();
        }
    }

    void closeStream(WatchStream s) {
        mu.lock();
        try {
            if (s.closed) {
                return;
            }
            s.closed = true;
            for (Watcher w : s.watchers.values()) {
                remove(w);
                metrics.watchers.dec();
            }
            s.watchers.clear();
            streams.remove(s);
            if (s.progressTicker != null) {
                s.progressTicker.cancel(false);
            }
        } finally {
            mu.unlock();
        }
        metrics.streams.dec();
    }

    private void progressTick(WatchStream s) {
        mu.lock();
        try {
            for (Watcher w : s.watchers.values()) {
                if (!w.spec.progressNotify()) {
                    continue;
                }
                // As etcd: only when nothing went out since the last tick, and only to synced watchers.
                if (w.progressIdle && w.state == Watcher.State.SYNCED) {
                    s.offerEvents(Delivery.events(w, lastRev, List.of()));
                }
                w.progressIdle = true;
            }
        } finally {
            mu.unlock();
        }
    }

    // ------------------------------------------------------------------ apply thread

    private void onCommit(long rev, List<Event> events) {
        mu.lock();
        try {
            if (closed || rev <= lastRev) {
                return;
            }
            lastRev = rev;
            remember(rev, events);
            Map<Watcher, List<Event>> out = new LinkedHashMap<>();
            // Watchers that asked for prev_kv share one copy of each event with it (a put's prev_kv is
            // read here, only when such a watcher matches); the others share one copy without it.
            // Made once per event here rather than once per watcher on the event loops.
            Event[] withoutPrev = new Event[events.size()];
            Event[] withPrev = new Event[events.size()];
            for (int i = 0; i < events.size(); i++) {
                Event e = events.get(i);
                Set<Watcher> byKey = syncedKeys.get(e.getKv().getKey());
                if (byKey != null) {
                    for (Watcher w : byKey) {
                        collect(out, w, events, i, withoutPrev, withPrev);
                    }
                }
                for (Watcher w : syncedRanges) {
                    collect(out, w, events, i, withoutPrev, withPrev);
                }
            }
            for (Map.Entry<Watcher, List<Event>> m : out.entrySet()) {
                Watcher w = m.getKey();
                if (w.stream.offerEvents(Delivery.events(w, rev, m.getValue()))) {
                    w.minRev = rev + 1;
                    w.progressIdle = false;
                } else {
                    // Slow stream: catch up from the store later instead of buffering without bound.
                    removeSynced(w);
                    w.minRev = rev;
                    w.state = Watcher.State.UNSYNCED;
                    unsynced.add(w);
                    metrics.slowWatchers.inc();
                }
            }
            // Watchers with nothing to send this revision stay at an earlier minRev; that is harmless
            // because synced delivery only looks at newer revisions.
        } catch (RuntimeException e) {
            log.error("watch notification failed", e);
        } finally {
            mu.unlock();
        }
    }

    /**
     * The store was replaced by a snapshot from the leader: revisions after the last one notified
     * were never seen here, so every synced watcher catches up from the new store (those whose
     * next revision was compacted away are cancelled with the compact revision).
     */
    private void onRestore(long currentRevision) {
        mu.lock();
        try {
            if (closed) {
                return;
            }
            List<Watcher> synced = new ArrayList<>(syncedRanges);
            for (Set<Watcher> ws : syncedKeys.values()) {
                synced.addAll(ws);
            }
            for (Watcher w : synced) {
                removeSynced(w);
                w.state = Watcher.State.UNSYNCED;
                unsynced.add(w);
                metrics.slowWatchers.inc();
            }
            recent.clear();
            recentBytes = 0;
            lastRev = currentRevision;
        } finally {
            mu.unlock();
        }
        wakeSync();
    }

    /** Adds event {@code i} to what {@code w} gets, with its prev_kv only if {@code w} asked for it. */
    private void collect(Map<Watcher, List<Event>> out, Watcher w, List<Event> events, int i,
            Event[] withoutPrev, Event[] withPrev) {
        Event e = events.get(i);
        if (w.minRev > Watcher.revisionOf(e) || !w.wants(e)) {
            return;
        }
        if (w.spec.prevKv()) {
            if (withPrev[i] == null) {
                withPrev[i] = withPrevKv(e);
            }
            e = withPrev[i];
        } else if (e.hasPrevKv()) {
            if (withoutPrev[i] == null) {
                withoutPrev[i] = e.toBuilder().clearPrevKv().build();
            }
            e = withoutPrev[i];
        }
        out.computeIfAbsent(w, k -> new ArrayList<>(2)).add(e);
    }

    /**
     * {@code e} with the key's value before it as prev_kv, as far as the store still has it: a put
     * that created its key has none, and a compaction since may have removed it (etcd leaves
     * prev_kv out then too).
     */
    public Event withPrevKv(Event e) {
        KeyValue kv = e.getKv();
        if (e.hasPrevKv() || (e.getType() == Event.EventType.PUT && kv.getCreateRevision() == kv.getModRevision())) {
            return e;
        }
        KeyValue prev = valueBefore(kv.getKey(), kv.getModRevision());
        return prev == null ? e : e.toBuilder().setPrevKv(prev).build();
    }

    private KeyValue valueBefore(ByteString key, long rev) {
        try (ReadTxn r = store.read()) {
            RangeResult res = r.range(key.toByteArray(), null, new RangeOptions(0, rev - 1, false));
            return res.kvs().isEmpty() ? null : res.kvs().get(0);
        } catch (EtcdException e) {
            return null;
        }
    }

    private void remember(long rev, List<Event> events) {
        if (options.recentRevisions() == 0) {
            return;
        }
        long bytes = 0;
        for (Event e : events) {
            bytes += e.getSerializedSize();
        }
        recent.addLast(new Committed(rev, events, bytes));
        recentBytes += bytes;
        while (recent.size() > options.recentRevisions()
                || (recentBytes > options.recentBytes() && recent.size() > 1)) {
            recentBytes -= recent.removeFirst().bytes();
        }
    }

    // ------------------------------------------------------------------ watch-sync thread

    void wakeSync() {
        if (syncQueued.compareAndSet(false, true)) {
            try {
                exec.execute(this::syncSafely);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                syncQueued.set(false);
            }
        }
    }

    private void syncSafely() {
        syncQueued.set(false);
        try {
            if (syncOnce()) {
                wakeSync();
            }
        } catch (RuntimeException e) {
            log.error("watch sync failed", e);
        }
    }

    /** One catch-up round over at most maxWatchersPerSync watchers; true if more work is ready. */
    boolean syncOnce() {
        List<Watcher> batch = new ArrayList<>();
        List<Long> seen = new ArrayList<>();
        long target;
        long from = Long.MAX_VALUE;
        mu.lock();
        try {
            if (closed || unsynced.isEmpty()) {
                return false;
            }
            target = lastRev;
            long compact = store.compactRevision();
            for (Watcher w : unsynced) {
                if (batch.size() >= options.maxWatchersPerSync()) {
                    break;
                }
                if (!w.stream.hasRoom()) {
                    continue;
                }
                batch.add(w);
                seen.add(w.minRev);
                if (w.minRev >= compact) {
                    from = Math.min(from, w.minRev);
                }
            }
        } finally {
            mu.unlock();
        }
        if (batch.isEmpty()) {
            return false;
        }
        long to = from == Long.MAX_VALUE ? target : Math.min(target, from + options.batchRevisions() - 1);
        List<Event> read = List.of();
        if (from <= to) {
            try {
                read = store.events(from, to);
            } catch (EtcdException e) {
                if (e.error() != EtcdError.COMPACTED) {
                    throw e;
                }
                return true; // compacted under us: the next round cancels the affected watchers
            }
        }
        boolean more = false;
        mu.lock();
        try {
            if (closed) {
                return false;
            }
            long compact = store.compactRevision();
            for (int i = 0; i < batch.size(); i++) {
                Watcher w = batch.get(i);
                if (w.state != Watcher.State.UNSYNCED || w.minRev != seen.get(i)) {
                    continue;
                }
                if (w.minRev < compact) {
                    if (w.stream.offerEvents(Delivery.compacted(w, compact))) {
                        // etcd keeps the id on the stream (a later cancel still answers) but drops the watcher.
                        unsynced.remove(w);
                        w.state = Watcher.State.DONE;
                        metrics.slowWatchers.dec();
                    }
                    continue;
                }
                if (w.minRev > to) {
                    more = true;
                    continue;
                }
                List<Event> evs = new ArrayList<>();
                for (Event e : read) {
                    if (Watcher.revisionOf(e) >= w.minRev && w.wants(e)) {
                        evs.add(e);
                    }
                }
                boolean toTarget = to == target;
                boolean tailKnown = toTarget && appendTail(w, target, evs);
                if (!evs.isEmpty()) {
                    if (!w.stream.offerEvents(Delivery.events(w, lastRev, evs))) {
                        continue;
                    }
                    w.progressIdle = false;
                }
                if (tailKnown) {
                    unsynced.remove(w);
                    metrics.slowWatchers.dec();
                    w.minRev = lastRev + 1;
                    addSynced(w);
                } else {
                    w.minRev = to + 1;
                    more = true;
                }
            }
        } finally {
            mu.unlock();
        }
        return more;
    }

    /**
     * Adds the watcher's events of the revisions in {@code (target, lastRev]} from the recent ring;
     * false if the ring no longer holds all of them.
     */
    private boolean appendTail(Watcher w, long target, List<Event> evs) {
        if (lastRev == target) {
            return true;
        }
        if (recent.isEmpty() || recent.peekFirst().rev() > target + 1) {
            return false;
        }
        for (Committed c : recent) {
            if (c.rev() <= target) {
                continue;
            }
            for (Event e : c.events()) {
                if (w.wants(e)) {
                    evs.add(e);
                }
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ groups (under mu)

    private void addSynced(Watcher w) {
        w.state = Watcher.State.SYNCED;
        if (w.isSingleKey()) {
            syncedKeys.computeIfAbsent(w.spec.key(), k -> new LinkedHashSet<>()).add(w);
        } else {
            syncedRanges.add(w);
        }
    }

    private void removeSynced(Watcher w) {
        if (w.isSingleKey()) {
            Set<Watcher> ws = syncedKeys.get(w.spec.key());
            if (ws != null && ws.remove(w) && ws.isEmpty()) {
                syncedKeys.remove(w.spec.key());
            }
        } else {
            syncedRanges.remove(w);
        }
    }

    private void remove(Watcher w) {
        if (w.state == Watcher.State.SYNCED) {
            removeSynced(w);
        } else if (w.state == Watcher.State.UNSYNCED) {
            unsynced.remove(w);
            metrics.slowWatchers.dec();
        }
        w.state = Watcher.State.DONE;
    }

    /** Stops the sync thread and detaches from the store; streams get no more events. */
    @Override
    public void close() {
        mu.lock();
        try {
            closed = true;
        } finally {
            mu.unlock();
        }
        store.setChangeListener(null);
        exec.shutdownNow();
        try {
            exec.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
