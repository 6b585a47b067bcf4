package io.etcdjava.raft.confchange;

import io.etcdjava.raft.pb.ConfChangeSingle;
import io.etcdjava.raft.quorum.JointConfig;
import io.etcdjava.raft.quorum.MajorityConfig;
import io.etcdjava.raft.tracker.Inflights;
import io.etcdjava.raft.tracker.Progress;
import io.etcdjava.raft.tracker.ProgressTracker;
import io.etcdjava.raft.tracker.TrackerConfig;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Computes the configuration and progress map that result from applying conf changes to a tracker,
 * either directly (at most one voter changes) or via joint consensus; the tracker is never mutated.
 */
public final class Changer {
    private final ProgressTracker tracker;
    private final long lastIndex;

    /** {@code lastIndex} becomes the initial next index of peers added by a change. */
    public Changer(ProgressTracker tracker, long lastIndex) {
        this.tracker = Objects.requireNonNull(tracker, "tracker");
        this.lastIndex = lastIndex;
    }

    /**
     * Enters a joint config: the current voters become the outgoing half and {@code ccs} are applied
     * to the incoming half. {@code autoLeave} tells Raft whether to leave the joint config by itself.
     */
    public ChangeResult enterJoint(boolean autoLeave, List<ConfChangeSingle> ccs) {
        Work w = checkAndCopy();
        if (w.isJoint()) {
            throw new ConfChangeException("config is already joint");
        }
        if (w.incoming.isEmpty()) {
            // An empty config may grow via simple changes (bootstrap, tests) but never go joint.
            throw new ConfChangeException("can't make a zero-voter config joint");
        }
        w.outgoing.addAll(w.incoming);
        apply(w, ccs);
        w.autoLeave = autoLeave;
        return checkAndReturn(w);
    }

    /**
     * Leaves the joint config: staged learners become learners, and peers that were only outgoing
     * voters are dropped.
     */
    public ChangeResult leaveJoint() {
        Work w = checkAndCopy();
        if (!w.isJoint()) {
            throw new ConfChangeException("can't leave a non-joint config");
        }
        for (long id : w.learnersNext) {
            w.learners.add(id);
            // Progress is kept as is: a demoted voter keeps replicating where it was.
            w.prs.get(id).setLearner(true);
        }
        w.learnersNext.clear();
        for (long id : w.outgoing) {
            if (!w.incoming.contains(id) && !w.learners.contains(id)) {
                w.prs.remove(id);
            }
        }
        w.outgoing.clear();
        w.autoLeave = false;
        return checkAndReturn(w);
    }

    /**
     * Applies {@code ccs} without joint consensus, which is only safe if at most one voter is added
     * or removed (any two majorities of the old and new config then still intersect).
     */
    public ChangeResult simple(List<ConfChangeSingle> ccs) {
        Work w = checkAndCopy();
        if (w.isJoint()) {
            throw new ConfChangeException("can't apply simple config change in joint config");
        }
        apply(w, ccs);
        if (symmetricDifference(tracker.config().voters().incoming(), w.incoming) > 1) {
            throw new ConfChangeException("more than one voter changed without entering joint config");
        }
        return checkAndReturn(w);
    }

    private void apply(Work w, List<ConfChangeSingle> ccs) {
        for (ConfChangeSingle cc : ccs) {
            long id = cc.getNodeId();
            if (id == 0) {
                // etcd zeroes the node id of changes the application decided not to apply.
                continue;
            }
            switch (cc.getType()) {
                case ConfChangeAddNode -> makeVoter(w, id);
                case ConfChangeAddLearnerNode -> makeLearner(w, id);
                case ConfChangeRemoveNode -> remove(w, id);
                case ConfChangeUpdateNode -> { /* membership is unaffected */ }
                default -> throw new ConfChangeException("unexpected conf type " + cc.getTypeValue());
            }
        }
        if (w.incoming.isEmpty()) {
            throw new ConfChangeException("removed all voters");
        }
    }

    private void makeVoter(Work w, long id) {
        Progress pr = w.prs.get(id);
        if (pr == null) {
            initProgress(w, id, false);
            return;
        }
        pr.setLearner(false);
        w.learners.remove(id);
        w.learnersNext.remove(id);
        w.incoming.add(id);
    }

    private void makeLearner(Work w, long id) {
        Progress pr = w.prs.get(id);
        if (pr == null) {
            initProgress(w, id, true);
            return;
        }
        if (pr.isLearner()) {
            return;
        }
        // Drop it as an incoming voter but keep its progress: it stays tracked either way.
        remove(w, id);
        w.prs.put(id, pr);
        if (w.outgoing.contains(id)) {
            // Still an outgoing voter, and voters can't be learners: become one on leaving the joint config.
            w.learnersNext.add(id);
        } else {
            pr.setLearner(true);
            w.learners.add(id);
        }
    }

