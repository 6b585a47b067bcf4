package io.etcdjava.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.Compare;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.DeleteRangeResponse;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

/**
 * The watch history test's writers (put, delete, txn on a few keys) and the history they record:
 * what each write's response says it did at its revision. Writes never run during a failure, so
 * every write gets an answer; one that does not makes the history ambiguous and is a problem, as is
 * a revision answered to two writes.
 */
final class HistoryWriters {
    static final String PREFIX = "h/";
    static final String PREFIX_END = "h0";
    static final int KEYS = 16;

    private final ManagedChannel[] channels;
    private final IntPredicate alive;
    private final Map<Long, List<HistoryEvent>> written = new ConcurrentHashMap<>();
    private final Queue<String> problems = new ConcurrentLinkedQueue<>();

    HistoryWriters(ManagedChannel[] channels, IntPredicate alive) {
        this.channels = channels;
        this.alive = alive;
    }

    static String key(int i) {
        return String.format("h/k%02d", i);
    }

    /** The first write, retried until the cluster takes it; returns its revision. */
    long writeBase(int m) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                long rev = kv(m).put(PutRequest.newBuilder().setKey(bs(key(0))).setValue(bs("base")).build())
                        .getHeader().getRevision();
                record(rev, List.of(new HistoryEvent(rev, true, key(0), "base")));
                return rev;
            } catch (RuntimeException e) {
                // A put that failed may still have been applied; only an unavailable cluster is retried.
                assertThat(e.getMessage()).as("the first write fails only while the cluster is unavailable")
                        .contains("UNAVAILABLE");
                assertThat(System.nanoTime()).as("a write accepted: %s", e).isLessThan(deadline);
                Thread.sleep(100);
            }
        }
    }

    /** Two writer threads, {@code n} writes in all, through the given members (or any live one). */
    void run(int n, Random random) throws InterruptedException {
        Thread a = start(random.nextInt(3), n / 2, random.nextLong());
        Thread b = start(random.nextInt(3), n - n / 2, random.nextLong());
        a.join();
        b.join();
    }

    /** A started writer thread sending {@code n} random writes through member {@code m}. */
    Thread start(int m, int n, long seed) {
        Thread t = new Thread(() -> {
            Random r = new Random(seed);
            for (int i = 0; i < n; i++) {
                int target = liveMember(m);
                try {
                    write(target, r);
                } catch (RuntimeException e) {
                    problems.add("write failed on member " + target + " (its revision is unknown): " + e);
                }
            }
        }, "watch-it-writer");
        t.start();
        return t;
    }

    /** Writes without an answer, and revisions answered to two writes. */
    List<String> problems() {
        return List.copyOf(problems);
    }

    long maxWritten() {
        return written.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
    }

    TreeMap<Long, List<HistoryEvent>> history() {
        return new TreeMap<>(written);
    }

    private int liveMember(int preferred) {
        for (int i = 0; i < 3; i++) {
            int m = (preferred + i) % 3;
            if (alive.test(m)) {
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
            record(rev, List.of(new HistoryEvent(rev, true, k, v)));
        } else if (op < 7) {
            DeleteRangeResponse d = kv(m).deleteRange(DeleteRangeRequest.newBuilder().setKey(bs(k)).build());
            if (d.getDeleted() > 0) {
                long rev = d.getHeader().getRevision();
                record(rev, List.of(new HistoryEvent(rev, false, k, "")));
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
            List<HistoryEvent> evs = new ArrayList<>();
            if (t.getSucceeded()) {
                evs.add(new HistoryEvent(rev, true, k2, v));
                if (t.getResponses(1).getResponseDeleteRange().getDeleted() > 0) {
                    evs.add(new HistoryEvent(rev, false, k3, ""));
                }
            } else {
                evs.add(new HistoryEvent(rev, true, k, v));
            }
            record(rev, evs);
        }
    }

    private void record(long rev, List<HistoryEvent> evs) {
        List<HistoryEvent> prev = written.put(rev, evs);
        if (prev != null) {
            problems.add("two writes answered with revision " + rev + ": " + prev + " and " + evs);
        }
    }

    private KVGrpc.KVBlockingStub kv(int m) {
        return KVGrpc.newBlockingStub(channels[m]).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }
}
