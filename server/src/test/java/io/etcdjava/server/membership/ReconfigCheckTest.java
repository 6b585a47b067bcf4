package io.etcdjava.server.membership;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;

class ReconfigCheckTest {
    private static Member started(long id) {
        return new Member(id, "m" + id, List.of("http://m" + id + ":2380"), List.of(), false);
    }

    private static Member unstarted(long id) {
        return Member.unstarted(id, List.of("http://m" + id + ":2380"), false);
    }

    private static Member learner(long id) {
        return new Member(id, "l" + id, List.of("http://l" + id + ":2380"), List.of(), true);
    }

    private static void assertRefused(ThrowableAssert.ThrowingCallable call, EtcdError error) {
        assertThatThrownBy(call).isInstanceOfSatisfying(EtcdException.class, e -> assertThat(e.error()).isEqualTo(error));
    }

    @Test
    void aLoneStartedMemberMayAddASecondVoter() {
        assertThatCode(() -> ReconfigCheck.checkAddVoter(List.of(started(1)))).doesNotThrowAnyException();
    }

    @Test
    void addingAVoterNeedsAStartedQuorumOfTheLargerCluster() {
        // 2 voters, one not started: with a third, quorum is 2 but only 1 is started.
        assertRefused(() -> ReconfigCheck.checkAddVoter(List.of(started(1), unstarted(2))),
                EtcdError.MEMBER_NOT_ENOUGH_STARTED);
        assertThatCode(() -> ReconfigCheck.checkAddVoter(List.of(started(1), started(2))))
                .doesNotThrowAnyException();
        // 3 voters, one not started: with a fourth, quorum is 3 but only 2 are started.
        assertRefused(() -> ReconfigCheck.checkAddVoter(List.of(started(1), started(2), unstarted(3))),
                EtcdError.MEMBER_NOT_ENOUGH_STARTED);
    }

    @Test
    void removingAVoterNeedsAStartedQuorumOfTheRest() {
        assertRefused(() -> ReconfigCheck.checkRemoveVoter(List.of(started(1), unstarted(2), unstarted(3)), 1),
                EtcdError.MEMBER_NOT_ENOUGH_STARTED);
        assertThatCode(() -> ReconfigCheck.checkRemoveVoter(List.of(started(1), started(2), unstarted(3)), 3))
                .doesNotThrowAnyException();
    }

    @Test
    void removingALearnerIsAlwaysAllowed() {
        assertThatCode(() -> ReconfigCheck.checkRemoveVoter(List.of(started(1), unstarted(2), learner(3)), 3))
                .doesNotThrowAnyException();
    }

    @Test
    void promotingCountsTheLearnerAsStarted() {
        assertThatCode(() -> ReconfigCheck.checkPromote(List.of(started(1), learner(2)))).doesNotThrowAnyException();
        assertRefused(() -> ReconfigCheck.checkPromote(List.of(started(1), unstarted(2), unstarted(3), learner(4))),
                EtcdError.MEMBER_NOT_ENOUGH_STARTED);
    }

    @Test
    void removingAVoterTheLeaderStillHearsFromWhenTheRestAreSilentIsUnhealthy() {
        List<Member> members = List.of(started(1), started(2), started(3));
        assertRefused(() -> ReconfigCheck.checkActiveQuorumAfterRemove(members, 2, 1, Map.of(2L, true, 3L, false)),
                EtcdError.UNHEALTHY);
        assertThatCode(() -> ReconfigCheck.checkActiveQuorumAfterRemove(members, 3, 1, Map.of(2L, true, 3L, false)))
                .doesNotThrowAnyException();
    }

    @Test
    void aLearnerBehindNinetyPercentOfTheLeaderIsNotReady() {
        assertRefused(() -> ReconfigCheck.checkLearnerInSync(89, 100), EtcdError.LEARNER_NOT_READY);
        assertThatCode(() -> ReconfigCheck.checkLearnerInSync(90, 100)).doesNotThrowAnyException();
    }
}
