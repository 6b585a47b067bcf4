package io.etcdjava.server.raftnode;

import com.google.protobuf.ByteString;
import io.etcdjava.server.errors.EtcdError;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Batches linearizable reads: every read that arrives before a round is issued shares that
 * round's ReadIndex. A read never joins a round already in flight, because that round's index
 * may predate a write the reader has already seen acknowledged. Raft-loop thread only, except
 * {@link #enqueue}'s caller hands futures over through the loop's inbox.
 */
final class ReadIndexRounds {
    private List<CompletableFuture<Long>> waiting = new ArrayList<>();
    private final Map<ByteString, List<CompletableFuture<Long>>> inFlight = new HashMap<>();
    private long nextRound;

    void enqueue(CompletableFuture<Long> reader) {
        waiting.add(reader);
    }

    boolean hasWaiting() {
        return !waiting.isEmpty();
    }

    /** Moves the waiting readers into a new round; returns its request context. */
    ByteString startRound() {
        ByteString ctx = ByteString.copyFrom(ByteBuffer.allocate(8).putLong(++nextRound).array());
        inFlight.put(ctx, waiting);
        waiting = new ArrayList<>();
        return ctx;
    }

    /** Raft answered a round: its readers may read once the member applied {@code index}. */
    void complete(ByteString ctx, long index) {
        List<CompletableFuture<Long>> readers = inFlight.remove(ctx);
        if (readers != null) {
            for (CompletableFuture<Long> r : readers) {
                r.complete(index);
            }
        }
    }

    /**
     * Fails every outstanding round: raft silently drops read-index requests when leadership
     * changes, so their answers would never come.
     */
    void failAll(EtcdError why) {
        for (List<CompletableFuture<Long>> readers : inFlight.values()) {
            for (CompletableFuture<Long> r : readers) {
                r.completeExceptionally(why.exception());
            }
        }
        inFlight.clear();
    }

}
