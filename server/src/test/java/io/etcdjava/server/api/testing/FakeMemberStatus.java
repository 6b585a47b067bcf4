package io.etcdjava.server.api.testing;

import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.api.etcdserverpb.StatusResponse;
import io.etcdjava.server.etcdserver.MemberStatus;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** A single healthy leader unless told otherwise. */
public final class FakeMemberStatus implements MemberStatus {
    private final FakeKvService kv;
    public volatile boolean hasLeader = true;
    /** Null: healthy. Otherwise checkHealth fails with it (or never completes if it says so). */
    public volatile Supplier<CompletableFuture<Void>> health = () -> CompletableFuture.completedFuture(null);

    public FakeMemberStatus(FakeKvService kv) {
        this.kv = kv;
    }

    @Override
    public CompletableFuture<StatusResponse> status() {
        return CompletableFuture.completedFuture(StatusResponse.newBuilder()
                .setHeader(ResponseHeader.newBuilder().setClusterId(FakeKvService.CLUSTER_ID)
                        .setMemberId(FakeKvService.MEMBER_ID).setRevision(kv.revision())
                        .setRaftTerm(FakeKvService.RAFT_TERM))
                .setVersion("3.5.0")
                .setDbSize(20480)
                .setLeader(FakeKvService.MEMBER_ID)
                .setRaftIndex(15)
                .setRaftTerm(FakeKvService.RAFT_TERM)
                .setRaftAppliedIndex(15)
                .setDbSizeInUse(16384)
                .build());
    }

    @Override
    public boolean hasLeader() {
        return hasLeader;
    }

    @Override
    public CompletableFuture<Void> checkHealth() {
        return health.get();
    }
}
