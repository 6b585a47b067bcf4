package io.etcdjava.server.raftnode;

import io.etcdjava.raft.pb.ConfState;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which configuration was in force at which log index. The raft loop applies conf changes when it
 * hands committed entries to the apply thread, so by the time the backend is durable at index i
 * the current configuration may already be newer; a snapshot at i must carry the one at i.
 */
final class ConfStateHistory {
    private final TreeMap<Long, ConfState> byIndex = new TreeMap<>();

    void record(long index, ConfState cs) {
        byIndex.put(index, cs);
    }

    ConfState at(long index) {
        Map.Entry<Long, ConfState> e = byIndex.floorEntry(index);
        return e == null ? ConfState.getDefaultInstance() : e.getValue();
    }

    /** The newest configuration recorded. */
    ConfState latest() {
        Map.Entry<Long, ConfState> e = byIndex.lastEntry();
        return e == null ? ConfState.getDefaultInstance() : e.getValue();
    }

    /** Forgets configurations superseded before {@code index}; keeps the one in force there. */
    void pruneBefore(long index) {
        Long floor = byIndex.floorKey(index);
        if (floor != null) {
            byIndex.headMap(floor, false).clear();
        }
    }
}
