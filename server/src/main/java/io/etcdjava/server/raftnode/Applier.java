package io.etcdjava.server.raftnode;

import io.etcdjava.raft.pb.Entry;
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
}
