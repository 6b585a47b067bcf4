package io.etcdjava.raft.confchange;

import io.etcdjava.raft.pb.ConfChangeSingle;
import io.etcdjava.raft.pb.ConfChangeType;
import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.tracker.ProgressTracker;
import java.util.ArrayList;
import java.util.List;

/** Rebuilds a configuration from a {@link ConfState} (e.g. from a snapshot) by replaying conf changes. */
public final class Restore {
    private Restore() {}

    /**
     * Returns the config and progress described by {@code cs}, applied on top of {@code tracker}'s
     * (normally empty) state; the tracker itself is not mutated.
     *
     * <p>A joint ConfState such as {@code voters=(1 2 3) outgoing=(1 2 4 6) learners_next=(4)} is
     * rebuilt by first adding the outgoing voters one at a time, which yields the plain config
     * {@code (1 2 4 6)}, and then entering the joint config with: remove every outgoing voter, add
     * every incoming voter, add every learner and every learner_next as learner (those still
     * outgoing voters end up staged in learners_next).
     */
    public static ChangeResult restore(ProgressTracker tracker, long lastIndex, ConfState cs) {
        ProgressTracker scratch = new ProgressTracker(tracker.maxInflight());
        scratch.setConfig(tracker.config());
        scratch.setProgress(tracker.progress());

        List<ConfChangeSingle> incoming = new ArrayList<>();
        for (long id : cs.getVotersOutgoingList()) {
            incoming.add(single(ConfChangeType.ConfChangeRemoveNode, id));
        }
        for (long id : cs.getVotersList()) {
            incoming.add(single(ConfChangeType.ConfChangeAddNode, id));
        }
        for (long id : cs.getLearnersList()) {
            incoming.add(single(ConfChangeType.ConfChangeAddLearnerNode, id));
        }
        for (long id : cs.getLearnersNextList()) {
            incoming.add(single(ConfChangeType.ConfChangeAddLearnerNode, id));
        }

        if (cs.getVotersOutgoingCount() == 0) {
            // Not joint: apply one change at a time, so each is a legal simple change.
            for (ConfChangeSingle cc : incoming) {
                adopt(scratch, new Changer(scratch, lastIndex).simple(List.of(cc)));
            }
        } else {
            for (long id : cs.getVotersOutgoingList()) {
                adopt(scratch, new Changer(scratch, lastIndex).simple(
                        List.of(single(ConfChangeType.ConfChangeAddNode, id))));
            }
            adopt(scratch, new Changer(scratch, lastIndex).enterJoint(cs.getAutoLeave(), incoming));
        }
        return new ChangeResult(scratch.config(), scratch.progress());
    }

    private static void adopt(ProgressTracker t, ChangeResult r) {
        t.setConfig(r.config());
        t.setProgress(r.progress());
    }

    private static ConfChangeSingle single(ConfChangeType type, long id) {
        return ConfChangeSingle.newBuilder().setType(type).setNodeId(id).build();
    }
}
