package io.etcdjava.server.lease;

import io.etcdjava.api.etcdserverpb.LeaseCheckpoint;
import io.etcdjava.api.etcdserverpb.LeaseCheckpointRequest;
import io.etcdjava.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdjava.api.internal.InternalRaftRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The raft entries the lessor proposes: revokes, and checkpoints in batches of at most 1000 per
 * entry (etcd's limit). Holds no state; safe from any thread.
 */
final class LeaseProposals {
    private static final int MAX_CHECKPOINT_BATCH = 1000;

    private final Lessor.Proposer proposer;
    private final Executor lessorThread;

    LeaseProposals(Lessor.Proposer proposer, Executor lessorThread) {
        this.proposer = proposer;
        this.lessorThread = lessorThread;
    }

    CompletableFuture<Object> revoke(long id) {
        return proposer.propose(InternalRaftRequest.newBuilder().setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(id)));
    }

    /** Clears the remainders of renewed leases; {@code waiters} complete once all applied. */
    void clears(List<Long> ids, List<CompletableFuture<Void>> waiters) {
        List<LeaseCheckpoint> cps = new ArrayList<>(ids.size());
        for (long id : ids) {
            cps.add(LeaseCheckpoint.newBuilder().setID(id).setRemainingTTL(0).build());
        }
        checkpoints(cps, waiters);
    }

    /** Proposes {@code cps}; {@code waiters} complete, on the lessor thread, once all applied. */
    void checkpoints(List<LeaseCheckpoint> cps, List<CompletableFuture<Void>> waiters) {
        if (cps.isEmpty() && waiters.isEmpty()) {
            return;
        }
        List<CompletableFuture<Object>> all = new ArrayList<>();
        for (int i = 0; i < cps.size(); i += MAX_CHECKPOINT_BATCH) {
            LeaseCheckpointRequest.Builder b = LeaseCheckpointRequest.newBuilder()
                    .addAllCheckpoints(cps.subList(i, Math.min(cps.size(), i + MAX_CHECKPOINT_BATCH)));
            all.add(proposer.propose(InternalRaftRequest.newBuilder().setLeaseCheckpoint(b)));
        }
        if (waiters.isEmpty()) {
            return;
        }
        // The proposals complete on the apply thread; the keep-alive replies waiting on them are
        // built and sent from the lessor thread instead, so that apply (and the puts queued behind
        // it) does not pay for them.
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).whenComplete((v, err) -> {
            Runnable answer = () -> {
                for (CompletableFuture<Void> w : waiters) {
                    if (err != null) {
                        w.completeExceptionally(err);
                    } else {
                        w.complete(null);
                    }
                }
            };
            try {
                lessorThread.execute(answer);
            } catch (RejectedExecutionException stopped) {
                answer.run();
            }
        });
    }
}
