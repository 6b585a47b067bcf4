package io.etcdjava.raft;

import io.etcdjava.raft.pb.ConfChangeV2;
import io.etcdjava.raft.pb.Entry;
import java.util.List;

/**
 * Read-only window into a {@link RawNode}'s log for the simulation's invariant checkers: the public
 * {@link RawNode#status()} carries term, vote, commit, applied and last index, but not the log itself.
 */
public final class SimAccess {
    private SimAccess() {
    }

    public static StateType state(RawNode n) {
        return n.raft().state;
    }

    public static long term(RawNode n) {
        return n.raft().term;
    }

    public static long applied(RawNode n) {
        return n.raft().raftLog.applied();
    }

    /** The node's current configuration (a new object whenever it changes). */
    public static io.etcdjava.raft.tracker.TrackerConfig config(RawNode n) {
        return n.raft().prs.config();
    }

    /** Voters of the node's current configuration (incoming half when joint). */
    public static long[] voters(RawNode n) {
        return n.raft().prs.config().voters().incoming().ids();
    }

    /** Voters of the outgoing half of a joint configuration; empty when not joint. */
    public static long[] outgoingVoters(RawNode n) {
        return n.raft().prs.config().voters().outgoing().ids();
    }

    public static long committed(RawNode n) {
        return n.raft().raftLog.committed();
    }

    public static long firstIndex(RawNode n) {
        return n.raft().raftLog.firstIndex();
    }

    public static long lastIndex(RawNode n) {
        return n.raft().raftLog.lastIndex();
    }

    /** Term of entry {@code i}, or -1 if compacted or not held. */
    public static long term(RawNode n, long i) {
        RaftLog l = n.raft().raftLog;
        if (i < l.firstIndex() - 1 || i > l.lastIndex()) {
            return -1;
        }
        try {
            return l.term(i);
        } catch (CompactedException | UnavailableException e) {
            return -1;
        }
    }

    /** Entries in [lo, hi) of the node's whole log (stable and unstable). */
    public static List<Entry> entries(RawNode n, long lo, long hi) {
        return n.raft().raftLog.slice(lo, hi, Long.MAX_VALUE);
    }

    public static ConfChangeV2 confChangeOf(Entry e) {
        return Raft.confChangeOf(e);
    }
}
