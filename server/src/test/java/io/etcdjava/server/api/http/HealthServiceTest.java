package io.etcdjava.server.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.etcdjava.server.api.testing.FakeKvService;
import io.etcdjava.server.api.testing.FakeMemberStatus;
import io.etcdjava.server.metrics.Metrics;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class HealthServiceTest {
    private final FakeMemberStatus member = new FakeMemberStatus(new FakeKvService());
    private final Metrics metrics = Metrics.createWithoutJvm();

    private AggregatedHttpResponse get(HealthService health) throws Exception {
        HttpRequest req = HttpRequest.of(HttpMethod.GET, "/health");
        return health.serve(ServiceRequestContext.of(req), req).aggregate().join();
    }

    @Test
    void aCheckThatDoesNotAnswerInTimeIsAQgetTimeout() throws Exception {
        member.health = CompletableFuture::new;
        HealthService health = new HealthService(member, metrics, Duration.ofMillis(50));

        AggregatedHttpResponse r = get(health);

        assertThat(r.status().code()).isEqualTo(503);
        assertThat(r.contentUtf8()).isEqualTo("{\"health\":\"false\",\"reason\":\"QGET ERROR:etcdserver: request timed out\"}\n");
        assertThat(metrics.healthFailures().get()).isEqualTo(1);
    }

    @Test
    void aCheckThatThrowsIsUnhealthyWithItsMessage() throws Exception {
        member.health = () -> {
            throw new IllegalStateException("ALARM NOSPACE");
        };

        AggregatedHttpResponse r = get(new HealthService(member, metrics));

        assertThat(r.contentUtf8()).isEqualTo("{\"health\":\"false\",\"reason\":\"ALARM NOSPACE\"}\n");
    }
}
