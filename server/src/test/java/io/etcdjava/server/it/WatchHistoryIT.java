package io.etcdjava.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.CompactionRequest;
import io.etcdjava.api.etcdserverpb.Compare;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.DeleteRangeResponse;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.MaintenanceGrpc;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.ResponseOp;
import io.etcdjava.api.etcdserverpb.StatusRequest;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import io.etcdjava.api.etcdserverpb.WatchCreateRequest;
import io.etcdjava.api.etcdserverpb.WatchGrpc;
import io.etcdjava.api.etcdserverpb.WatchRequest;
import io.etcdjava.api.etcdserverpb.WatchResponse;
import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.api.mvccpb.KeyValue;
import io.etcdjava.server.it.EtcdProcess.Kind;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 5's randomized watch check on a 3-member cluster of our processes: concurrent writers (put,
 * delete, txn, one compaction) and many watchers spread over the members (followers serve watches
 * from their local store) and over start revisions. Midway the leader is killed (leader change)
 * and a follower is restarted; every watcher on a broken stream resumes elsewhere at its last
 * revision + 1, as clients do, and a watcher cancelled for compaction resumes at the compact
 * revision. In the end every watcher's events equal the history of its range from its start
 * revision: no gap, no duplicate, no reordering. The history is what the writers' responses say,
 * checked against what the store gives back revision by revision.
 *
 * <p>Sizes: {@code -Dwatch.it.watchers} (default 1,000), {@code -Dwatch.it.writes} per phase
 * (default 150), {@code -Dwatch.it.seed}.
 */
@Timeout(600)
class WatchHistoryIT {
    private static final String PREFIX = "h/";
    private static final int KEYS = 16;
    private static final int WATCHERS = Integer.getInteger("watch.it.watchers", 1000);
    private static final int WRITES = Integer.getInteger("watch.it.writes", 150);
    private static final long SEED = Long.getLong("watch.it.seed", System.nanoTime());

    /** One event as the test compares it. */
    record Ev(long rev, boolean put, String key, String value) {
        static Ev of(Event e) {
            return new Ev(e.getKv().getModRevision(), e.getType() == Event.EventType.PUT,
                    e.getKv().getKey().toStringUtf8(), e.getType() == Event.EventType.PUT
                            ? e.getKv().getValue().toStringUtf8() : "");
        }
    }

    /** A key range [from, to) over the test's keys; to null is one key. */
    record Range(String from, String to) {
        boolean contains(String k) {
            return to == null ? k.equals(from) : k.compareTo(from) >= 0 && k.compareTo(to) < 0;
        }
    }

    private final List<EtcdProcess> members = new ArrayList<>();
    private final ManagedChannel[] channels = new ManagedChannel[3];
    private final Random random = new Random(SEED);
    private final Map<Long, List<Ev>> written = new ConcurrentHashMap<>();
    private final AtomicBoolean ambiguous = new AtomicBoolean();