    private void remove(Work w, long id) {
        if (!w.prs.containsKey(id)) {
            return;
        }
        w.incoming.remove(id);
        w.learners.remove(id);
        w.learnersNext.remove(id);
        // An outgoing voter still takes part in decisions, so its progress must survive.
        if (!w.outgoing.contains(id)) {
            w.prs.remove(id);
        }
    }

    private void initProgress(Work w, long id, boolean isLearner) {
        if (isLearner) {
            w.learners.add(id);
        } else {
            w.incoming.add(id);
        }
        // Next = lastIndex lets the leader probe the new peer right away.
        Progress pr = new Progress(lastIndex, new Inflights(tracker.maxInflight()), isLearner);
        // Counted as active so that check-quorum does not depose the leader before the peer spoke.
        pr.setRecentActive(true);
        w.prs.put(id, pr);
    }

    private Work checkAndCopy() {
        TrackerConfig cfg = tracker.config();
        Map<Long, Progress> prs = tracker.progress();
        checkInvariants(cfg, prs);
        return new Work(cfg, prs);
    }

    private static ChangeResult checkAndReturn(Work w) {
        TrackerConfig cfg = w.toConfig();
        checkInvariants(cfg, w.prs);
        return new ChangeResult(cfg, w.prs);
    }

    /** Throws if {@code cfg} and {@code prs} are inconsistent; the empty config is deliberately legal. */
    static void checkInvariants(TrackerConfig cfg, Map<Long, Progress> prs) {
        JointConfig voters = cfg.voters();
        for (long id : voters.ids()) {
            requireProgress(prs, id);
        }
        for (long id : cfg.learners()) {
            requireProgress(prs, id);
        }
        for (long id : cfg.learnersNext()) {
            requireProgress(prs, id);
        }
        // A staged learner exists only because it is still an outgoing voter.
        for (long id : cfg.learnersNext()) {
            if (!voters.outgoing().contains(id)) {
                throw new ConfChangeException(fmt(id) + " is in LearnersNext, but not Voters[1]");
            }
            if (prs.get(id).isLearner()) {
                throw new ConfChangeException(fmt(id) + " is in LearnersNext, but is already marked as learner");
            }
        }
        // Learners and voters never intersect.
        for (long id : cfg.learners()) {
            if (voters.outgoing().contains(id)) {
                throw new ConfChangeException(fmt(id) + " is in Learners and Voters[1]");
            }
            if (voters.incoming().contains(id)) {
                throw new ConfChangeException(fmt(id) + " is in Learners and Voters[0]");
            }
            if (!prs.get(id).isLearner()) {
                throw new ConfChangeException(fmt(id) + " is in Learners, but is not marked as learner");
            }
        }
        if (!voters.isJoint()) {
            if (!cfg.learnersNext().isEmpty()) {
                throw new ConfChangeException("LearnersNext must be nil when not joint");
            }
            if (cfg.autoLeave()) {
                throw new ConfChangeException("AutoLeave must be false when not joint");
            }
        }
    }

    private static void requireProgress(Map<Long, Progress> prs, long id) {
        if (!prs.containsKey(id)) {
            throw new ConfChangeException("no progress for " + fmt(id));
        }
    }

    private static String fmt(long id) {
        return Long.toUnsignedString(id);
    }

    private static int symmetricDifference(MajorityConfig before, Set<Long> after) {
        int n = 0;
        for (long id : before.ids()) {
            if (!after.contains(id)) {
                n++;
            }
        }
        for (long id : after) {
            if (!before.contains(id)) {
                n++;
            }
        }
        return n;
    }

    /** Mutable scratch copy of a config and its progress map. */
    private static final class Work {
        final TreeSet<Long> incoming = new TreeSet<>();
        final TreeSet<Long> outgoing = new TreeSet<>();
        final TreeSet<Long> learners;
        final TreeSet<Long> learnersNext;
        boolean autoLeave;
        final TreeMap<Long, Progress> prs = new TreeMap<>();

        Work(TrackerConfig cfg, Map<Long, Progress> progress) {
            for (long id : cfg.voters().incoming().ids()) {
                incoming.add(id);
            }
            for (long id : cfg.voters().outgoing().ids()) {
                outgoing.add(id);
            }
            learners = new TreeSet<>(cfg.learners());
            learnersNext = new TreeSet<>(cfg.learnersNext());
            autoLeave = cfg.autoLeave();
            // Deep copies, so that a rejected change leaves the tracker's progress untouched.
            progress.forEach((id, pr) -> prs.put(id, pr.copy()));
        }

        boolean isJoint() {
            return !outgoing.isEmpty();
        }

        TrackerConfig toConfig() {
            return new TrackerConfig(
                    new JointConfig(MajorityConfig.of(incoming), MajorityConfig.of(outgoing)),
                    autoLeave, learners, learnersNext);
        }
    }
}
