package io.etcdjava.raft.wal;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.HardState;
import java.util.List;
import java.util.Optional;

/**
 * Everything the raft driver needs to restart from the WAL.
 *
 * @param metadata the bytes given to {@link Wal#create}
 * @param hardState the last hard state saved (the default instance if none was)
 * @param entries entries after the snapshot index, contiguous, with suffixes that were later
 *     overwritten (by a new leader) already replaced
 * @param tornTail what open cut off the end of the WAL, if anything
 */
public record ReadResult(
        ByteString metadata, HardState hardState, List<Entry> entries, Optional<TornTail> tornTail) {

    public boolean tornTailRepaired() {
        return tornTail.isPresent();
    }
}
