package io.etcdjava.raft.tracker;

import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.quorum.JointConfig;
import io.etcdjava.raft.quorum.MajorityConfig;
import io.etcdjava.raft.quorum.VoteResult;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/** The leader's membership config plus per-peer progress and the votes of the current election. */
public final class ProgressTracker {
    private final int maxInflight;
    private TrackerConfig config = TrackerConfig.empty();
    private TreeMap<Long, Progress> progress = new TreeMap<>();
    private final TreeMap<Long, Boolean> votes = new TreeMap<>();

    public ProgressTracker(int maxInflight) {
        this.maxInflight = maxInflight;
    }

    public TrackerConfig config() {
        return config;
    }

    public void setConfig(TrackerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** The live progress map, iterated in id order; mutations are seen by the tracker. */
    public Map<Long, Progress> progress() {
        return progress;
    }

    /** Replaces the progress map; the {@link Progress} objects are adopted, not copied. */
    public void setProgress(Map<Long, Progress> progress) {
        this.progress = new TreeMap<>(progress);
    }

    /** Capacity given to the inflight window of each new {@link Progress}. */
    public int maxInflight() {
        return maxInflight;
    }

    /** Describes the current config as a protobuf, with every id list sorted. */
    public ConfState confState() {
        ConfState.Builder b = ConfState.newBuilder()
                .setAutoLeave(config.autoLeave())
                .addAllLearners(config.learners())
                .addAllLearnersNext(config.learnersNext());
        for (long id : config.voters().incoming().ids()) {
            b.addVoters(id);
        }
        for (long id : config.voters().outgoing().ids()) {
            b.addVotersOutgoing(id);
        }
        return b.build();
    }

    /** True iff there is exactly one voter and no joint transition, so the leader alone is a quorum. */
    public boolean isSingleton() {
        JointConfig v = config.voters();
        return v.incoming().size() == 1 && !v.isJoint();
    }

    /** The largest log index acked (matched) by a quorum of voters. */
    public long committed() {
        return config.voters().committedIndex(id -> {
            Progress pr = progress.get(id);
            return pr == null ? 0 : pr.match();
        });
    }

    /** Calls {@code f} for every tracked peer (voters and learners) in ascending id order. */
    public void visit(BiConsumer<Long, Progress> f) {
        for (Map.Entry<Long, Progress> e : progress.entrySet()) {
            f.accept(e.getKey(), e.getValue());
        }
    }

    /** Whether a quorum of voters has been recently active (learners do not count). */
    public boolean quorumActive() {
        TreeMap<Long, Boolean> active = new TreeMap<>();
        for (Map.Entry<Long, Progress> e : progress.entrySet()) {
            if (!e.getValue().isLearner()) {
                active.put(e.getKey(), e.getValue().recentActive());
            }
        }
        return config.voters().voteResult(active) == VoteResult.WON;
    }

    /** Sorted ids of all voters in either half of the config. */
    public long[] voterNodes() {
        return config.voters().ids();
    }

    /** Sorted ids of the learners. */
    public long[] learnerNodes() {
        return MajorityConfig.of(config.learners()).ids();
    }

    /** Forgets all votes, for a new election. */
    public void resetVotes() {
        votes.clear();
    }

    /** Records a vote; only the first vote of a peer in an election counts. */
    public void recordVote(long id, boolean granted) {
        votes.putIfAbsent(id, granted);
    }

    /** Tallies recorded votes; counts include only tracked voters, the result only config voters. */
    public VoteTally tallyVotes() {
        int granted = 0;
        int rejected = 0;
        for (Map.Entry<Long, Progress> e : progress.entrySet()) {
            if (e.getValue().isLearner()) {
                continue;
            }
            Boolean v = votes.get(e.getKey());
            if (v == null) {
                continue;
            }
            if (v) {
                granted++;
            } else {
                rejected++;
            }
        }
        return new VoteTally(granted, rejected, config.voters().voteResult(votes));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(config.toString()).append('\n');
        progress.forEach((id, pr) -> sb.append(Long.toUnsignedString(id)).append(": ").append(pr).append('\n'));
        return sb.toString();
    }
}
