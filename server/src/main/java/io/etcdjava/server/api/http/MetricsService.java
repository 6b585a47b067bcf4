package io.etcdjava.server.api.http;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.etcdjava.server.metrics.Metrics;
import java.util.concurrent.CompletableFuture;

/** {@code GET /metrics}: the member's registry in Prometheus text format, rendered off the event loop. */
public final class MetricsService implements HttpService {
    private static final MediaType CONTENT_TYPE = MediaType.parse(Metrics.CONTENT_TYPE);

    private final Metrics metrics;

    public MetricsService(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
            return GatewayErrors.methodNotAllowed("GET");
        }
        // Collectors may read /proc and MXBeans: keep that off the event loop.
        return HttpResponse.of(CompletableFuture.supplyAsync(() -> HttpResponse.of(
                ResponseHeaders.builder(HttpStatus.OK).contentType(CONTENT_TYPE).build(),
                HttpData.ofUtf8(metrics.scrape())), ctx.blockingTaskExecutor()));
    }
}
