package io.etcdjava.server.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.api.etcdserverpb.MemberListRequest;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.StatusRequest;
import io.etcdjava.server.errors.EtcdError;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

class LearnerGuardTest {
    @Test
    void aLearnerServesOnlyStatusAndSerializableRanges() {
        assertThat(LearnerGuard.allowedForLearner(StatusRequest.getDefaultInstance())).isTrue();
        assertThat(LearnerGuard.allowedForLearner(RangeRequest.newBuilder().setSerializable(true).build())).isTrue();
        assertThat(LearnerGuard.allowedForLearner(RangeRequest.getDefaultInstance())).isFalse();
        assertThat(LearnerGuard.allowedForLearner(PutRequest.getDefaultInstance())).isFalse();
        assertThat(LearnerGuard.allowedForLearner(MemberListRequest.getDefaultInstance())).isFalse();
    }

    @Test
    void theRefusalIsEtcdsUnavailable() {
        assertThat(EtcdError.NOT_SUPPORTED_FOR_LEARNER.code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(EtcdError.NOT_SUPPORTED_FOR_LEARNER.message()).isEqualTo("etcdserver: rpc not supported for learner");
    }
}
