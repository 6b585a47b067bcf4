package io.etcdjava.server.api.http;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.SimpleDecoratingHttpService;

/**
 * etcd's default {@code --cors=*}: every HTTP answer on the client port carries the CORS headers,
 * and a preflight OPTIONS is answered 200 before any route sees it (embed/serve.go).
 */
public final class CorsDecorator extends SimpleDecoratingHttpService {
    public CorsDecorator(HttpService delegate) {
        super(delegate);
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) throws Exception {
        ctx.mutateAdditionalResponseHeaders(h -> h
                .add(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "POST, GET, OPTIONS, PUT, DELETE")
                .add(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                .add(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "accept, content-type, authorization"));
        if (req.method() == HttpMethod.OPTIONS) {
            return HttpResponse.of(com.linecorp.armeria.common.ResponseHeaders.of(HttpStatus.OK));
        }
        return unwrap().serve(ctx, req);
    }
}
