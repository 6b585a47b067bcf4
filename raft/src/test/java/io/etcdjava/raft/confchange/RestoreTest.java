package io.etcdjava.raft.confchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.tracker.ProgressTracker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RestoreTest {

    private static ProgressTracker restored(ConfState cs) {
        ProgressTracker t = new ProgressTracker(20);
        ChangeResult r = Restore.restore(t, 10, cs);
        t.setConfig(r.config());
        t.setProgress(r.progress());
        return t;
    }

    private static ConfState sorted(ConfState cs) {
        return ConfState.newBuilder()
                .addAllVoters(cs.getVotersList().stream().sorted().toList())
                .addAllLearners(cs.getLearnersList().stream().sorted().toList())
                .addAllVotersOutgoing(cs.getVotersOutgoingList().stream().sorted().toList())
                .addAllLearnersNext(cs.getLearnersNextList().stream().sorted().toList())
                .setAutoLeave(cs.getAutoLeave())
                .build();
    }

    private static List<Long> ids(long... ids) {
        List<Long> l = new ArrayList<>();
        for (long id : ids) {
            l.add(id);
        }
        return l;
    }

    @Test
    void emptyConfStateRestoresTheEmptyConfig() {
        ProgressTracker t = restored(ConfState.getDefaultInstance());
        assertThat(t.confState()).isEqualTo(ConfState.getDefaultInstance());
        assertThat(t.progress()).isEmpty();
    }

    @Test
    void votersOnlyRoundTrips() {
        ConfState cs = ConfState.newBuilder().addAllVoters(ids(1, 2, 3)).build();
        assertThat(restored(cs).confState()).isEqualTo(cs);
    }

    @Test
    void votersAndLearnersRoundTrip() {
        ConfState cs = ConfState.newBuilder().addAllVoters(ids(1, 2, 3)).addAllLearners(ids(4, 5, 6)).build();
        ProgressTracker t = restored(cs);
        assertThat(t.confState()).isEqualTo(cs);
        assertThat(t.progress().get(5L).isLearner()).isTrue();
    }

    @Test
    void jointConfigWithStagedLearnerRoundTrips() {
        ConfState cs = ConfState.newBuilder()
                .addAllVoters(ids(1, 2, 3)).addAllLearners(ids(5))
                .addAllVotersOutgoing(ids(1, 2, 4, 6)).addAllLearnersNext(ids(4))
                .setAutoLeave(true)
                .build();
        ProgressTracker t = restored(cs);
        assertThat(t.confState()).isEqualTo(cs);
        assertThat(t.config()).hasToString("voters=(1 2 3)&&(1 2 4 6) learners=(5) learners_next=(4) autoleave");
        assertThat(t.progress().keySet()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void restoredPeersStartAtLastIndex() {
        ConfState cs = ConfState.newBuilder().addAllVoters(ids(1, 2)).addAllLearners(ids(3)).build();
        restored(cs).progress().values().forEach(pr -> {
            assertThat(pr.next()).isEqualTo(10);
            assertThat(pr.match()).isZero();
        });
    }

    @Test
    void restoreDoesNotMutateTheTracker() {
        ProgressTracker t = new ProgressTracker(20);
        Restore.restore(t, 10, ConfState.newBuilder().addAllVoters(ids(1, 2)).build());
        assertThat(t.progress()).isEmpty();
        assertThat(t.confState()).isEqualTo(ConfState.getDefaultInstance());
    }

    /** Random non-empty ConfState with disjoint roles, as etcd's restore test generates them. */
    private static ConfState randomConfState(Random rnd) {
        int nVoters = 1 + rnd.nextInt(5);
        int nLearners = rnd.nextInt(5);
        int nRemovedVoters = rnd.nextInt(3); // outgoing voters that are not incoming voters
        List<Long> pool = new ArrayList<>();
        for (long id = 1; id <= 2L * (nVoters + nLearners + nRemovedVoters); id++) {
            pool.add(id);
        }
        Collections.shuffle(pool, rnd);
        List<Long> voters = pool.subList(0, nVoters);
        List<Long> learners = pool.subList(nVoters, nVoters + nLearners);
        List<Long> removed = pool.subList(nVoters + nLearners, nVoters + nLearners + nRemovedVoters);

        ConfState.Builder b = ConfState.newBuilder().addAllVoters(voters).addAllLearners(learners);
        int retained = rnd.nextInt(nVoters + 1);
        b.addAllVotersOutgoing(voters.subList(0, retained)).addAllVotersOutgoing(removed);
        if (nRemovedVoters > 0) {
            b.addAllLearnersNext(removed.subList(0, rnd.nextInt(nRemovedVoters + 1)));
        }
        b.setAutoLeave(b.getVotersOutgoingCount() > 0 && rnd.nextBoolean());
        return b.build();
    }

    @Test
    void randomConfStatesRoundTripThroughRestore() {
        Random rnd = new Random(12345);
        for (int i = 0; i < 2000; i++) {
            ConfState cs = randomConfState(rnd);
            assertThat(restored(cs).confState()).as("input %s", cs).isEqualTo(sorted(cs));
        }
    }
}
