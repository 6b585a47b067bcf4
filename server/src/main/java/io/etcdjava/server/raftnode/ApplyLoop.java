package io.etcdjava.server.raftnode;

import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.Snapshot;
import io.etcdjava.raft.pb.SnapshotMetadata;
import io.etcdjava.server.errors.EtcdError;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * What the apply thread runs ({@link RaftNode} owns, starts and joins that thread): committed
 * batches and snapshots from the leader go to the {@link Applier} in log order, tasks run between
 * batches at the applied state, and every snapshot-count entries the raft loop is asked for a
 * snapshot up to what the backend holds durably.
 */
final class ApplyLoop implements Runnable {
    /** Committed entries for the apply thread, with the configuration in force after them. */
    private record Committed(List<Entry> entries, ConfState conf) {
    }

    /** Work to run on the apply thread between two batches (see {@link RaftNode#atAppliedState}). */
    private record AppliedStateTask(RaftNode.AppliedStateAction action, CompletableFuture<SnapshotMetadata> result) {
    }

    private final Applier applier;
    private final AppliedIndexWaiter appliedWaiter;
    /** The newest snapshot raft storage holds; read once, when the loop starts. */
    private final Supplier<Snapshot> newestSnapshot;
    private final long snapshotCount;
    private final BooleanSupplier running;
    /** Asks the raft loop for a snapshot at the given durable index. */
    private final LongConsumer snapshotDue;
    private final Consumer<Throwable> failed;
    /** Committed entry batches ({@link Committed}), received snapshots ({@link Snapshot}) and tasks, in order. */
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    /** Apply-thread only: index of the last snapshot asked for. */
    private long lastSnapshotRequested;

    ApplyLoop(Applier applier, AppliedIndexWaiter appliedWaiter, Supplier<Snapshot> newestSnapshot,
              long snapshotIndex, long snapshotCount, BooleanSupplier running, LongConsumer snapshotDue,
              Consumer<Throwable> failed) {
        this.applier = applier;
        this.appliedWaiter = appliedWaiter;
        this.newestSnapshot = newestSnapshot;
        this.lastSnapshotRequested = snapshotIndex;
        this.snapshotCount = snapshotCount;
        this.running = running;
        this.snapshotDue = snapshotDue;
        this.failed = failed;
    }

    /** Committed entries to apply, with the configuration in force after them. */
    void committed(List<Entry> entries, ConfState conf) {
        queue.add(new Committed(entries, conf));
    }

    /** A snapshot from the leader that raft storage already persisted. */
    void install(Snapshot snap) {
        queue.add(snap);
    }

    void atAppliedState(RaftNode.AppliedStateAction action, CompletableFuture<SnapshotMetadata> result) {
        queue.add(new AppliedStateTask(action, result));
    }

    /** Lets the loop notice that the node stopped. */
    void wake() {
        queue.add(List.of());
    }

    @Override
    public void run() {
        // Apply thread only: the state applied so far, as raft snapshot metadata.
        SnapshotMetadata applied = SnapshotMetadata.getDefaultInstance();
        try {
            Snapshot newest = newestSnapshot.get();
            applied = newest.getMetadata();
            if (newest.getMetadata().getIndex() > 0) {
                // Finishes an install cut short by a crash after raft persisted the snapshot.
                applier.installSnapshot(newest);
            }
            while (true) {
                Object item = queue.take();
                if (item instanceof Snapshot snap) {
                    applier.installSnapshot(snap);
                    long index = snap.getMetadata().getIndex();
                    appliedWaiter.applied(index);
                    applied = snap.getMetadata();
                    lastSnapshotRequested = Math.max(lastSnapshotRequested, index);
                    continue;
                }
                if (item instanceof AppliedStateTask t) {
                    runAtAppliedState(t, applied);
                    continue;
                }
                if (!(item instanceof Committed c)) {
                    if (!running.getAsBoolean()) {
                        return;
                    }
                    continue;
                }
                List<Entry> batch = c.entries();
                applier.apply(batch);
                Entry lastEntry = batch.get(batch.size() - 1);
                long last = lastEntry.getIndex();
                appliedWaiter.applied(last);
                applied = SnapshotMetadata.newBuilder().setIndex(last).setTerm(lastEntry.getTerm())
                        .setConfState(c.conf()).build();
                if (last - lastSnapshotRequested >= snapshotCount) {
                    lastSnapshotRequested = last;
                    // Raft may release its log only once the backend holds the state durably.
                    long durable = applier.forceCommit();
                    snapshotDue.accept(Math.min(durable, last));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failed.accept(t);
        } finally {
            for (Object o : queue) {
                if (o instanceof AppliedStateTask t) {
                    t.result().completeExceptionally(EtcdError.STOPPED.exception());
                }
            }
        }
    }

    private void runAtAppliedState(AppliedStateTask t, SnapshotMetadata applied) {
        try {
            applier.forceCommit();
            t.action().run();
            t.result().complete(applied);
        } catch (Exception e) {
            t.result().completeExceptionally(e);
        }
    }
}