    @Test
    void everyWatcherSeesItsRangesHistoryExactlyOnceInOrderAcrossLeaderChangeAndRestart() throws Exception {
        System.out.println("WatchHistoryIT seed " + SEED + " watchers " + WATCHERS + " writes/phase " + WRITES);
        Path dir = EtcdProcess.workDir("WatchHistoryIT");
        String[] names = {"w1", "w2", "w3"};
        int[] client = new int[3];
        int[] peer = new int[3];
        List<String> initial = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            client[i] = EtcdProcess.freePort();
            peer[i] = EtcdProcess.freePort();
            initial.add(names[i] + "=http://127.0.0.1:" + peer[i]);
        }
        Watchers watchers = null;
        try {
            for (int i = 0; i < 3; i++) {
                members.add(EtcdProcess.launchMember(Kind.OURS, dir.resolve(names[i]), names[i], client[i], peer[i],
                        String.join(",", initial), "--initial-cluster-token", "watch-it"));
            }
            for (int i = 0; i < 3; i++) {
                awaitReady(members.get(i));
                channels[i] = NettyChannelBuilder.forAddress("127.0.0.1", client[i]).usePlaintext()
                        .maxInboundMessageSize(64 << 20).build();
            }
            long base = awaitWrite(0, "h/k00", "base");
            record(base, List.of(new Ev(base, true, "h/k00", "base"))); // watchers from revision 1 see it

            // Phase 1: writers race the creation of the watchers (start revisions 1..now).
            watchers = new Watchers();
            Thread w1 = writer(0, WRITES / 2);
            Thread w2 = writer(1, WRITES / 2);
            w1.start();
            w2.start();
            for (int i = 0; i < WATCHERS; i++) {
                long now = Math.max(1, written.keySet().stream().mapToLong(Long::longValue).max().orElse(base));
                long start = random.nextInt(4) == 0 ? 0 : 1 + random.nextLong(now + 1);
                watchers.add(i, randomRange(), start, i % 3);
            }
            w1.join();
            w2.join();
            long compactAt = maxWritten() - WRITES / 4;
            kv(leader()).compact(CompactionRequest.newBuilder().setRevision(compactAt).setPhysical(true).build());

            // Phase 2: more writes, then kill -9 the leader; the cluster elects another.
            runWriters(WRITES);
            int oldLeader = leader();
            members.get(oldLeader).kill9();
            watchers.memberDown(oldLeader);
            awaitWriteOnSurvivors(oldLeader);
            runWriters(WRITES);

            // Phase 3: the old leader comes back; a follower restarts (its watchers resume elsewhere).
            restart(members.get(oldLeader));
            watchers.memberUp(oldLeader);
            int follower = (oldLeader + 1) % 3 == leader() ? (oldLeader + 2) % 3 : (oldLeader + 1) % 3;
            members.get(follower).terminate(java.time.Duration.ofSeconds(30));
            watchers.memberDown(follower);
            restart(members.get(follower));
            watchers.memberUp(follower);
            runWriters(WRITES);

            long last = maxWritten();
            assertThat(ambiguous.get()).as("every write got an answer (writes pause during failures)").isFalse();
            TreeMap<Long, List<Ev>> history = new TreeMap<>(written);
            // The writers' revisions are contiguous: each write made exactly one revision.
            assertThat(history.firstKey()).isEqualTo(base);
            assertThat(history.lastKey() - history.firstKey() + 1).as("no revision lost or shared")
                    .isEqualTo(history.size());
            assertStoreAgrees(history, compactAt, last);

            watchers.awaitAll(history, last);
            watchers.check(history, last);
        } finally {
            if (watchers != null) {
                watchers.close();
            }
            for (ManagedChannel c : channels) {
                if (c != null) {
                    c.shutdownNow();
                }
            }
            for (EtcdProcess m : members) {
                m.close();
            }
        }
    }

    /** A loaded 2-core machine may need more than one ready timeout for three JVMs to elect. */
    private static void awaitReady(EtcdProcess m) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                m.awaitReady();
                return;
            } catch (IllegalStateException e) {
                if (attempt == 3) {
                    throw e;
                }
                if (!m.isAlive()) {
                    // Seen at load average 30: the member exits at start ("discovery failed":
                    // publishing its attributes timed out). Not what this test checks: relaunch.
                    System.out.println("member exited before serving, relaunching: " + e.getMessage());
                    m.restart();
                }
            }
        }
    }

    private static void restart(EtcdProcess m) throws Exception {
        try {
            m.restart();
        } catch (IllegalStateException e) {
            if (!m.isAlive()) {
                throw e;
            }
            awaitReady(m);
        }
    }

    // ---- writers ------------------------------------------------------------------------------

    private static String key(int i) {
        return String.format("h/k%02d", i);
    }

    private Range randomRange() {
        int kind = random.nextInt(3);
        if (kind == 0) {
            return new Range(key(random.nextInt(KEYS)), null);
        }
        if (kind == 1) {
            return new Range(PREFIX, "h0"); // the whole prefix
        }
        int a = random.nextInt(KEYS);
        int b = a + 1 + random.nextInt(KEYS - a);
        return new Range(key(a), b == KEYS ? "h0" : key(b));
    }

    private void runWriters(int n) throws InterruptedException {
        Thread a = writer(random.nextInt(3), n / 2);
        Thread b = writer(random.nextInt(3), n - n / 2);
        a.start();
        b.start();
        a.join();
        b.join();
    }

    /** A writer thread sending {@code n} random writes through member {@code m} (or any live one). */
    private Thread writer(int m, int n) {
        long seed = random.nextLong();
        return new Thread(() -> {
            Random r = new Random(seed);
            for (int i = 0; i < n; i++) {
                int target = alive(m);
                try {
                    write(target, r);
                } catch (RuntimeException e) {
                    ambiguous.set(true);
                    System.out.println("write failed on member " + target + ": " + e);
                }
            }
        }, "watch-it-writer");
    }

    private int alive(int preferred) {
        for (int i = 0; i < 3; i++) {
            int m = (preferred + i) % 3;
            if (members.get(m).isAlive()) {
                return m;
            }
        }
        throw new IllegalStateException("no member alive");
    }

    private void write(int m, Random r) {
        String k = key(r.nextInt(KEYS));
        int op = r.nextInt(10);
        if (op < 5) {
            String v = "v" + r.nextInt(1_000_000);
            long rev = kv(m).put(PutRequest.newBuilder().setKey(bs(k)).setValue(bs(v)).build()).getHeader().getRevision();
            record(rev, List.of(new Ev(rev, true, k, v)));
        } else if (op < 7) {
            DeleteRangeResponse d = kv(m).deleteRange(DeleteRangeRequest.newBuilder().setKey(bs(k)).build());
            if (d.getDeleted() > 0) {
                long rev = d.getHeader().getRevision();
                record(rev, List.of(new Ev(rev, false, k, "")));
            }
        } else {
            // If k exists: put k2 and delete k3 in one revision; else put k.
            // etcd refuses a txn that puts and deletes the same key ("duplicate key given in txn request").
            int i2 = r.nextInt(KEYS);
            String k2 = key(i2);
            String k3 = key((i2 + 1 + r.nextInt(KEYS - 1)) % KEYS);
            String v = "t" + r.nextInt(1_000_000);
            TxnResponse t = kv(m).txn(TxnRequest.newBuilder()
                    .addCompare(Compare.newBuilder().setKey(bs(k)).setTarget(Compare.CompareTarget.VERSION)
                            .setResult(Compare.CompareResult.GREATER).setVersion(0))
                    .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bs(k2)).setValue(bs(v))))
                    .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(bs(k3))))
                    .addFailure(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bs(k)).setValue(bs(v))))
                    .build());
            long rev = t.getHeader().getRevision();
            List<Ev> evs = new ArrayList<>();
            if (t.getSucceeded()) {
                ResponseOp del = t.getResponses(1);
                evs.add(new Ev(rev, true, k2, v));
                if (del.getResponseDeleteRange().getDeleted() > 0) {
                    evs.add(new Ev(rev, false, k3, ""));
                }
            } else {
                evs.add(new Ev(rev, true, k, v));
            }
            record(rev, evs);
        }
    }

    private void record(long rev, List<Ev> evs) {
        List<Ev> prev = written.put(rev, evs);
        assertThat(prev).as("two writes answered with revision %d", rev).isNull();
    }

    private long maxWritten() {
        return written.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
    }

    private long awaitWrite(int m, String k, String v) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                return kv(m).put(PutRequest.newBuilder().setKey(bs(k)).setValue(bs(v)).build()).getHeader()
                        .getRevision();
            } catch (RuntimeException e) {
                assertThat(System.nanoTime()).as("a write accepted: %s", e).isLessThan(deadline);
                Thread.sleep(100);
            }
        }
    }

    /** Waits until the survivors elected a leader, without writing (a write would enter the history). */
    private void awaitWriteOnSurvivors(int dead) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                int l = leader();
                if (l != dead) {
                    return;
                }
            } catch (RuntimeException e) {
                // no leader yet
            }
            assertThat(System.nanoTime()).as("a new leader within 60 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** The index of the member every live member names as leader. */
    private int leader() {
        Long leaderId = null;
        Map<Long, Integer> byId = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            if (!members.get(i).isAlive()) {
                continue;
            }
            var s = MaintenanceGrpc.newBlockingStub(channels[i]).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .status(StatusRequest.getDefaultInstance());
            byId.put(s.getHeader().getMemberId(), i);
            if (s.getLeader() == 0 || (leaderId != null && leaderId != s.getLeader())) {
                throw new IllegalStateException("no agreed leader");
            }
            leaderId = s.getLeader();
        }
        Integer idx = byId.get(leaderId);
        if (idx == null) {
            throw new IllegalStateException("leader not among live members");
        }
        return idx;
    }

    private KVGrpc.KVBlockingStub kv(int m) {
        return KVGrpc.newBlockingStub(channels[m]).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    /** Reads every revision above the compaction back from the store: state diffs equal the writes. */
    private void assertStoreAgrees(TreeMap<Long, List<Ev>> history, long compactAt, long last) {
        int m = leader();
        Map<String, String> before = state(m, compactAt);
        for (long rev = compactAt + 1; rev <= last; rev++) {
            Map<String, String> after = state(m, rev);
            Map<String, String> expected = new TreeMap<>(before);
            for (Ev e : history.get(rev)) {
                if (e.put()) {
                    expected.put(e.key(), e.value());
                } else {
                    expected.remove(e.key());
                }
            }
            assertThat(after).as("the store's state at revision %d", rev).isEqualTo(expected);
            before = after;
        }
    }

    private Map<String, String> state(int m, long rev) {
        RangeResponse r = kv(m).range(RangeRequest.newBuilder().setKey(bs(PREFIX)).setRangeEnd(bs("h0"))
                .setRevision(rev).build());
        Map<String, String> out = new TreeMap<>();
        for (KeyValue kv : r.getKvsList()) {
            out.put(kv.getKey().toStringUtf8(), kv.getValue().toStringUtf8());
        }
        return out;
    }

    // ---- watchers -----------------------------------------------------------------------------

    /** One watcher's record: segments of events, each begun by a (re)create at a start revision. */
    static final class Watcher {
        final int id;
        final Range range;
        final long start;
        final List<Long> segmentStarts = new ArrayList<>();
        final List<Boolean> compactedAfter = new ArrayList<>();
        final List<List<Ev>> segments = new ArrayList<>();
        int member;
        long lastRev;
        long firstFrom; // start, or for start 0 the created answer's revision + 1
        Object stream; // the stream whose answers count; answers of a left stream are dropped

        Watcher(int id, Range range, long start) {
            this.id = id;
            this.range = range;
            this.start = start;
        }

        synchronized long resumeAt() {
            return lastRev > 0 ? lastRev + 1 : firstFrom > 0 ? firstFrom : start;
        }

        synchronized void begin(Object stream, long from) {
            this.stream = stream;
            if (from > 0 && firstFrom == 0) {
                firstFrom = from;
            }
            segmentStarts.add(from);
            compactedAfter.add(false);
            segments.add(new ArrayList<>());
        }

        /** A created answer: a watch from "now" starts after the revision it was created at. */
        synchronized void created(Object from, long revision) {
            int last = segmentStarts.size() - 1;
            if (from == stream && segmentStarts.get(last) == 0) {
                segmentStarts.set(last, revision + 1);
                if (firstFrom == 0) {
                    firstFrom = revision + 1;
                }
            }
        }

        synchronized void events(Object from, List<Event> evs) {
            if (from != stream) {
                return;
            }
            List<Ev> seg = segments.get(segments.size() - 1);
            for (Event e : evs) {
                Ev ev = Ev.of(e);
                seg.add(ev);
                lastRev = ev.rev();
            }
        }

        synchronized int count() {
            return segments.stream().mapToInt(List::size).sum();
        }
    }

    /** Client streams, one per (member, slot), carrying the watchers. */
    final class Watchers implements AutoCloseable {
        private static final int STREAMS_PER_MEMBER = 10;
        private final Map<Integer, Watcher> all = new ConcurrentHashMap<>();
        private final Map<Integer, List<Stream>> streams = new ConcurrentHashMap<>();
        private final Random pick = new Random(SEED + 1);

        Watchers() {
            for (int m = 0; m < 3; m++) {
                openStreams(m);
            }
        }

        private void openStreams(int m) {
            List<Stream> ss = new ArrayList<>();
            for (int i = 0; i < STREAMS_PER_MEMBER; i++) {
                ss.add(new Stream(m));
            }
            streams.put(m, ss);
        }

        void add(int id, Range range, long start, int member) {
            Watcher w = new Watcher(id, range, start);
            all.put(id, w);
            place(w, member);
        }

        private synchronized void place(Watcher w, int member) {
            w.member = member;
            List<Stream> ss = streams.get(member);
            ss.get(pick.nextInt(ss.size())).create(w, w.resumeAt());
        }

        /** The member died: its streams break; their watchers resume on live members. */
        synchronized void memberDown(int m) {
            for (Stream s : streams.get(m)) {
                s.cancel();
            }
            for (Watcher w : all.values()) {
                if (w.member == m) {
                    place(w, alive(m + 1 + pick.nextInt(2)));
                }
            }
        }

        /** The member is back: new streams there, and a share of the watchers moves to it. */
        synchronized void memberUp(int m) {
            openStreams(m);
            for (Watcher w : all.values()) {
                if (pick.nextInt(3) == 0) {
                    Stream old = find(w);
                    if (old != null) {
                        old.cancelWatch(w);
                    }
                    place(w, m);
                }
            }
        }

        private Stream find(Watcher w) {
            for (Stream s : streams.get(w.member)) {
                if (s.watchers.containsKey(w.id)) {
                    return s;
                }
            }
            return null;
        }

        void awaitAll(TreeMap<Long, List<Ev>> history, long last) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (true) {
                int behind = 0;
                Watcher example = null;
                for (Watcher w : all.values()) {
                    if (w.count() < expectedAtLeast(w, history, last)) {
                        behind++;
                        example = w;
                    }
                }
                if (behind == 0) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(behind + " watchers never caught up, e.g. " + example.id + " "
                            + example.range + " from " + example.start + " segments " + example.segmentStarts
                            + " got " + example.count() + " want " + expectedAtLeast(example, history, last));
                }
                Thread.sleep(50);
            }
        }

        /** Events the last segment must hold (earlier ones are checked in {@link #check}). */
        private int expectedAtLeast(Watcher w, TreeMap<Long, List<Ev>> history, long last) {
            synchronized (w) {
                int before = 0;
                for (int i = 0; i < w.segments.size() - 1; i++) {
                    before += w.segments.get(i).size();
                }
                long from = w.segmentStarts.get(w.segmentStarts.size() - 1);
                return before + expected(w.range, history, from, last + 1).size();
            }
        }

        void check(TreeMap<Long, List<Ev>> history, long last) {
            for (Watcher w : all.values()) {
                synchronized (w) {
                    for (int i = 0; i < w.segments.size(); i++) {
                        long from = w.segmentStarts.get(i);
                        long to = i + 1 < w.segments.size() ? w.segmentStarts.get(i + 1) : last + 1;
                        List<Ev> want = expected(w.range, history, from, to);
                        List<Ev> got = w.segments.get(i);
                        if (from == 0) {
                            // Left before its created answer came: it cannot have had events.
                            assertThat(got).as("watcher %d segment %d", w.id, i).isEmpty();
                            continue;
                        }
                        if (w.compactedAfter.get(i)) {
                            // Cancelled for compaction: what came before the cancel is a prefix.
                            assertThat(want).as("watcher %d %s segment %d from %d", w.id, w.range, i, from)
                                    .startsWith(got.toArray(new Ev[0]));
                        } else {
                            assertThat(got).as("watcher %d %s segment %d [%d, %d) of %s", w.id, w.range, i, from,
                                    to, w.segmentStarts).containsExactlyElementsOf(want);
                        }
                    }
                }
            }
        }

        private List<Ev> expected(Range range, TreeMap<Long, List<Ev>> history, long from, long to) {
            List<Ev> out = new ArrayList<>();
            for (List<Ev> evs : history.subMap(Math.max(from, 1), to).values()) {
                for (Ev e : evs) {
                    if (range.contains(e.key())) {
                        out.add(e);
                    }
                }
            }
            return out;
        }

        @Override
        public void close() {
            for (List<Stream> ss : streams.values()) {
                for (Stream s : ss) {
                    s.cancel();
                }
            }
        }

        /** One gRPC Watch stream; watch ids are the watchers' ids (client-chosen). */
        final class Stream implements StreamObserver<WatchResponse> {
            final int member;
            final Map<Long, Watcher> watchers = new ConcurrentHashMap<>();
            private final StreamObserver<WatchRequest> out;
            private volatile boolean cancelled;

            Stream(int member) {
                this.member = member;
                this.out = WatchGrpc.newStub(channels[member]).watch(this);
            }

            synchronized void create(Watcher w, long from) {
                w.begin(this, from);
                watchers.put((long) w.id + 1, w);
                WatchCreateRequest.Builder c = WatchCreateRequest.newBuilder().setKey(bs(w.range.from()))
                        .setWatchId(w.id + 1).setStartRevision(from);
                if (w.range.to() != null) {
                    c.setRangeEnd(bs(w.range.to()));
                }
                out.onNext(WatchRequest.newBuilder().setCreateRequest(c).build());
            }

            synchronized void cancelWatch(Watcher w) {
                watchers.remove((long) w.id + 1);
                out.onNext(WatchRequest.newBuilder().setCancelRequest(
                        io.etcdjava.api.etcdserverpb.WatchCancelRequest.newBuilder().setWatchId(w.id + 1)).build());
            }

            synchronized void cancel() {
                cancelled = true;
                watchers.clear();
                ((ClientCallStreamObserver<WatchRequest>) out).cancel("test moves on", null);
            }

            @Override
            public void onNext(WatchResponse r) {
                Watcher w = watchers.get(r.getWatchId());
                if (w == null) {
                    return; // cancelled or moved
                }
                if (r.getCanceled()) {
                    if (r.getCompactRevision() > 0) {
                        synchronized (w) {
                            w.compactedAfter.set(w.compactedAfter.size() - 1, true);
                        }
                        synchronized (this) {
                            // The client resumes at the oldest revision still there.
                            watchers.remove(r.getWatchId());
                            create(w, r.getCompactRevision());
                        }
                        return;
                    }
                    throw new AssertionError("watcher " + w.id + " cancelled: " + r);
                }
                if (r.getCreated()) {
                    w.created(this, r.getHeader().getRevision());
                }
                if (r.getEventsCount() > 0) {
                    w.events(this, r.getEventsList());
                }
            }

            @Override
            public void onError(Throwable t) {
                if (!cancelled) {
                    System.out.println("watch stream on member " + member + " failed: " + t);
                }
            }

            @Override
            public void onCompleted() {
            }
        }
    }
}
