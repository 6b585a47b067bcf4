package io.etcdjava.server.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.server.errors.EtcdError;
import io.grpc.Status;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class GrpcErrorsTest {
    @Test
    void everyEtcdErrorMapsToItsOwnCodeAndMessage() {
        for (EtcdError e : EtcdError.values()) {
            Status s = GrpcErrors.toStatus(new CompletionException(e.exception()));
            assertThat(s.getCode()).isEqualTo(e.code());
            assertThat(s.getDescription()).isEqualTo(e.message());
        }
    }

    @Test
    void aGrpcStatusPassesThrough() {
        Status s = GrpcErrors.toStatus(Status.PERMISSION_DENIED.withDescription("no").asRuntimeException());
        assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(s.getDescription()).isEqualTo("no");
    }

    @Test
    void anythingElseIsUnknownWithItsMessageAndNoCause() {
        Status s = GrpcErrors.toStatus(new CompletionException(new IllegalStateException("boom")));
        assertThat(s.getCode()).isEqualTo(Status.Code.UNKNOWN);
        assertThat(s.getDescription()).isEqualTo("boom");
        assertThat(s.getCause()).isNull();
        assertThat(GrpcErrors.toStatus(new NullPointerException()).getDescription()).isEqualTo("NullPointerException");
    }
}
