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
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code GET /version}: {@code {"etcdserver":"3.5.x","etcdcluster":"3.5.0"}}; the cluster
 * version reads "not_decided" until the member knows it, as etcd's does.
 */
public final class VersionService implements HttpService {
    private final String serverVersion;
    private final Supplier<String> clusterVersion;

    public VersionService(String serverVersion, Supplier<String> clusterVersion) {
        this.serverVersion = Objects.requireNonNull(serverVersion, "serverVersion");
        this.clusterVersion = Objects.requireNonNull(clusterVersion, "clusterVersion");
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        if (req.method() != HttpMethod.GET) {
            return GatewayErrors.methodNotAllowed("GET");
        }
        String cluster = clusterVersion.get();
        String body = "{\"etcdserver\":" + Json.quote(serverVersion) + ",\"etcdcluster\":"
                + Json.quote(cluster == null ? "not_decided" : cluster) + "}";
        return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK).contentType(MediaType.JSON).build(),
                HttpData.ofUtf8(body));
    }
}
