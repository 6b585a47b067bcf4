package io.etcdjava.server.mvcc;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.mvcc.backend.Backend;
import io.etcdjava.server.mvcc.backend.Batch;
import io.etcdjava.server.mvcc.backend.Schema;

/**
 * Physically deletes compacted revisions on its own thread ({@code mvcc-compactor}), in batches,
 * in the order compactions were requested; then records the finished compaction and asks RocksDB
 * to reclaim the space.
 */
final class Compactor implements AutoCloseable {
    private final Backend backend;
    private final int batchLimit;
    private final ExecutorService exec = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mvcc-compactor");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopped;

    Compactor(Backend backend, int batchLimit) {
        this.backend = backend;
        this.batchLimit = batchLimit;
    }

    CompletableFuture<Void> schedule(long rev, Set<Revision> keep) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            exec.execute(() -> {
                try {
                    if (run(rev, keep)) {
                        done.complete(null);
                        reclaim(rev);
                    } else {
                        done.completeExceptionally(EtcdError.STOPPED.exception());
                    }
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.completeExceptionally(EtcdError.STOPPED.exception());
        }
        return done;
    }

    /** Deletes revisions {@code <= rev} not in {@code keep}; false if stopped before finishing. */
    private boolean run(long rev, Set<Revision> keep) {
        byte[] end = Revision.longBytes(rev + 1);
        byte[] from = new byte[Revision.BYTES];
        while (true) {
            if (stopped) {
                return false;
            }
            List<byte[]> keys = new ArrayList<>(batchLimit);
            backend.forEach(Schema.KEY, from, end, (k, v) -> {
                keys.add(k);
                return keys.size() < batchLimit;
            });
            try (Batch b = backend.newBatch()) {
                for (byte[] k : keys) {
                    if (!keep.contains(Revision.fromBytes(k))) {
                        b.delete(Schema.KEY, k);
                    }
                }
                boolean last = keys.size() < batchLimit;
                if (last) {
                    b.put(Schema.META, Schema.META_FINISHED_COMPACT, new Revision(rev, 0).toBytes());
                }
                io.etcdjava.raft.failpoint.Failpoints.hit("compactBeforeCommit");
                backend.commit(b);
                if (last) {
                    return true;
                }
            }
            Revision lastRev = Revision.fromBytes(keys.get(keys.size() - 1));
            from = new Revision(lastRev.main(), lastRev.sub() + 1).toBytes();
        }
    }

    private void reclaim(long rev) {
        if (stopped) {
            return;
        }
        try {
            backend.compactRange(Schema.KEY, null, Revision.longBytes(rev + 1));
        } catch (RuntimeException e) {
            // Space is reclaimed later by RocksDB's own compactions; nothing is lost.
        }
    }

    @Override
    public void close() {
        stopped = true;
        exec.shutdown();
        try {
            if (!exec.awaitTermination(30, TimeUnit.SECONDS)) {
                exec.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
