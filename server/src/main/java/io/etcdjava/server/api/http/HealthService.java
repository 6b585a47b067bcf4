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
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.etcdserver.MemberStatus;
import io.etcdjava.server.metrics.Metrics;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code GET /health} in etcd 3.5's shape: {@code {"health":"true","reason":""}} with 200, or
 * {@code {"health":"false","reason":"..."}} with 503. No leader → "RAFT NO LEADER" (skipped for
 * {@code ?serializable=true}); otherwise {@link MemberStatus#checkHealth()} within one second,
 * whose failure message is the reason as the member words it (e.g. "ALARM NOSPACE",
 * "QGET ERROR:etcdserver: ..."); a check that takes longer reads
 * "QGET ERROR:etcdserver: request timed out".
 */
public final class HealthService implements HttpService {
    static final String NO_LEADER = "RAFT NO LEADER";

    private final MemberStatus member;
    private final Metrics metrics;
    private final Duration timeout;

    public HealthService(MemberStatus member, Metrics metrics) {
        this(member, metrics, Duration.ofSeconds(1));
    }

    HealthService(MemberStatus member, Metrics metrics, Duration timeout) {
        this.member = member;
        this.metrics = metrics;
        this.timeout = timeout;
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        if (req.method() != HttpMethod.GET) {
            return GatewayErrors.methodNotAllowed("GET");
        }
        boolean serializable = "true".equals(ctx.queryParam("serializable"));
        if (!serializable && !member.hasLeader()) {
            return respond(NO_LEADER);
        }
        CompletableFuture<Void> check;
        try {
            check = member.checkHealth();
        } catch (RuntimeException e) {
            return respond(reason(e));
        }
        CompletableFuture<HttpResponse> out = check
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((ok, failure) -> respond(failure == null ? null : reason(failure)));
        return HttpResponse.of(out);
    }

    private HttpResponse respond(String failureReason) {
        if (failureReason == null) {
            metrics.healthSuccess().inc();
            // Go sniffs the JSON body as text/plain.
            return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK)
                    .contentType(MediaType.PLAIN_TEXT_UTF_8).build(),
                    HttpData.ofUtf8("{\"health\":\"true\",\"reason\":\"\"}"));
        }
        metrics.healthFailures().inc();
        return GatewayErrors.plain(HttpStatus.SERVICE_UNAVAILABLE,
                "{\"health\":\"false\",\"reason\":" + Json.quote(failureReason) + "}");
    }

    private static String reason(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof TimeoutException) {
            return "QGET ERROR:" + EtcdError.TIMEOUT.message();
        }
        String message = t.getMessage();
        return message != null ? message : t.getClass().getSimpleName();
    }
}
