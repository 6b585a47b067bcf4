package io.etcdjava.server.etcdserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdjava.raft.pb.Snapshot;
import io.etcdjava.raft.pb.SnapshotMetadata;
import io.etcdjava.server.lease.LeaseMetrics;
import io.etcdjava.server.lease.LeaseStore;
import io.etcdjava.server.mvcc.MvccStore;
import io.etcdjava.server.mvcc.WriteTxn;
import io.etcdjava.server.mvcc.backend.BackendSnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The apply path's side of a leader snapshot, including the start-up case: raft storage already
 * holds a snapshot the backend is behind (a crash between persisting and installing it).
 */
@Timeout(30)
class SnapshotInstallerTest {
    @TempDir
    Path dir;

    private static Snapshot snap(long index) {
        return Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setIndex(index).setTerm(2)).build();
    }

    private static void fill(MvccStore s, int from, int to) {
        for (int i = from; i <= to; i++) {
            try (WriteTxn t = s.write(i, 2)) {
                t.put(("k" + i).getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8), 0);
            }
        }
    }

    @Test
    void aSnapshotAheadOfTheBackendIsInstalledAndOneAtOrBehindItIsANoOp() throws Exception {
        Path snapDir = dir.resolve("snap");
        Files.createDirectories(snapDir);
        try (MvccStore leader = MvccStore.open(dir.resolve("leader"))) {
            fill(leader, 1, 12);
            leader.backend().checkpoint(BackendSnapshot.receivedPath(snapDir, 10));
        }
        Path db = dir.resolve("db");
        SnapshotInstaller.recover(db);
        try (MvccStore store = MvccStore.open(db)) {
            fill(store, 1, 3);
            LeaseStore leases = LeaseStore.open(store, 5, new LeaseMetrics());
            SnapshotInstaller installer = new SnapshotInstaller(store, leases, db, snapDir, step -> { });

            installer.install(snap(2));
            assertThat(store.consistentIndex()).as("behind the backend: nothing to do").isEqualTo(3);

            installer.install(snap(10));
            assertThat(store.consistentIndex()).as("the checkpoint was taken at applied index 12").isEqualTo(12);
            assertThat(store.keysTotal()).isEqualTo(12);
            assertThat(BackendSnapshot.receivedPath(snapDir, 10)).doesNotExist();

            installer.install(snap(10));
            assertThat(store.consistentIndex()).isEqualTo(12);

            assertThatThrownBy(() -> installer.install(snap(40)))
                    .as("a snapshot ahead of the backend without its database cannot be applied")
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("not found");
        }
    }
}
