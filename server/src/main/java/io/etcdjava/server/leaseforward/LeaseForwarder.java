package io.etcdjava.server.leaseforward;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.util.EventLoopGroups;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdjava.api.internal.ForwardedKeepAlive;
import io.etcdjava.api.internal.ForwardedTimeToLive;
import io.etcdjava.api.internal.LeaseForwardGrpc;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Sends keep-alives and time-to-live queries to whichever member leads, as etcd's LeaseRenew and
 * LeaseTimeToLive do: asks the local lessor when this member leads, else the leader over the peer
 * port; on any answer but "lease not found" it looks the leader up again and retries (leader
 * changes, a leader still catching up) until the request timeout. Then it fails as etcd does:
 * {@code etcdserver: no leader} if no leader is known, else {@code etcdserver: request timed out}.
 *
 * <p>Threads: owns "lease-forward" (retry timer) and, once a remote call is needed, the
 * "etcd-lease-forward-io" event loop with its client factory.
 */
public final class LeaseForwarder implements AutoCloseable {
    /** Pause between attempts (etcd throttles its retries the same way). */
    static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final long clusterId;
    private final long localId;
    private final LeaderLookup lookup;
    private final Duration timeout;
    private final ScheduledExecutorService timer;
    private final Map<String, LeaseForwardGrpc.LeaseForwardStub> stubs = new ConcurrentHashMap<>();
    private EventLoopGroup eventLoops;
    private ClientFactory factory;
    private volatile boolean closed;

    public LeaseForwarder(long clusterId, long localId, LeaderLookup lookup, Duration timeout) {
        this.clusterId = clusterId;
        this.localId = localId;
        this.lookup = lookup;
        this.timeout = timeout;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lease-forward");
            t.setDaemon(true);
            return t;
        });
    }

    /** Renews at the leader: completes with the TTL, or fails with LEASE_NOT_FOUND, NO_LEADER, TIMEOUT. */
    public CompletableFuture<Long> renew(long id, Supplier<CompletableFuture<Long>> local) {
        ForwardedKeepAlive req = ForwardedKeepAlive.newBuilder().setClusterId(clusterId)
                .setRequest(LeaseKeepAliveRequest.newBuilder().setID(id)).build();
        return run(local, (stub, done) -> stub.keepAlive(req, observer(done, LeaseKeepAliveResponse::getTTL)));
    }

    /** Time-to-live at the leader (response without header); fails as {@link #renew}. */
    public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest request,
                                                                 Supplier<CompletableFuture<LeaseTimeToLiveResponse>> local) {
        ForwardedTimeToLive req = ForwardedTimeToLive.newBuilder().setClusterId(clusterId).setRequest(request).build();
        return run(local, (stub, done) -> stub.timeToLive(req, observer(done, r -> r)));
    }

    private <T> CompletableFuture<T> run(Supplier<CompletableFuture<T>> local,
                                         BiConsumer<LeaseForwardGrpc.LeaseForwardStub, CompletableFuture<T>> remote) {
        Attempts<T> a = new Attempts<>(System.nanoTime() + timeout.toNanos(), local, remote);
        a.next();
        return a.result;
    }

    /** One call's attempts; each runs on whichever thread completed the previous one or the timer. */
    private final class Attempts<T> {
        final long deadline;
        final Supplier<CompletableFuture<T>> local;
        final BiConsumer<LeaseForwardGrpc.LeaseForwardStub, CompletableFuture<T>> remote;
        final CompletableFuture<T> result = new CompletableFuture<>();
        int urlIndex;

        Attempts(long deadline, Supplier<CompletableFuture<T>> local,
                 BiConsumer<LeaseForwardGrpc.LeaseForwardStub, CompletableFuture<T>> remote) {
            this.deadline = deadline;
            this.local = local;
            this.remote = remote;
        }

        void next() {
            if (closed) {
                result.completeExceptionally(EtcdError.STOPPED.exception());
                return;
            }
            long leader = lookup.leader();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                result.completeExceptionally((leader == 0 ? EtcdError.NO_LEADER : EtcdError.TIMEOUT).exception());
                return;
            }
            if (leader == 0) {
                later();
                return;
            }
            CompletableFuture<T> attempt;
            if (leader == localId) {
                try {
                    attempt = local.get();
                } catch (RuntimeException e) {
                    attempt = CompletableFuture.failedFuture(e);
                }
            } else {
                List<String> urls = lookup.peerUrls(leader);
                if (urls.isEmpty()) {
                    later();
                    return;
                }
                attempt = new CompletableFuture<>();
                String url = urls.get(Math.floorMod(urlIndex++, urls.size()));
                try {
                    remote.accept(stub(url).withDeadlineAfter(left, TimeUnit.NANOSECONDS), attempt);
                } catch (RuntimeException e) {
                    attempt.completeExceptionally(e);
                }
            }
            attempt.whenComplete((v, err) -> {
                if (err == null) {
                    result.complete(v);
                    return;
                }
                Throwable t = unwrap(err);
                if (t instanceof EtcdException e && (e.error() == EtcdError.LEASE_NOT_FOUND
                        || e.error() == EtcdError.STOPPED)) {
                    result.completeExceptionally(e);
                } else if (t instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.NOT_FOUND) {
                    result.completeExceptionally(EtcdError.LEASE_NOT_FOUND.exception());
                } else {
                    later();
                }
            });
        }

        private void later() {
            long wait = Math.min(RETRY_NANOS, Math.max(0, deadline - System.nanoTime()));
            try {
                timer.schedule(this::next, wait, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException stopped) {
                result.completeExceptionally(EtcdError.STOPPED.exception());
            }
        }
    }

    private static <R, T> StreamObserver<R> observer(CompletableFuture<T> done, java.util.function.Function<R, T> map) {
        return new StreamObserver<>() {
            @Override
            public void onNext(R value) {
                done.complete(map.apply(value));
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.completeExceptionally(Status.INTERNAL.withDescription("no response").asRuntimeException());
            }
        };
    }

    private LeaseForwardGrpc.LeaseForwardStub stub(String url) {
        return stubs.computeIfAbsent(url, u -> GrpcClients.builder(u).factory(factory())
                .responseTimeout(Duration.ZERO)
                .build(LeaseForwardGrpc.LeaseForwardStub.class));
    }

    private synchronized ClientFactory factory() {
        if (closed) {
            throw EtcdError.STOPPED.exception();
        }
        if (factory == null) {
            eventLoops = EventLoopGroups.newEventLoopGroup(1, "etcd-lease-forward-io", true);
            factory = ClientFactory.builder().workerGroup(eventLoops, false)
                    .connectTimeout(Duration.ofSeconds(1)).build();
        }
        return factory;
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        synchronized (this) {
            if (factory != null) {
                factory.close();
                eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        }
    }
}
