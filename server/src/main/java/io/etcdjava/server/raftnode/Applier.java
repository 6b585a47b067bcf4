package io.etcdjava.server.raftnode;

import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.Snapshot;
import java.util.List;

/**
 * The member's state machine as the raft driver sees it. Called only on the apply thread, with
 * committed entries in log order. Entries at or below the backend's consistent index were
 * applied before a restart and must be skipped (the crash rule in DESIGN.md).
 */
public interface Applier {
    void apply(List<Entry> committed);

    /**
     * Makes everything applied so far durable and returns the last index that now is; raft then
     * may release log entries up to it.
     */
    long forceCommit();

    /**
     * Replaces the state machine by the database that came with raft snapshot {@code snap}, which
     * raft storage already persisted; a no-op when the state machine already holds state at or
     * past the snapshot's index (also the case for every snapshot this member took itself). Called
     * when a snapshot from the leader is due, and once at start with the newest snapshot, which
     * finishes an install a crash interrupted.
     */
    default void installSnapshot(Snapshot snap) {
    }
}
