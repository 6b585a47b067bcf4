package io.etcdjava.raft.snap;

import java.io.IOException;
import java.nio.file.Path;

/** A snapshot file is truncated, fails its checksum, or does not decode. */
public final class SnapshotCorruptionException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public SnapshotCorruptionException(Path file, String detail) {
        super("snap: " + file + ": " + detail);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
