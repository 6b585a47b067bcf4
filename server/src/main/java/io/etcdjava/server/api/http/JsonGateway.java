package io.etcdjava.server.api.http;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * etcd's {@code /v3/...} JSON gateway (grpc-gateway v1 as etcd 3.4/3.5 embed it): each
 * {@code google.api.http} POST binding of a registered gRPC method is served by calling that
 * method's handler in-process, so the gateway shares the services and interceptors of the gRPC
 * port. JSON as grpc-gateway's JSONPb{OrigName:true}: proto field names, bytes in base64, 64-bit
 * integers as strings, defaults omitted; input accepts proto or lowerCamel names, unknown fields
 * are ignored (unknown enum names are not), and the body is read as JSON whatever its content type.
 */
public final class JsonGateway implements HttpService {
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final JsonFormat.Printer PRINTER =
            JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

    private final Map<String, ServerMethodDefinition<?, ?>> routes;
    private final int maxMessageBytes;

    /**
     * @param services        the (intercepted) definitions also served over gRPC
     * @param maxMessageBytes largest request message accepted, as the gRPC port's inbound limit
     */
    public JsonGateway(Collection<ServerServiceDefinition> services, int maxMessageBytes) {
        this.routes = routes(services);
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The gateway paths served (for logs and tests). */
    public Set<String> paths() {
        return routes.keySet();
    }

    private static Map<String, ServerMethodDefinition<?, ?>> routes(Collection<ServerServiceDefinition> services) {
        Map<String, ServerMethodDefinition<?, ?>> routes = new HashMap<>();
        for (ServerServiceDefinition service : services) {
            for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
                if (!(method.getMethodDescriptor().getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier s)) {
                    continue;
                }
                Descriptors.MethodDescriptor md = s.getMethodDescriptor();
                if (!md.getOptions().hasExtension(AnnotationsProto.http)) {
                    continue;
                }
                HttpRule rule = md.getOptions().getExtension(AnnotationsProto.http);
                addBinding(routes, rule, method);
                for (HttpRule extra : rule.getAdditionalBindingsList()) {
                    addBinding(routes, extra, method);
                }
            }
        }
        return Map.copyOf(routes);
    }

    private static void addBinding(Map<String, ServerMethodDefinition<?, ?>> routes, HttpRule rule,
                                   ServerMethodDefinition<?, ?> method) {
        // etcd's API binds every method as POST with body "*"; no path templates to expand.
        if (rule.getPatternCase() == HttpRule.PatternCase.POST && "*".equals(rule.getBody())) {
            routes.putIfAbsent(rule.getPost(), method);
        }
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        ServerMethodDefinition<?, ?> method = routes.get(ctx.mappedPath());
        if (method == null) {
            method = routes.get(ctx.path());
        }
        if (method == null) {
            return GatewayErrors.plain(HttpStatus.NOT_FOUND, "Not Found");
        }
        if (req.method() != HttpMethod.POST) {
            return GatewayErrors.plain(HttpStatus.METHOD_NOT_ALLOWED, "Method Not Allowed");
        }
        ServerMethodDefinition<?, ?> m = method;
        if (!m.getMethodDescriptor().getType().clientSendsOneMessage()) {
            return streaming(ctx, m, req);
        }
        return HttpResponse.of(req.aggregate().thenApply(agg -> invoke(ctx, m, agg)));
    }

    @SuppressWarnings("unchecked")
    private HttpResponse streaming(ServiceRequestContext ctx, ServerMethodDefinition<?, ?> method, HttpRequest req) {
        // A watch or keep-alive body may stay open for as long as the client wants to send.
        ctx.setMaxRequestLength(0);
        ServerMethodDefinition<Message, Message> m = (ServerMethodDefinition<Message, Message>) method;
        GatewayCall<Message, Message> call = new GatewayCall<>(m.getMethodDescriptor(), ctx, PRINTER);
        // Headers up to 4/3 of the message for base64, plus JSON's own overhead.
        int maxJson = (int) Math.min(Integer.MAX_VALUE - 8, 2L * maxMessageBytes + 1024 * 1024);
        GatewayRequestStream body = new GatewayRequestStream(m, call, metadata(req.headers()), maxJson,
                maxMessageBytes);
        req.subscribe(body, ctx.eventLoop());
        return HttpResponse.of(body.response());
    }

    private static Metadata metadata(RequestHeaders requestHeaders) {
        Metadata headers = new Metadata();
        String authorization = requestHeaders.get("authorization");
        if (authorization != null) {
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
        }
        return headers;
    }

    @SuppressWarnings("unchecked")
    private HttpResponse invoke(ServiceRequestContext ctx, ServerMethodDefinition<?, ?> method,
                                AggregatedHttpRequest req) {
        ServerMethodDefinition<Message, Message> m = (ServerMethodDefinition<Message, Message>) method;
        MethodDescriptor<Message, Message> descriptor = m.getMethodDescriptor();
        Message request;
        try {
            request = parse(descriptor, req.contentUtf8());
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return GatewayErrors.response(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
        }
        int size = request.getSerializedSize();
        if (size > maxMessageBytes) {
            // What etcd's gateway gets back from its own gRPC server for an oversized message.
            return GatewayErrors.response(Status.RESOURCE_EXHAUSTED.withDescription(
                    "grpc: received message larger than max (" + size + " vs. " + maxMessageBytes + ")"));
        }
        Metadata headers = metadata(req.headers());
        GatewayCall<Message, Message> call = new GatewayCall<>(descriptor, ctx, PRINTER);
        call.start(m.getServerCallHandler(), headers, request);
        return call.response();
    }

    static Message parse(MethodDescriptor<Message, Message> descriptor, String body)
            throws InvalidProtocolBufferException {
        MethodDescriptor.PrototypeMarshaller<Message> marshaller =
                (MethodDescriptor.PrototypeMarshaller<Message>) descriptor.getRequestMarshaller();
        Message.Builder builder = marshaller.getMessagePrototype().newBuilderForType();
        if (!body.isBlank()) {
            // An empty body is an empty request, as grpc-gateway treats io.EOF.
            EnumNames.check(body, builder.getDescriptorForType());
            PARSER.merge(body, builder);
        }
        return builder.build();
    }
}
