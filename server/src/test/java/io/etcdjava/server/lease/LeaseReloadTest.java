package io.etcdjava.server.lease;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.server.apply.KvApplier;
import io.etcdjava.server.mvcc.MvccStore;
import io.etcdjava.server.mvcc.backend.BackendSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** After the store is replaced by a leader's snapshot, the lease store holds the leader's leases. */
@Timeout(30)
class LeaseReloadTest {
    @TempDir
    Path dir;

    private static void grant(LeaseStore leases, long id, long index) {
        leases.grant(LeaseGrantRequest.newBuilder().setID(id).setTTL(60).build(), index, 1);
    }

    @Test
    void reloadReplacesLeasesAndAttachmentsAndTellsTheListenerWhatCameAndWent() throws Exception {
        Path received = BackendSnapshot.receivedPath(dir.resolve("snap"), 3);
        Files.createDirectories(received.getParent());
        try (MvccStore leaderStore = MvccStore.open(dir.resolve("leader"))) {
            LeaseStore leader = LeaseStore.open(leaderStore, 5, new LeaseMetrics());
            grant(leader, 2, 1);
            grant(leader, 3, 2);
            new KvApplier(leaderStore, leader).put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
                    .setValue(ByteString.copyFromUtf8("v")).setLease(2).build(), 3, 1);
            leaderStore.backend().checkpoint(received);
        }

        try (MvccStore store = MvccStore.open(dir.resolve("db"))) {
            LeaseStore leases = LeaseStore.open(store, 5, new LeaseMetrics());
            grant(leases, 1, 1);
            grant(leases, 3, 2);
            List<String> told = new ArrayList<>();
            leases.setListener(new LeaseStore.Listener() {
                @Override
                public void granted(long id) {
                    told.add("+" + id);
                }

                @Override
                public void revoked(long id) {
                    told.add("-" + id);
                }
            });

            store.restoreFrom(d -> BackendSnapshot.install(d, received, step -> { }));
            leases.reload();

            assertThat(leases.ids()).containsExactlyInAnyOrder(2L, 3L);
            assertThat(leases.lookup(2).orElseThrow().keys()).containsExactly(ByteString.copyFromUtf8("k"));
            assertThat(leases.lookup(3).orElseThrow().keys()).isEmpty();
            assertThat(told).containsExactly("-1", "+2");
        }
    }
}
