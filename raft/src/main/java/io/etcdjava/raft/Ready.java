package io.etcdjava.raft;

import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.HardState;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.Snapshot;
import java.util.List;

/**
 * What the application must do next, in this order: persist {@code hardState}, {@code entries}
 * and {@code snapshot} (one fsync when {@code mustSync}); send {@code messages} (a leader may send
 * its MsgApps while persisting, everything else only after); apply {@code snapshot} then
 * {@code committedEntries}; serve {@code readStates} once applied far enough; then call
 * {@link RawNode#advance}.
 *
 * @param softState null when unchanged since the previous Ready
 * @param hardState null when unchanged since the previous Ready
 * @param snapshot null when there is no snapshot to persist and apply
 */
public record Ready(
        SoftState softState,
        HardState hardState,
        List<ReadState> readStates,
        List<Entry> entries,
        Snapshot snapshot,
        List<Entry> committedEntries,
        List<Message> messages,
        boolean mustSync) {

    /** The index the application will have applied once it is done with this Ready; 0 if none. */
    long appliedCursor() {
        if (!committedEntries.isEmpty()) {
            return committedEntries.get(committedEntries.size() - 1).getIndex();
        }
        if (snapshot != null && snapshot.getMetadata().getIndex() > 0) {
            return snapshot.getMetadata().getIndex();
        }
        return 0;
    }
}
