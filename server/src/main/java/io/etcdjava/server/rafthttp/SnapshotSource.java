package io.etcdjava.server.rafthttp;

import java.nio.file.Path;

/** Where the leader's database snapshots come from: the member's backend. */
public interface SnapshotSource {
    /**
     * Writes a consistent copy of the whole database into {@code target} (which does not exist
     * yet); its consistent index must be at least the index of every raft snapshot raft may send.
     */
    void checkpoint(Path target) throws Exception;

    /** A directory on the data dir's file system for temporary checkpoints. */
    Path scratchDir();
}
