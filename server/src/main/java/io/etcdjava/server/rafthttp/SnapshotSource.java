package io.etcdjava.server.rafthttp;

import io.etcdjava.raft.pb.SnapshotMetadata;
import java.nio.file.Path;

/** Where the leader's database snapshots come from: the member's backend. */
public interface SnapshotSource {
    /**
     * Writes a consistent copy of the whole database into {@code target} (which does not exist
     * yet); its consistent index must be at least the index of every raft snapshot raft may send.
     */
    void checkpoint(Path target) throws Exception;

    /**
     * As {@link #checkpoint(Path)}, returning the raft snapshot metadata the copy is to be sent
     * under. By default raft's own ({@code raftSnapshot}); a member whose copy holds everything it
     * applied returns that state's index, term and configuration instead (etcd's merged snapshot),
     * so a member added after raft's last snapshot finds itself in the configuration it installs.
     */
    default SnapshotMetadata checkpoint(Path target, SnapshotMetadata raftSnapshot) throws Exception {
        checkpoint(target);
        return raftSnapshot;
    }

    /** A directory on the data dir's file system for temporary checkpoints. */
    Path scratchDir();
}
