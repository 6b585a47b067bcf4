package io.etcdjava.server.etcdserver;

import io.etcdjava.api.etcdserverpb.MoveLeaderResponse;
import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.log.Log;
import io.etcdjava.server.membership.Member;
import io.etcdjava.server.membership.MemberIds;
import io.etcdjava.server.membership.MemberRegistry;
import io.etcdjava.server.raftnode.RaftNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maintenance.MoveLeader on the leader: checks the transferee is a voter, asks raft to transfer
 * and polls until the transferee leads or the request timeout passes.
 */
final class LeaderTransfer {
    // EtcdServer's logger: the lines' "caller" stays what operators grep for.
    private static final Logger log = LoggerFactory.getLogger(EtcdServer.class);

    private final long memberId;
    private final RaftNode raft;
    private final MemberRegistry registry;
    private final Supplier<ResponseHeader> header;
    private final Duration requestTimeout;

    LeaderTransfer(long memberId, RaftNode raft, MemberRegistry registry, Supplier<ResponseHeader> header,
                   Duration requestTimeout) {
        this.memberId = memberId;
        this.raft = raft;
        this.registry = registry;
        this.header = header;
        this.requestTimeout = requestTimeout;
    }

    /** Asks raft to hand leadership to {@code transferee}; completes once it leads. */
    CompletableFuture<MoveLeaderResponse> moveTo(long transferee) {
        if (raft.status().leader() != memberId) {
            return CompletableFuture.failedFuture(EtcdError.NOT_LEADER.exception());
        }
        if (registry.member(transferee).map(Member::isLearner).orElse(true)) {
            return CompletableFuture.failedFuture(EtcdError.BAD_LEADER_TRANSFEREE.exception());
        }
        Log.info(log, "leadership transfer starting", "local-member-id", MemberIds.hex(memberId),
                "current-leader-member-id", MemberIds.hex(memberId),
                "transferee-member-id", MemberIds.hex(transferee));
        raft.transferLeadership(transferee);
        CompletableFuture<MoveLeaderResponse> done = new CompletableFuture<>();
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        awaitLeader(transferee, deadline, done);
        return done;
    }

    /** Checks every 50 ms (like etcd) until {@code transferee} leads or the deadline passes. */
    private void awaitLeader(long transferee, long deadline, CompletableFuture<MoveLeaderResponse> done) {
        if (raft.status().leader() == transferee) {
            Log.info(log, "leadership transfer finished", "local-member-id", MemberIds.hex(memberId),
                    "old-leader-member-id", MemberIds.hex(memberId), "new-leader-member-id", MemberIds.hex(transferee));
            done.complete(MoveLeaderResponse.newBuilder().setHeader(header.get()).build());
        } else if (System.nanoTime() - deadline > 0) {
            done.completeExceptionally(EtcdError.TIMEOUT_LEADER_TRANSFER.exception());
        } else {
            CompletableFuture.runAsync(() -> awaitLeader(transferee, deadline, done),
                    CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
        }
    }
}
