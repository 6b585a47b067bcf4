package io.etcdjava.raft.confchange;

import static io.etcdjava.raft.confchange.Script.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdjava.raft.pb.ConfChangeSingle;
import io.etcdjava.raft.pb.ConfChangeType;
import io.etcdjava.raft.quorum.JointConfig;
import io.etcdjava.raft.quorum.MajorityConfig;
import io.etcdjava.raft.tracker.Inflights;
import io.etcdjava.raft.tracker.Progress;
import io.etcdjava.raft.tracker.ProgressTracker;
import io.etcdjava.raft.tracker.TrackerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ChangerTest {

    private static ProgressTracker trackerWith(String... simpleSteps) {
        Script s = new Script();
        for (String step : simpleSteps) {
            s.simple(step);
        }
        return s.tracker;
    }

    private static void adopt(ProgressTracker t, ChangeResult r) {
        t.setConfig(r.config());
        t.setProgress(r.progress());
    }

    // ---- new peers -------------------------------------------------------------------------

    @Test
    void addedPeerStartsAtLastIndexWithMaxInflightWindowAndRecentlyActive() {
        ProgressTracker t = new ProgressTracker(3);
        ChangeResult r = new Changer(t, 17).simple(parse("v1 l2"));
        for (Progress pr : r.progress().values()) {
            assertThat(pr.next()).isEqualTo(17);
            assertThat(pr.match()).isZero();
            assertThat(pr.recentActive()).isTrue();
            pr.inflights().add(1);
            pr.inflights().add(2);
            assertThat(pr.inflights().full()).isFalse();
            pr.inflights().add(3);
            assertThat(pr.inflights().full()).isTrue();
        }
        assertThat(r.progress().get(2L).isLearner()).isTrue();
    }

    // ---- simple ------------------------------------------------------------------------------

    @Test
    void simpleAddsOneVoter() {
        ChangeResult r = new Changer(trackerWith("v1"), 5).simple(parse("v2"));
        assertThat(r.config().voters()).isEqualTo(new JointConfig(MajorityConfig.of(1, 2), MajorityConfig.empty()));
        assertThat(r.progress()).containsOnlyKeys(1L, 2L);
    }

    @Test
    void simpleRemovesOneVoterAndItsProgress() {
        ChangeResult r = new Changer(trackerWith("v1", "v2"), 5).simple(parse("r2"));
        assertThat(r.config().voters().ids()).containsExactly(1);
        assertThat(r.progress()).containsOnlyKeys(1L);
    }

    @Test
    void removingAnUnknownPeerIsANoOp() {
        ProgressTracker t = trackerWith("v1");
        ChangeResult r = new Changer(t, 5).simple(parse("r7"));
        assertThat(r.config()).isEqualTo(t.config());
    }

    @Test
    void promotingALearnerKeepsItsProgress() {
        ProgressTracker t = trackerWith("v1", "l2");
        t.progress().get(2L).setMatch(9);
        ChangeResult r = new Changer(t, 50).simple(parse("v2"));
        assertThat(r.config().voters().ids()).containsExactly(1, 2);
        assertThat(r.config().learners()).isEmpty();
        Progress pr = r.progress().get(2L);
        assertThat(pr.isLearner()).isFalse();
        assertThat(pr.match()).isEqualTo(9);
    }

    @Test
    void demotingAVoterOutsideJointMakesItALearnerRightAway() {
        ProgressTracker t = trackerWith("v1", "v2");
        t.progress().get(2L).setMatch(9);
        ChangeResult r = new Changer(t, 50).simple(parse("l2"));
        assertThat(r.config().voters().ids()).containsExactly(1);
        assertThat(r.config().learners()).containsExactly(2L);
        assertThat(r.config().learnersNext()).isEmpty();
        assertThat(r.progress().get(2L).isLearner()).isTrue();
        assertThat(r.progress().get(2L).match()).isEqualTo(9);
    }

    @Test
    void simpleMayChangeAnyNumberOfLearnersAlongsideOneVoter() {
        ChangeResult r = new Changer(trackerWith("v1"), 5).simple(parse("v2 l3 l4 l5"));
        assertThat(r.config()).hasToString("voters=(1 2) learners=(3 4 5)");
    }

    @Test
    void simpleRejectsChangingTwoVoters() {
        ProgressTracker t = trackerWith("v1");
        assertThatThrownBy(() -> new Changer(t, 5).simple(parse("v2 v3")))
                .isInstanceOf(ConfChangeException.class)
                .hasMessage("more than one voter changed without entering joint config");
    }

    @Test
    void simpleCountsAReplacedVoterAsTwoChanges() {
        ProgressTracker t = trackerWith("v1", "v2");
        assertThatThrownBy(() -> new Changer(t, 5).simple(parse("r1 v3")))
                .hasMessage("more than one voter changed without entering joint config");
    }

    @Test
    void simpleRejectsRemovingAllVoters() {
        ProgressTracker t = trackerWith("v1");
        assertThatThrownBy(() -> new Changer(t, 5).simple(parse("r1")))
                .isInstanceOf(ConfChangeException.class).hasMessage("removed all voters");
    }

    @Test
    void aLearnerOnlyConfigCountsAsRemovingAllVoters() {
        assertThatThrownBy(() -> new Changer(new ProgressTracker(1), 0).simple(parse("l1")))
                .hasMessage("removed all voters");
    }

    @Test
    void simpleIsRejectedInAJointConfig() {
        ProgressTracker t = trackerWith("v1");
        adopt(t, new Changer(t, 5).enterJoint(false, parse("v2")));
        assertThatThrownBy(() -> new Changer(t, 5).simple(parse("l3")))
                .hasMessage("can't apply simple config change in joint config");
    }

    @Test
    void unknownChangeTypeIsRejected() {
        ProgressTracker t = trackerWith("v1");
        ConfChangeSingle bad = ConfChangeSingle.newBuilder().setTypeValue(42).setNodeId(2).build();
        assertThatThrownBy(() -> new Changer(t, 5).simple(List.of(bad)))
                .isInstanceOf(ConfChangeException.class).hasMessage("unexpected conf type 42");
    }

    // ---- joint -------------------------------------------------------------------------------

    @Test
    void enterJointCopiesCurrentVotersToOutgoingAndAppliesChangesToIncoming() {
        ProgressTracker t = trackerWith("v1", "v2", "v3");
        ChangeResult r = new Changer(t, 5).enterJoint(true, parse("r3 v4 v5"));
        assertThat(r.config()).hasToString("voters=(1 2 4 5)&&(1 2 3) autoleave");
        assertThat(r.progress()).as("outgoing voter 3 keeps its progress").containsOnlyKeys(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void enterJointWithNoChangesIsAllowed() {
        ChangeResult r = new Changer(trackerWith("v1"), 5).enterJoint(false, List.of());
        assertThat(r.config()).hasToString("voters=(1)&&(1)");
    }

    @Test
    void enterJointTwiceIsRejected() {
        ProgressTracker t = trackerWith("v1");
        adopt(t, new Changer(t, 5).enterJoint(false, parse("v2")));
        assertThatThrownBy(() -> new Changer(t, 5).enterJoint(true, List.of()))
                .isInstanceOf(ConfChangeException.class).hasMessage("config is already joint");
    }

    @Test
    void enterJointFromZeroVotersIsRejected() {
        assertThatThrownBy(() -> new Changer(new ProgressTracker(1), 0).enterJoint(false, parse("v1")))
                .isInstanceOf(ConfChangeException.class).hasMessage("can't make a zero-voter config joint");
    }

    @Test
    void enterJointRejectsRemovingAllIncomingVoters() {
        ProgressTracker t = trackerWith("v1");
        assertThatThrownBy(() -> new Changer(t, 5).enterJoint(false, parse("r1")))
                .hasMessage("removed all voters");
    }

    @Test
    void leaveJointOutsideJointIsRejected() {
        assertThatThrownBy(() -> new Changer(trackerWith("v1"), 5).leaveJoint())
                .isInstanceOf(ConfChangeException.class).hasMessage("can't leave a non-joint config");
    }

    @Test
    void leaveJointDropsOutgoingOnlyVotersAndClearsAutoLeave() {
        ProgressTracker t = trackerWith("v1", "v2", "v3");
        adopt(t, new Changer(t, 5).enterJoint(true, parse("r3 v4")));
        ChangeResult r = new Changer(t, 6).leaveJoint();
        assertThat(r.config()).hasToString("voters=(1 2 4)");
        assertThat(r.config().autoLeave()).isFalse();
        assertThat(r.progress()).containsOnlyKeys(1L, 2L, 4L);
    }

    @Test
    void demotionInJointIsStagedThenAppliedOnLeaveKeepingProgress() {
        ProgressTracker t = trackerWith("v1", "v2", "v3");
        t.progress().get(3L).setMatch(7);
        ChangeResult joint = new Changer(t, 5).enterJoint(false, parse("l3"));
        assertThat(joint.config()).hasToString("voters=(1 2)&&(1 2 3) learners_next=(3)");
        assertThat(joint.progress().get(3L).isLearner()).as("still an outgoing voter").isFalse();
        adopt(t, joint);
        ChangeResult left = new Changer(t, 6).leaveJoint();
        assertThat(left.config()).hasToString("voters=(1 2) learners=(3)");
        assertThat(left.progress().get(3L).isLearner()).isTrue();
        assertThat(left.progress().get(3L).match()).isEqualTo(7);
    }

    @Test
    void addingANewLearnerInJointTakesEffectImmediately() {
        ChangeResult r = new Changer(trackerWith("v1"), 5).enterJoint(false, parse("l2"));
        assertThat(r.config()).hasToString("voters=(1)&&(1) learners=(2)");
        assertThat(r.progress().get(2L).isLearner()).isTrue();
    }

    @Test
    void repromotingAStagedLearnerCancelsTheDemotion() {
        ProgressTracker t = trackerWith("v1", "v2");
        ChangeResult r = new Changer(t, 5).enterJoint(false, parse("l2 v2"));
        assertThat(r.config()).hasToString("voters=(1 2)&&(1 2)");
    }

    @Test
    void removingAnOutgoingVoterKeepsItsProgressUntilLeave() {
        ProgressTracker t = trackerWith("v1", "v2");
        ChangeResult r = new Changer(t, 5).enterJoint(false, parse("r2"));
        assertThat(r.progress()).containsKey(2L);
        assertThat(r.config()).hasToString("voters=(1)&&(1 2)");
    }

    // ---- purity ------------------------------------------------------------------------------

    @Test
    void successfulChangeDoesNotMutateTheTracker() {
        ProgressTracker t = trackerWith("v1", "v2");
        TrackerConfig before = t.config();
        Progress pr2 = t.progress().get(2L);
        String prBefore = pr2.toString();
        ChangeResult r = new Changer(t, 5).simple(parse("l2 l3"));
        assertThat(t.config()).isSameAs(before);
        assertThat(t.progress()).containsOnlyKeys(1L, 2L);
        assertThat(t.progress().get(2L)).isSameAs(pr2);
        assertThat(pr2.isLearner()).isFalse();
        assertThat(pr2).hasToString(prBefore);
        assertThat(r.progress().get(2L)).isNotSameAs(pr2);
    }

    @Test
    void failedChangeDoesNotMutateTheTracker() {
        ProgressTracker t = trackerWith("v1", "v2");
        String before = t.toString();
        assertThatThrownBy(() -> new Changer(t, 5).simple(parse("l2 l1")));
        assertThat(t).hasToString(before);
        assertThat(t.progress().get(2L).isLearner()).isFalse();
    }

    @Test
    void resultProgressMapIsUnmodifiable() {
        ChangeResult r = new Changer(trackerWith("v1"), 5).simple(parse("v2"));
        assertThatThrownBy(() -> r.progress().remove(1L)).isInstanceOf(UnsupportedOperationException.class);
    }

    // ---- invariants of the input config ------------------------------------------------------

    private static ProgressTracker corrupt(long[] in, long[] out, Set<Long> learners, Set<Long> learnersNext,
            boolean autoLeave, long[] progressIds, long... learnerProgressIds) {
        ProgressTracker t = new ProgressTracker(4);
        t.setConfig(new TrackerConfig(new JointConfig(MajorityConfig.of(in), MajorityConfig.of(out)), autoLeave,
                learners, learnersNext));
        Map<Long, Progress> prs = new TreeMap<>();
        for (long id : progressIds) {
            prs.put(id, new Progress(1, new Inflights(4), false));
        }
        for (long id : learnerProgressIds) {
            prs.put(id, new Progress(1, new Inflights(4), true));
        }
        t.setProgress(prs);
        return t;
    }

    private static long[] ids(long... ids) {
        return ids;
    }

    private static void assertRejected(ProgressTracker t, String message) {
        assertThatThrownBy(() -> new Changer(t, 1).simple(List.of()))
                .isInstanceOf(ConfChangeException.class).hasMessage(message);
        assertThatThrownBy(() -> new Changer(t, 1).leaveJoint())
                .isInstanceOf(ConfChangeException.class).hasMessage(message);
    }

    @Test
    void voterWithoutProgressIsRejected() {
        assertRejected(corrupt(ids(1, 2), ids(), Set.of(), Set.of(), false, ids(1)), "no progress for 2");
    }

    @Test
    void learnerWithoutProgressIsRejected() {
        assertRejected(corrupt(ids(1), ids(), Set.of(3L), Set.of(), false, ids(1)), "no progress for 3");
    }

    @Test
    void stagedLearnerThatIsNotAnOutgoingVoterIsRejected() {
        assertRejected(corrupt(ids(1), ids(2), Set.of(), Set.of(3L), false, ids(1, 2, 3)),
                "3 is in LearnersNext, but not Voters[1]");
    }

    @Test
    void stagedLearnerAlreadyMarkedLearnerIsRejected() {
        assertRejected(corrupt(ids(1), ids(2), Set.of(), Set.of(2L), false, ids(1), 2),
                "2 is in LearnersNext, but is already marked as learner");
    }

    @Test
    void learnerThatIsAnOutgoingVoterIsRejected() {
        assertRejected(corrupt(ids(1), ids(2), Set.of(2L), Set.of(), false, ids(1), 2),
                "2 is in Learners and Voters[1]");
    }

    @Test
    void learnerThatIsAnIncomingVoterIsRejected() {
        assertRejected(corrupt(ids(1), ids(), Set.of(1L), Set.of(), false, ids(), 1),
                "1 is in Learners and Voters[0]");
    }

    @Test
    void learnerWhoseProgressIsNotMarkedLearnerIsRejected() {
        assertRejected(corrupt(ids(1), ids(), Set.of(2L), Set.of(), false, ids(1, 2)),
                "2 is in Learners, but is not marked as learner");
    }

    @Test
    void autoLeaveOutsideJointIsRejected() {
        assertRejected(corrupt(ids(1), ids(), Set.of(), Set.of(), true, ids(1)),
                "AutoLeave must be false when not joint");
    }

    @Test
    void emptyConfigIsLegal() {
        ChangeResult r = new Changer(new ProgressTracker(1), 0).simple(parse("v1"));
        assertThat(r.config()).hasToString("voters=(1)");
    }

    // ---- randomized --------------------------------------------------------------------------

    private static final ConfChangeType[] TYPES = {
        ConfChangeType.ConfChangeAddNode, ConfChangeType.ConfChangeRemoveNode,
        ConfChangeType.ConfChangeUpdateNode, ConfChangeType.ConfChangeAddLearnerNode,
    };

    private static List<ConfChangeSingle> randomChanges(Random rnd, int maxId) {
        List<ConfChangeSingle> ccs = new ArrayList<>();
        int n = 1 + rnd.nextInt(9);
        for (int i = 0; i < n; i++) {
            ccs.add(ConfChangeSingle.newBuilder().setType(TYPES[rnd.nextInt(TYPES.length)])
                    .setNodeId(rnd.nextInt(maxId + 1)).build());
        }
        return ccs;
    }

    /** Every member has a progress, nobody is voter and learner, and nothing else is tracked. */
    private static void assertWellFormed(ChangeResult r) {
        TrackerConfig c = r.config();
        JointConfig v = c.voters();
        Set<Long> members = new TreeSet<>(c.learners());
        for (long id : v.ids()) {
            members.add(id);
            assertThat(c.learners()).as("voter %d is not a learner in %s", id, c).doesNotContain(id);
        }
        members.addAll(c.learnersNext());
        assertThat(r.progress().keySet()).as("tracked peers of %s", c).isEqualTo(members);
        for (long id : c.learnersNext()) {
            assertThat(v.outgoing().contains(id) && !v.incoming().contains(id)).as("staged %d in %s", id, c).isTrue();
        }
        r.progress().forEach((id, pr) ->
                assertThat(pr.isLearner()).as("learner flag of %d in %s", id, c).isEqualTo(c.learners().contains(id)));
        if (!v.isJoint()) {
            assertThat(c.learnersNext()).isEmpty();
            assertThat(c.autoLeave()).isFalse();
        }
    }

    @Test
    void randomChangeSequencesNeverMakeANodeBothVoterAndLearner() {
        Random rnd = new Random(20240601);
        int accepted = 0;
        for (int run = 0; run < 300; run++) {
            ProgressTracker t = new ProgressTracker(4);
            long last = 1;
            for (int step = 0; step < 30; step++) {
                int op = rnd.nextInt(3);
                Changer c = new Changer(t, last++);
                ChangeResult r;
                try {
                    r = switch (op) {
                        case 0 -> c.simple(randomChanges(rnd, 6));
                        case 1 -> c.enterJoint(rnd.nextBoolean(), randomChanges(rnd, 6));
                        default -> c.leaveJoint();
                    };
                } catch (ConfChangeException e) {
                    continue;
                }
                accepted++;
                assertWellFormed(r);
                adopt(t, r);
            }
        }
        assertThat(accepted).as("enough successful changes to be meaningful").isGreaterThan(1000);
    }

    @Test
    void applyingChangesOneByOneEqualsGoingThroughJointConsensus() {
        Random rnd = new Random(99);
        for (int run = 0; run < 1000; run++) {
            // Node 1 is always a voter, so that neither path can run out of voters.
            List<ConfChangeSingle> setup = new ArrayList<>(parse("v1"));
            int n = 1 + rnd.nextInt(5);
            for (int i = 0; i < n; i++) {
                setup.addAll(parse("v" + (1 + rnd.nextInt(5))));
            }
            List<ConfChangeSingle> ccs = new ArrayList<>();
            int m = 1 + rnd.nextInt(9);
            for (int i = 0; i < m; i++) {
                ccs.add(ConfChangeSingle.newBuilder().setType(TYPES[rnd.nextInt(TYPES.length)])
                        .setNodeId(2 + rnd.nextInt(9)).build());
            }

            ProgressTracker simple = new ProgressTracker(10);
            ProgressTracker joint = new ProgressTracker(10);
            for (ConfChangeSingle cc : setup) {
                adopt(simple, new Changer(simple, 10).simple(List.of(cc)));
                adopt(joint, new Changer(joint, 10).simple(List.of(cc)));
            }
            for (ConfChangeSingle cc : ccs) {
                adopt(simple, new Changer(simple, 10).simple(List.of(cc)));
            }
            ChangeResult noAuto = new Changer(joint, 10).enterJoint(false, ccs);
            ChangeResult auto = new Changer(joint, 10).enterJoint(true, ccs);
            assertThat(auto.config().autoLeave()).isTrue();
            assertThat(Script.describe(auto)).isEqualTo(Script.describe(noAuto).replaceFirst("\n", " autoleave\n"));
            adopt(joint, noAuto);
            adopt(joint, new Changer(joint, 10).leaveJoint());

            assertThat(joint.toString()).as("setup %s changes %s", setup, ccs).isEqualTo(simple.toString());
        }
    }
}
