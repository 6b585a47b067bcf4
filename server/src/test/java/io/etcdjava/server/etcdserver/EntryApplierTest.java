package io.etcdjava.server.etcdserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.internal.InternalRaftRequest;
import io.etcdjava.api.internal.RequestHeader;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.EntryType;
import io.etcdjava.server.apply.Applied;
import io.etcdjava.server.apply.KvApplier;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.lease.LeaseMetrics;
import io.etcdjava.server.lease.LeaseStore;
import io.etcdjava.server.membership.MemberRegistry;
import io.etcdjava.server.mvcc.MvccStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class EntryApplierTest {
    @TempDir
    Path dir;
    MvccStore store;
    final Wait wait = new Wait();
    EntryApplier applier;

    @BeforeEach
    void open() {
        store = MvccStore.open(dir);
        LeaseStore leases = LeaseStore.open(store, 5, new LeaseMetrics());
        MembershipApplier membership = new MembershipApplier(store, MemberRegistry.open(store.backend()), id -> { });
        applier = new EntryApplier(store, new KvApplier(store, leases), leases, wait, membership, null);
    }

    @AfterEach
    void close() {
        store.close();
    }

    static Entry entry(long index, InternalRaftRequest.Builder req) {
        return Entry.newBuilder().setIndex(index).setTerm(2).setType(EntryType.EntryNormal)
                .setData(req.setHeader(RequestHeader.newBuilder().setID(index)).build().toByteString()).build();
    }

    static InternalRaftRequest.Builder put(String key) {
        return InternalRaftRequest.newBuilder().setPut(PutRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v")));
    }

    @Test
    void proposersOfABatchAreAnsweredOnlyOnceTheirChangesAreCommittedAndVisible() {
        List<Entry> batch = new ArrayList<>();
        List<CompletableFuture<Object>> answers = new ArrayList<>();
        List<Long> publishedWhenAnswered = new ArrayList<>();
        for (long i = 1; i <= 5; i++) {
            batch.add(entry(i, i == 3
                    ? InternalRaftRequest.newBuilder().setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(42))
                    : put("k" + i)));
            CompletableFuture<Object> f = wait.register(i, Long.MAX_VALUE);
            // Runs on the thread that answers, at the moment it answers.
            f.whenComplete((r, e) -> publishedWhenAnswered.add(store.currentRevision()));
            answers.add(f);
        }
        applier.apply(batch);

        assertThat(answers).allMatch(CompletableFuture::isDone);
        assertThat(answers.get(2)).isCompletedExceptionally();
        assertThat(answers.get(2).handle((r, e) -> e)).isCompletedWithValueMatching(
                e -> e instanceof EtcdException && e.getMessage().contains("requested lease not found"));
        assertThat(((Applied<?>) answers.get(4).join()).revision()).isEqualTo(5);
        // One group: every answer came after the whole batch was published.
        assertThat(publishedWhenAnswered).containsOnly(5L);
        assertThat(store.consistentIndex()).isEqualTo(5);
    }

    @Test
    void aBatchLargerThanTheGroupLimitIsCommittedInSeveralGroups() {
        String big = "x".repeat(1 << 20);
        List<Entry> batch = new ArrayList<>();
        List<Long> publishedWhenAnswered = new ArrayList<>();
        int n = (int) (EntryApplier.GROUP_BYTES >> 20) + 2;
        for (long i = 1; i <= n; i++) {
            batch.add(entry(i, InternalRaftRequest.newBuilder().setPut(PutRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8("k" + i)).setValue(ByteString.copyFromUtf8(big)))));
            wait.register(i, Long.MAX_VALUE).whenComplete((r, e) -> publishedWhenAnswered.add(store.currentRevision()));
        }
        applier.apply(batch);

        assertThat(publishedWhenAnswered).hasSize(n);
        assertThat(publishedWhenAnswered.get(0)).isLessThan(n + 1L);
        assertThat(publishedWhenAnswered.get(n - 1)).isEqualTo(n + 1L);
        assertThat(store.currentRevision()).isEqualTo(n + 1L);
    }
}
