package io.etcdjava.server.etcdserver;

import com.google.protobuf.ByteString;
import io.etcdjava.api.internal.InternalRaftRequest;
import io.etcdjava.api.internal.RequestHeader;
import io.etcdjava.raft.pb.ConfChange;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.raftnode.RaftNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The member's write path up to raft: gives a request its ID, refuses it when too large or while
 * apply lags far behind commit, proposes it and hands back the {@link Wait} future that the apply
 * thread completes with what applying it produced. Counts the proposals that failed.
 */
final class Proposer {
    /** etcd refuses new proposals while apply lags the commit index by more than this. */
    private static final long MAX_GAP_BETWEEN_APPLY_AND_COMMIT = 5000;

    private final RaftNode raft;
    private final Wait wait;
    private final RequestIds ids;
    private final long maxRequestBytes;
    private final Duration requestTimeout;
    private final LongAdder failedProposals = new LongAdder();

    Proposer(RaftNode raft, Wait wait, RequestIds ids, long maxRequestBytes, Duration requestTimeout) {
        this.raft = raft;
        this.wait = wait;
        this.ids = ids;
        this.maxRequestBytes = maxRequestBytes;
        this.requestTimeout = requestTimeout;
    }

    /** Proposes a request and completes with what applying it produced. */
    CompletableFuture<Object> propose(InternalRaftRequest.Builder req) {
        return propose(req, requestTimeout);
    }

    CompletableFuture<Object> propose(InternalRaftRequest.Builder req, Duration timeout) {
        long id = ids.next();
        byte[] data = req.setHeader(RequestHeader.newBuilder().setID(id)).build().toByteArray();
        if (data.length > maxRequestBytes) {
            return CompletableFuture.failedFuture(EtcdError.REQUEST_TOO_LARGE.exception());
        }
        if (applyBacklogTooLong()) {
            return CompletableFuture.failedFuture(EtcdError.TOO_MANY_REQUESTS.exception());
        }
        return submit(id, timeout, () -> raft.propose(ByteString.copyFrom(data)));
    }

    /** Proposes a membership change; completes with the registry view applying it produced. */
    CompletableFuture<Object> proposeConfChange(ConfChange.Builder cc) {
        if (applyBacklogTooLong()) {
            return CompletableFuture.failedFuture(EtcdError.TOO_MANY_REQUESTS.exception());
        }
        long id = ids.next();
        return submit(id, requestTimeout, () -> raft.proposeConfChange(cc.setId(id).build()));
    }

    /** Proposals that failed (etcd_server_proposals_failed_total). */
    long failedProposals() {
        return failedProposals.sum();
    }

    /**
     * Waits for what applying proposal {@code id} produces, registered before {@code proposal} runs so
     * the apply thread cannot miss it; raft refusing the proposal fails the wait at once.
     */
    private CompletableFuture<Object> submit(long id, Duration timeout, Supplier<CompletableFuture<?>> proposal) {
        CompletableFuture<Object> result = wait.register(id, System.nanoTime() + timeout.toNanos());
        proposal.get().whenComplete((v, err) -> {
            if (err != null) {
                wait.trigger(id, Futures.unwrap(err));
            }
        });
        return result.whenComplete((v, err) -> {
            if (err != null) {
                failedProposals.increment();
            }
        });
    }

    private boolean applyBacklogTooLong() {
        return raft.status().commitIndex() - raft.appliedIndex() > MAX_GAP_BETWEEN_APPLY_AND_COMMIT;
    }
}
