package io.etcdjava.server.raftnode;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.pb.ConfChange;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.server.errors.EtcdError;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What other threads hand the raft loop, in arrival order: proposals, reads, peer messages and
 * reports, requests. Any thread adds; only the raft loop takes.
 */
final class RaftInbox {
    record Proposal(ByteString data, CompletableFuture<Void> accepted) {
    }

    record ReadRequest(CompletableFuture<Long> index) {
    }

    record SnapshotRequest(long durableIndex) {
    }

    record Inbound(Message message) {
    }

    record TransferRequest(long transferee) {
    }

    record Unreachable(long peer) {
    }

    record SnapshotStatus(long peer, boolean failed) {
    }

    record ConfProposal(ConfChange change, CompletableFuture<Void> accepted) {
    }

    record StatusQuery(CompletableFuture<io.etcdjava.raft.Status> result) {
    }

    /** Tells the raft loop to stop. */
    static final Object STOP = new Object();

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();

    void add(Object item) {
        queue.add(item);
    }

    Object poll() {
        return queue.poll();
    }

    Object poll(long timeoutNanos) throws InterruptedException {
        return queue.poll(timeoutNanos, TimeUnit.NANOSECONDS);
    }

    void drainTo(Collection<Object> batch) {
        queue.drainTo(batch);
    }

    /** Fails what is left once the loop stopped: its callers would wait forever. */
    void failPending() {
        Object o;
        while ((o = queue.poll()) != null) {
            if (o instanceof Proposal p) {
                p.accepted().completeExceptionally(EtcdError.STOPPED.exception());
            } else if (o instanceof ConfProposal cp) {
                cp.accepted().completeExceptionally(EtcdError.STOPPED.exception());
            } else if (o instanceof StatusQuery q) {
                q.result().completeExceptionally(EtcdError.STOPPED.exception());
            } else if (o instanceof ReadRequest r) {
                r.index().completeExceptionally(EtcdError.STOPPED.exception());
            }
        }
    }
}
