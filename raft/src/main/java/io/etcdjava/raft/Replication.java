package io.etcdjava.raft;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import io.etcdjava.raft.pb.Snapshot;
import io.etcdjava.raft.tracker.Progress;
import java.util.List;

/**
 * How a leader ships its log: MsgApp batches within each follower's inflight window and
 * {@code maxSizePerMsg}, a snapshot for a follower behind the first index, and heartbeats that
 * carry commit indexes and read-index rounds.
 */
final class Replication {
    private Replication() {
    }

    static void sendAppend(Raft r, long to) {
        maybeSendAppend(r, to, true);
    }

    /**
     * Sends entries (or a snapshot when the follower is behind our first index) to {@code to}.
     * Returns whether a message went out; callers loop on it to pipeline batches in the
     * inflight window without waiting for acks.
     */
    static boolean maybeSendAppend(Raft r, long to, boolean sendIfEmpty) {
        Progress pr = r.prs.progress().get(to);
        if (pr == null || pr.isPaused()) {
            return false;
        }
        long prevIndex = pr.next() - 1;
        long prevTerm;
        List<Entry> ents;
        boolean needSnapshot = false;
        try {
            prevTerm = r.raftLog.term(prevIndex);
            ents = r.raftLog.entries(pr.next(), r.maxMsgSize);
        } catch (CompactedException | UnavailableException e) {
            prevTerm = 0;
            ents = List.of();
            needSnapshot = true;
        }
        if (!needSnapshot && ents.isEmpty() && !sendIfEmpty) {
            return false;
        }
        Message.Builder m = Message.newBuilder().setTo(to);
        if (needSnapshot) {
            if (!pr.recentActive()) {
                r.log.debug(() -> String.format("ignore sending snapshot to %x since it is not recently active", to));
                return false;
            }
            Snapshot snapshot;
            try {
                snapshot = r.raftLog.snapshot();
            } catch (SnapshotTemporarilyUnavailableException e) {
                r.log.debug(() -> String.format("%x failed to send snapshot to %x because snapshot is temporarily unavailable", r.id, to));
                return false;
            }
            if (snapshot.getMetadata().getIndex() == 0) {
                throw new IllegalStateException("need non-empty snapshot");
            }
            long sindex = snapshot.getMetadata().getIndex();
            r.log.info(String.format("%x [firstindex: %d, commit: %d] sent snapshot[index: %d, term: %d] to %x [%s]",
                    r.id, r.raftLog.firstIndex(), r.raftLog.committed(), sindex, snapshot.getMetadata().getTerm(), to, pr));
            pr.becomeSnapshot(sindex);
            m.setType(MessageType.MsgSnap).setSnapshot(snapshot);
        } else {
            m.setType(MessageType.MsgApp).setIndex(prevIndex).setLogTerm(prevTerm)
                    .addAllEntries(ents).setCommit(r.raftLog.committed());
            if (!ents.isEmpty()) {
                long last = ents.get(ents.size() - 1).getIndex();
                switch (pr.state()) {
                    case REPLICATE -> {
                        // Optimistic: assume it arrives, so the next batch can follow at once.
                        pr.optimisticUpdate(last);
                        pr.inflights().add(last);
                    }
                    case PROBE -> pr.setProbeSent(true);
                    default -> throw new IllegalStateException(
                            String.format("%x is sending append in unhandled state %s", r.id, pr.state()));
                }
            }
        }
        r.send(m);
        return true;
    }

    private static void sendHeartbeat(Raft r, long to, ByteString ctx) {
        // Never tell a follower to commit past what it is known to have: it may not have it.
        long commit = Math.min(r.prs.progress().get(to).match(), r.raftLog.committed());
        Message.Builder m = Message.newBuilder().setTo(to).setType(MessageType.MsgHeartbeat).setCommit(commit);
        if (ctx != null) {
            m.setContext(ctx);
        }
        r.send(m);
    }

    static void bcastAppend(Raft r) {
        for (long to : r.prs.progress().keySet().stream().mapToLong(Long::longValue).toArray()) {
            if (to != r.id) {
                sendAppend(r, to);
            }
        }
    }

    static void bcastHeartbeat(Raft r) {
        bcastHeartbeatWithCtx(r, r.readOnly.lastPendingRequestCtx());
    }

    static void bcastHeartbeatWithCtx(Raft r, ByteString ctx) {
        for (long to : r.prs.progress().keySet()) {
            if (to != r.id) {
                sendHeartbeat(r, to, ctx);
            }
        }
    }
}
