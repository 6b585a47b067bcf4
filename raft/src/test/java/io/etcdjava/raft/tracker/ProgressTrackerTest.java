package io.etcdjava.raft.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.quorum.JointConfig;
import io.etcdjava.raft.quorum.MajorityConfig;
import io.etcdjava.raft.quorum.VoteResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProgressTrackerTest {

    /** Tracker with the given voters (incoming, outgoing) and learners, each with a fresh progress. */
    private static ProgressTracker tracker(long[] in, long[] out, long... learners) {
        ProgressTracker t = new ProgressTracker(4);
        Set<Long> ls = new java.util.TreeSet<>();
        for (long l : learners) {
            ls.add(l);
        }
        t.setConfig(new TrackerConfig(new JointConfig(MajorityConfig.of(in), MajorityConfig.of(out)),
                false, ls, Set.of()));
        Map<Long, Progress> prs = new HashMap<>();
        for (long id : t.config().voters().ids()) {
            prs.put(id, new Progress(1, new Inflights(4), false));
        }
        for (long id : learners) {
            prs.put(id, new Progress(1, new Inflights(4), true));
        }
        t.setProgress(prs);
        return t;
    }

    private static long[] ids(long... ids) {
        return ids;
    }

    @Test
    void newTrackerIsEmpty() {
        ProgressTracker t = new ProgressTracker(7);
        assertThat(t.maxInflight()).isEqualTo(7);
        assertThat(t.config()).isEqualTo(TrackerConfig.empty());
        assertThat(t.progress()).isEmpty();
        assertThat(t.voterNodes()).isEmpty();
        assertThat(t.learnerNodes()).isEmpty();
        assertThat(t.confState()).isEqualTo(ConfState.getDefaultInstance());
    }

    @Test
    void progressMapIsLiveAndSortedById() {
        ProgressTracker t = tracker(ids(5, 1, 3), ids());
        assertThat(t.progress().keySet()).containsExactly(1L, 3L, 5L);
        t.progress().get(3L).setMatch(42);
        assertThat(t.progress().get(3L).match()).isEqualTo(42);
    }

    @Test
    void visitGoesInIdOrderOverVotersAndLearners() {
        ProgressTracker t = tracker(ids(9, 2), ids(7), 4, 1);
        List<Long> seen = new ArrayList<>();
        t.visit((id, pr) -> seen.add(id));
        assertThat(seen).containsExactly(1L, 2L, 4L, 7L, 9L);
    }

    @Test
    void confStateListsEveryRoleSorted() {
        ProgressTracker t = new ProgressTracker(4);
        t.setConfig(new TrackerConfig(new JointConfig(MajorityConfig.of(3, 1, 2), MajorityConfig.of(6, 1, 2, 4)),
                true, Set.of(5L), Set.of(4L)));
        ConfState want = ConfState.newBuilder()
                .addAllVoters(List.of(1L, 2L, 3L))
                .addAllVotersOutgoing(List.of(1L, 2L, 4L, 6L))
                .addAllLearners(List.of(5L))
                .addAllLearnersNext(List.of(4L))
                .setAutoLeave(true)
                .build();
        assertThat(t.confState()).isEqualTo(want);
    }

    @Test
    void singletonMeansExactlyOneVoterAndNotJoint() {
        assertThat(tracker(ids(1), ids()).isSingleton()).isTrue();
        assertThat(tracker(ids(1), ids(), 2).isSingleton()).as("learners don't count").isTrue();
        assertThat(tracker(ids(1), ids(1)).isSingleton()).isFalse();
        assertThat(tracker(ids(1, 2), ids()).isSingleton()).isFalse();
        assertThat(new ProgressTracker(1).isSingleton()).isFalse();
    }

    @Test
    void committedIsTheQuorumMatchIgnoringLearners() {
        ProgressTracker t = tracker(ids(1, 2, 3), ids(), 4);
        t.progress().get(1L).setMatch(10);
        t.progress().get(2L).setMatch(8);
        t.progress().get(3L).setMatch(2);
        t.progress().get(4L).setMatch(100);
        assertThat(t.committed()).isEqualTo(8);
    }

    @Test
    void committedInJointConfigNeedsBothHalves() {
        ProgressTracker t = tracker(ids(1, 2, 3), ids(3, 4, 5));
        t.progress().get(1L).setMatch(10);
        t.progress().get(2L).setMatch(10);
        t.progress().get(3L).setMatch(6);
        t.progress().get(4L).setMatch(5);
        t.progress().get(5L).setMatch(1);
        assertThat(t.committed()).isEqualTo(5);
    }

    @Test
    void committedOfEmptyConfigIsUnbounded() {
        assertThat(new ProgressTracker(1).committed()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void voterAndLearnerNodesAreSorted() {
        ProgressTracker t = tracker(ids(3, 1), ids(2, 1), 9, 5);
        assertThat(t.voterNodes()).containsExactly(1, 2, 3);
        assertThat(t.learnerNodes()).containsExactly(5, 9);
    }

    @Test
    void quorumActiveCountsRecentlyActiveVotersOnly() {
        ProgressTracker t = tracker(ids(1, 2, 3), ids(), 4, 5);
        t.progress().get(1L).setRecentActive(true);
        t.progress().get(4L).setRecentActive(true);
        t.progress().get(5L).setRecentActive(true);
        assertThat(t.quorumActive()).as("learners must not make up a quorum").isFalse();
        t.progress().get(2L).setRecentActive(true);
        assertThat(t.quorumActive()).isTrue();
    }

    @Test
    void quorumActiveInJointConfigNeedsBothHalves() {
        ProgressTracker t = tracker(ids(1, 2, 3), ids(4, 5, 6));
        for (long id : ids(1, 2, 3, 4)) {
            t.progress().get(id).setRecentActive(true);
        }
        assertThat(t.quorumActive()).isFalse();
        t.progress().get(5L).setRecentActive(true);
        assertThat(t.quorumActive()).isTrue();
    }

    @Test
    void tallyIgnoresLearnerVotes() {
        ProgressTracker t = tracker(ids(1, 2, 3), ids(), 4, 5);
        t.recordVote(1, true);
        t.recordVote(4, true);
        t.recordVote(5, true);
        assertThat(t.tallyVotes()).isEqualTo(new VoteTally(1, 0, VoteResult.PENDING));
        t.recordVote(2, true);
        assertThat(t.tallyVotes()).isEqualTo(new VoteTally(2, 0, VoteResult.WON));
    }

    @Test
    void onlyTheFirstVoteOfAPeerCounts() {
        ProgressTracker t = tracker(ids(1, 2, 3), ids());
        t.recordVote(2, false);
        t.recordVote(2, true);
        t.recordVote(3, false);
        assertThat(t.tallyVotes()).isEqualTo(new VoteTally(0, 2, VoteResult.LOST));
    }

    @Test
    void tallyIgnoresVotesFromUntrackedPeers() {
        ProgressTracker t = tracker(ids(1, 2, 3), ids());
        t.recordVote(1, true);
        t.recordVote(99, true);
        t.recordVote(98, false);
        assertThat(t.tallyVotes()).isEqualTo(new VoteTally(1, 0, VoteResult.PENDING));
    }

    @Test
    void resetVotesStartsAFreshElection() {
        ProgressTracker t = tracker(ids(1, 2, 3), ids());
        t.recordVote(1, false);
        t.recordVote(2, false);
        assertThat(t.tallyVotes().result()).isEqualTo(VoteResult.LOST);
        t.resetVotes();
        assertThat(t.tallyVotes()).isEqualTo(new VoteTally(0, 0, VoteResult.PENDING));
        t.recordVote(1, true);
        t.recordVote(2, true);
        assertThat(t.tallyVotes()).isEqualTo(new VoteTally(2, 0, VoteResult.WON));
    }

    @Test
    void tallyInJointConfigRequiresBothHalvesToWin() {
        ProgressTracker t = tracker(ids(1, 2, 3), ids(3, 4, 5));
        t.recordVote(1, true);
        t.recordVote(2, true);
        assertThat(t.tallyVotes().result()).isEqualTo(VoteResult.PENDING);
        t.recordVote(4, false);
        t.recordVote(5, false);
        assertThat(t.tallyVotes()).isEqualTo(new VoteTally(2, 2, VoteResult.LOST));
    }

    @Test
    void setProgressCopiesTheMapButAdoptsTheProgresses() {
        ProgressTracker t = new ProgressTracker(4);
        Map<Long, Progress> m = new HashMap<>();
        Progress p = new Progress(1, new Inflights(4), false);
        m.put(2L, p);
        t.setProgress(m);
        m.put(3L, new Progress(1, new Inflights(4), false));
        assertThat(t.progress()).containsOnlyKeys(2L);
        assertThat(t.progress().get(2L)).isSameAs(p);
    }
}
