package io.etcdjava.server.api;

import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import com.linecorp.armeria.common.util.BlockingTaskExecutor;
import com.linecorp.armeria.common.util.EventLoopGroups;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerPort;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.WatchGrpc;
import io.etcdjava.server.api.grpc.CallGuard;
import io.etcdjava.server.api.grpc.EtcdGrpcServices;
import io.etcdjava.server.api.grpc.GrpcFailureHandler;
import io.etcdjava.server.api.grpc.UnaryHttpService;
import io.etcdjava.server.api.grpc.WatchGrpcService;
import io.etcdjava.server.api.grpc.WatchHttpService;
import io.etcdjava.server.api.http.CorsDecorator;
import io.etcdjava.server.api.http.HealthService;
import io.etcdjava.server.api.http.JsonGateway;
import io.etcdjava.server.api.http.MetricsService;
import io.etcdjava.server.api.http.VersionService;
import io.etcdjava.server.etcdserver.KvService;
import io.etcdjava.server.etcdserver.MemberStatus;
import io.etcdjava.server.metrics.Metrics;
import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The member's client port(s), as etcd's embed/serve.go: on each listen address one socket serves
 * gRPC (HTTP/2) and HTTP/1.1 + HTTP/2 for {@code /health}, {@code /version}, {@code /metrics} and
 * the {@code /v3/...} JSON gateway. Owns its event loops and blocking executor; {@link #start()}
 * binds, {@link #stop()} releases everything.
 */
public final class ClientServer implements AutoCloseable {
    /** etcd's --max-request-bytes default. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 1572864;
    /** etcd's grpcOverheadBytes: the gRPC inbound limit is max-request-bytes plus this. */
    public static final int GRPC_OVERHEAD_BYTES = 512 * 1024;

    private final Server server;
    private final List<InetSocketAddress> listen;
    private final Duration stopTimeout;
    private final int maxInboundMessageBytes;

    private ClientServer(Builder b) {
        this.listen = List.copyOf(b.listen);
        this.stopTimeout = b.stopTimeout;
        this.maxInboundMessageBytes = b.maxRequestBytes + GRPC_OVERHEAD_BYTES;

        List<ServerServiceDefinition> services = new ArrayList<>();
        for (ServerServiceDefinition d : EtcdGrpcServices.of(b.kv, b.member, b.services)) {
            services.add(ServerInterceptors.intercept(d, b.interceptors));
        }
        // Watch and the KV calls over gRPC have their own framing (WatchHttpService, UnaryHttpService),
        // unless an interceptor could not be honoured there; the gateway still goes through the
        // service definitions.
        List<CallGuard> guards = new ArrayList<>();
        for (ServerInterceptor i : b.interceptors) {
            if (i instanceof CallGuard g) {
                guards.add(g);
            }
        }
        boolean ownFraming = guards.size() == b.interceptors.size();
        WatchGrpcService watches = null;
        boolean kvOverridden = false;
        for (BindableService s : b.services) {
            if (s instanceof WatchGrpcService w) {
                watches = w;
            }
            kvOverridden |= s.bindService().getServiceDescriptor().getName().equals(KVGrpc.SERVICE_NAME);
        }
        if (!ownFraming) {
            watches = null;
        }
        List<UnaryHttpService<?, ?>> unary = ownFraming && !kvOverridden
                ? UnaryHttpService.kv(b.kv, maxInboundMessageBytes, guards) : List.of();
        List<ServerServiceDefinition> grpcServices = new ArrayList<>(services);
        if (watches != null) {
            grpcServices.removeIf(d -> d.getServiceDescriptor().getName().equals(WatchGrpc.SERVICE_NAME));
        }
        if (!unary.isEmpty()) {
            grpcServices.removeIf(d -> d.getServiceDescriptor().getName().equals(KVGrpc.SERVICE_NAME));
        }
        GrpcService grpc = GrpcService.builder()
                .addServiceDefinitions(grpcServices)
                .supportedSerializationFormats(GrpcSerializationFormats.PROTO)
                .enableUnframedRequests(false)
                .useBlockingTaskExecutor(false)
                .maxRequestMessageLength(maxInboundMessageBytes)
                .maxResponseMessageLength(Integer.MAX_VALUE)
                .enableHealthCheckService(true)
                .exceptionHandler(new GrpcFailureHandler())
                .build();

        ServerBuilder sb = Server.builder();
        for (InetSocketAddress address : listen) {
            sb.port(new ServerPort(address, SessionProtocol.HTTP));
        }
        sb.workerGroup(EventLoopGroups.newEventLoopGroup(b.ioThreads, "etcd-client-io", false), true);
        sb.blockingTaskExecutor(BlockingTaskExecutor.builder()
                .numThreads(b.blockingThreads)
                .threadNamePrefix("etcd-client-blocking")
                .build(), true);
        // etcd has no HTTP-level deadline: watches and keep-alives live as long as the client wants.
        sb.requestTimeout(Duration.ZERO);
        sb.idleTimeout(Duration.ZERO);
        // JSON (base64) of a maximal request is ~4/3 of the message; gRPC frames are capped above.
        sb.maxRequestLength(Math.max(10L * 1024 * 1024, 2L * maxInboundMessageBytes));
        sb.http2MaxStreamsPerConnection(Integer.MAX_VALUE);
        // Responses completed together (a batch of applied puts, one revision's watch events) leave
        // in one socket write per connection instead of one per message.
        sb.childChannelPipelineCustomizer(p -> p.addFirst("flush-consolidation",
                new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true)));
        sb.gracefulShutdownTimeout(Duration.ZERO, stopTimeout);

        sb.service(grpc);
        if (watches != null) {
            sb.service(WatchHttpService.PATH, new WatchHttpService(watches, maxInboundMessageBytes, guards));
        }
        for (UnaryHttpService<?, ?> u : unary) {
            sb.service(u.path(), u);
        }
        JsonGateway gateway = new JsonGateway(services, maxInboundMessageBytes);
        sb.serviceUnder("/v3/", http(gateway));
        sb.service("/health", http(new HealthService(b.member, b.metrics)));
        sb.service("/version", http(new VersionService(b.serverVersion, b.clusterVersion)));
        sb.service("/metrics", http(new MetricsService(b.metrics)));
        this.server = sb.build();
    }

    private static HttpService http(HttpService service) {
        return new CorsDecorator(service);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Binds every listen address; returns when all are bound (or throws). */
    public void start() {
        try {
            server.start().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.stop();
            throw new IllegalStateException("interrupted while starting the client server", e);
        } catch (ExecutionException | TimeoutException e) {
            server.stop();
            throw new IllegalStateException("cannot start the client server on " + listen + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }

    /** Closes the ports and releases the threads; idempotent. */
    public void stop() {
        try {
            server.stop().get(stopTimeout.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Best effort: the ports are closed first; stragglers die with their event loops.
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** The bound addresses, in listen order (a configured port 0 shows its actual port). */
    public List<InetSocketAddress> boundAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        List<InetSocketAddress> active = new ArrayList<>();
        server.activePorts().values().forEach(p -> active.add(p.localAddress()));
        for (InetSocketAddress configured : listen) {
            for (InetSocketAddress a : active) {
                boolean sameHost = configured.getAddress() == null || a.getAddress() == null
                        || configured.getAddress().equals(a.getAddress());
                if (sameHost && (configured.getPort() == 0 || configured.getPort() == a.getPort())
                        && !out.contains(a)) {
                    out.add(a);
                    break;
                }
            }
        }
        return out;
    }

    /** The actual port of the first listen address. */
    public int port() {
        return boundAddresses().get(0).getPort();
    }

    /** The gRPC inbound message limit: max-request-bytes + 512 KiB, as etcd. */
    public int maxInboundMessageBytes() {
        return maxInboundMessageBytes;
    }

    /** Configuration; {@link #build()} rejects missing or bad settings at once. */
    public static final class Builder {
        private final List<InetSocketAddress> listen = new ArrayList<>();
        private KvService kv;
        private MemberStatus member;
        private Metrics metrics;
        private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
        private String serverVersion = "3.5.0";
        private Supplier<String> clusterVersion = () -> null;
        private final List<BindableService> services = new ArrayList<>();
        private final List<ServerInterceptor> interceptors = new ArrayList<>();
        private int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private int blockingThreads = 2;
        private Duration stopTimeout = Duration.ofSeconds(2);

        private Builder() {
        }

        /** One --listen-client-urls entry, e.g. {@code http://127.0.0.1:2379}; port 0 picks a free one. */
        public Builder listen(URI url) {
            if (!"http".equals(url.getScheme())) {
                throw new IllegalArgumentException("unsupported client URL scheme (only http so far): " + url);
            }
            if (url.getHost() == null || url.getPort() < 0) {
                throw new IllegalArgumentException("client URL needs host and port: " + url);
            }
            return listen(url.getHost(), url.getPort());
        }

        public Builder listen(String host, int port) {
            listen.add(new InetSocketAddress(host, port));
            return this;
        }

        public Builder kvService(KvService kv) {
            this.kv = kv;
            return this;
        }

        public Builder memberStatus(MemberStatus member) {
            this.member = member;
            return this;
        }

        public Builder metrics(Metrics metrics) {
            this.metrics = metrics;
            return this;
        }

        /** etcd's --max-request-bytes. */
        public Builder maxRequestBytes(int bytes) {
            if (bytes <= 0 || bytes > Integer.MAX_VALUE - GRPC_OVERHEAD_BYTES) {
                throw new IllegalArgumentException("max-request-bytes out of range: " + bytes);
            }
            this.maxRequestBytes = bytes;
            return this;
        }

        /** The server version /version reports, e.g. "3.5.0". */
        public Builder serverVersion(String version) {
            this.serverVersion = Objects.requireNonNull(version);
            return this;
        }

        /** The cluster version /version reports; null until decided. */
        public Builder clusterVersion(Supplier<String> version) {
            this.clusterVersion = Objects.requireNonNull(version);
            return this;
        }

        /** A real implementation replacing the UNIMPLEMENTED placeholder of the same service name. */
        public Builder service(BindableService service) {
            services.add(Objects.requireNonNull(service));
            return this;
        }

        /**
         * Applied to every gRPC service, over gRPC and through the JSON gateway alike. Watch and KV
         * over gRPC keep their own transport only while every interceptor is also a {@link CallGuard}.
         */
        public Builder interceptor(ServerInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor));
            return this;
        }

        public Builder ioThreads(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("ioThreads must be positive");
            }
            this.ioThreads = n;
            return this;
        }

        public Builder blockingThreads(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("blockingThreads must be positive");
            }
            this.blockingThreads = n;
            return this;
        }

        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        public ClientServer build() {
            if (listen.isEmpty()) {
                throw new IllegalStateException("no listen-client-urls");
            }
            Objects.requireNonNull(kv, "kvService");
            Objects.requireNonNull(member, "memberStatus");
            Objects.requireNonNull(metrics, "metrics");
            return new ClientServer(this);
        }
    }
}
