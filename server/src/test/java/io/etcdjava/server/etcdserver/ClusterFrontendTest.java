package io.etcdjava.server.etcdserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterFrontendTest {
    @Test
    void peerUrlsAreCheckedAsEtcdDoesAndSorted() {
        assertThat(ClusterFrontend.checkUrls(List.of("http://b:2380", "https://a:2380")))
                .containsExactly("http://b:2380", "https://a:2380");
        for (String bad : List.of("bad", "ftp://a:2380", "http://a", "http://a:2380/path")) {
            assertThatThrownBy(() -> ClusterFrontend.checkUrls(List.of(bad))).as(bad)
                    .isInstanceOfSatisfying(EtcdException.class,
                            e -> assertThat(e.error()).isEqualTo(EtcdError.MEMBER_BAD_URLS));
        }
    }

    @Test
    void membershipErrorsCarryEtcdsCodesAndTexts() {
        assertThat(EtcdError.MEMBER_NOT_FOUND.code()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(EtcdError.MEMBER_EXIST.message()).isEqualTo("etcdserver: member ID already exist");
        assertThat(EtcdError.PEER_URL_EXIST.message()).isEqualTo("etcdserver: Peer URLs already exists");
        assertThat(EtcdError.TOO_MANY_LEARNERS.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(EtcdError.LEARNER_NOT_READY.message())
                .isEqualTo("etcdserver: can only promote a learner member which is in sync with leader");
        assertThat(EtcdError.UNHEALTHY.code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(EtcdError.TIMEOUT_LEADER_TRANSFER.code()).isEqualTo(Status.Code.UNKNOWN);
        assertThat(EtcdError.BAD_LEADER_TRANSFEREE.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    }
}
