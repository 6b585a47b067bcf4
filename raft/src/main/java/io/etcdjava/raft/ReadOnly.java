package io.etcdjava.raft;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.pb.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The leader's pending read-index requests (ReadOnlySafe). Requests are queued in arrival order;
 * a heartbeat acked by a quorum for one request also confirms every request queued before it, so
 * many reads share one round.
 */
final class ReadOnly {
    /** One pending request: the commit index when it arrived and who acked the heartbeat round. */
    static final class Status {
        final long index;
        final Message req;
        final Map<Long, Boolean> acks = new TreeMap<>();

        Status(long index, Message req) {
            this.index = index;
            this.req = req;
        }
    }

    final ReadOnlyOption option;
    private final Map<ByteString, Status> pending = new HashMap<>();
    private final ArrayDeque<ByteString> queue = new ArrayDeque<>();

    ReadOnly(ReadOnlyOption option) {
        this.option = option;
    }

    static ByteString ctxOf(Message m) {
        return m.getEntries(0).getData();
    }

    void addRequest(long index, Message m) {
        ByteString ctx = ctxOf(m);
        if (pending.containsKey(ctx)) {
            return;
        }
        pending.put(ctx, new Status(index, m));
        queue.addLast(ctx);
    }

    /** Records an ack for the round identified by {@code ctx}; null when no such round is pending. */
    Map<Long, Boolean> recvAck(long id, ByteString ctx) {
        Status s = pending.get(ctx);
        if (s == null) {
            return null;
        }
        s.acks.put(id, Boolean.TRUE);
        return s.acks;
    }

    /** Releases the request identified by {@code ctx} and every request queued before it. */
    List<Status> advance(ByteString ctx) {
        if (!pending.containsKey(ctx)) {
            return List.of();
        }
        List<Status> released = new ArrayList<>();
        while (!queue.isEmpty()) {
            ByteString head = queue.pollFirst();
            released.add(pending.remove(head));
            if (head.equals(ctx)) {
                break;
            }
        }
        return released;
    }

    /** Context of the newest pending request, carried by heartbeats so acks confirm it; null if none. */
    ByteString lastPendingRequestCtx() {
        return queue.isEmpty() ? null : queue.peekLast();
    }

    int pendingCount() {
        return queue.size();
    }
}
