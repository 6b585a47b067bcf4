package io.etcdjava.raft.snap;

import java.nio.file.Path;

/** A snapshot file as named on disk ({@code %016x-%016x.snap} from term and index); unvalidated. */
public record SnapshotFile(Path path, long term, long index) {
}
