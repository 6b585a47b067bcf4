package io.etcdjava.server.raftnode;

import com.google.protobuf.ByteString;
import io.etcdjava.server.errors.EtcdError;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
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
    private record Parked(CompletableFuture<Long> reader, long since) {
    }

    private List<CompletableFuture<Long>> waiting = new ArrayList<>();
    /** Readers that came while no leader was known, oldest first. */
    private final ArrayDeque<Parked> parked = new ArrayDeque<>();
    private final Map<ByteString, List<CompletableFuture<Long>>> inFlight = new HashMap<>();
    private long nextRound;

    void enqueue(CompletableFuture<Long> reader) {
        waiting.add(reader);
    }

    /**
     * Holds a reader while no leader is known: as in etcd, a leaderless member's read waits for a
     * leader (and times out if none comes) rather than failing at once.
     */
    void park(CompletableFuture<Long> reader, long nowNanos) {
        parked.add(new Parked(reader, nowNanos));
    }

    /** A leader is known: the parked readers join the next round. */
    void unpark() {
        for (Parked p : parked) {
            if (!p.reader().isDone()) {
                waiting.add(p.reader());
            }
        }
        parked.clear();
    }

    /** Fails the readers parked for {@code maxAgeNanos} or more with {@code why}. */
    void expireParked(long nowNanos, long maxAgeNanos, EtcdError why) {
        while (!parked.isEmpty() && nowNanos - parked.peekFirst().since() >= maxAgeNanos) {
            parked.pollFirst().reader().completeExceptionally(why.exception());
        }
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

    /** Fails every reader, in flight, waiting or parked (the member stops). */
    void failEverything(EtcdError why) {
        failAll(why);
        for (CompletableFuture<Long> r : waiting) {
            r.completeExceptionally(why.exception());
        }
        waiting.clear();
        for (Parked p : parked) {
            p.reader().completeExceptionally(why.exception());
        }
        parked.clear();
    }

}
