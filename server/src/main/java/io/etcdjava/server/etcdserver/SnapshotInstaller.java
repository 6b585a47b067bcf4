package io.etcdjava.server.etcdserver;

import io.etcdjava.raft.failpoint.Failpoints;
import io.etcdjava.raft.pb.Snapshot;
import io.etcdjava.server.lease.LeaseStore;
import io.etcdjava.server.log.Log;
import io.etcdjava.server.mvcc.MvccStore;
import io.etcdjava.server.mvcc.backend.BackendSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Swaps in the database received with a leader's raft snapshot, on the apply thread: the MVCC
 * store reopens over it (its index, revisions and consistent index rebuilt, watchers resynced by
 * the store's listener), then the lease store reloads. Raft storage persisted the snapshot before
 * this runs, so a crash in between is finished at the next start.
 */
final class SnapshotInstaller {
    private static final Logger log = LoggerFactory.getLogger(SnapshotInstaller.class);

    private final MvccStore store;
    private final LeaseStore leases;
    private final Path dbDir;
    private final Path snapDir;
    private final BackendSnapshot.StepHook hook;

    SnapshotInstaller(MvccStore store, LeaseStore leases, Path dbDir, Path snapDir, BackendSnapshot.StepHook hook) {
        this.store = store;
        this.leases = leases;
        this.dbDir = dbDir;
        this.snapDir = snapDir;
        this.hook = hook;
    }

    void install(Snapshot snap) {
        long index = snap.getMetadata().getIndex();
        long applied = store.consistentIndex();
        try {
            if (applied >= index) {
                // This member's own snapshot, or one whose database is already in place.
                BackendSnapshot.purge(snapDir, applied);
                return;
            }
            Path received = BackendSnapshot.receivedPath(snapDir, index);
            if (!Files.isDirectory(received)) {
                Log.panic(log, "failed to open snapshot backend", "error",
                        "database snapshot file for index " + index + " not found: " + received);
                throw new IllegalStateException("database snapshot for raft snapshot index " + index
                        + " not found: " + received);
            }
            Log.info(log, "applying snapshot",
                    "current-applied-index", applied,
                    "incoming-leader-snapshot-index", index,
                    "incoming-leader-snapshot-term", snap.getMetadata().getTerm());
            // raft persisted the snapshot, the old database is still in place: the next start installs it
            Failpoints.hit("snapshotInstallBeforeSwap");
            Log.info(log, "restoring mvcc store");
            store.restoreFrom(dir -> BackendSnapshot.install(dir, received, hook));
            Log.info(log, "restored mvcc store", "consistent-index", store.consistentIndex());
            // the new database is in place, the lease store not yet reloaded from it
            Failpoints.hit("snapshotInstallAfterSwap");
            Log.info(log, "restoring lease store");
            leases.reload();
            Log.info(log, "restored lease store");
            Log.info(log, "applied snapshot",
                    "current-snapshot-index", index,
                    "current-applied-index", store.consistentIndex(),
                    "incoming-leader-snapshot-index", index,
                    "incoming-leader-snapshot-term", snap.getMetadata().getTerm());
            BackendSnapshot.purge(snapDir, store.consistentIndex());
        } catch (IOException e) {
            throw new UncheckedIOException("install snapshot " + index, e);
        }
    }

    /**
     * At start, before the store opens: finishes a database swap a crash interrupted (see
     * {@link BackendSnapshot#recover}).
     */
    static void recover(Path dbDir) throws IOException {
        BackendSnapshot.recover(dbDir);
    }
}
