package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.AuthGrpc;
import io.etcdjava.api.etcdserverpb.AuthenticateRequest;
import io.etcdjava.api.etcdserverpb.ClusterGrpc;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.LeaseGrpc;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.MaintenanceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ConnectivityState;
import io.grpc.ForwardingClientCall;
import io.etcdjava.ctl.h2.H2Channel;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A v3 client over one gRPC channel to all endpoints (pick-first with failover along the list), with
 * clientv3's error texts and the retry interceptor's warning line on stderr for each failed unary call.
 */
final class EtcdClient implements AutoCloseable {
  /** Built on first use (a failed call): java.time's formatter costs startup time. */
  private static final class Ts {
    static final DateTimeFormatter FORMAT =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  }

  private static final String AUTH_NOT_ENABLED = "etcdserver: authentication is not enabled";

  private final ManagedChannel channel;
  private final PrintStream err;
  private final String target;
  private volatile String token;

  EtcdClient(ClientConfig cfg, PrintStream err) {
    this.err = err;
    // clientv3's target names the first endpoint without its scheme
    this.target = "endpoint://client-" + randomUuid() + "/" + cfg.endpoints().get(0).replaceFirst("^https?://", "");
    List<InetSocketAddress> addrs = new ArrayList<>();
    boolean anyHttps = false;
    for (String ep : cfg.endpoints()) {
      HostPort hp = HostPort.parse(ep);
      anyHttps |= hp.https;
      addrs.add(new InetSocketAddress(hp.host, hp.port));
    }
    boolean tls = anyHttps || cfg.cacert() != null || cfg.cert() != null || cfg.key() != null
        || !cfg.insecureTransport();
    // Plaintext goes over our own small HTTP/2 client, which starts in a fraction of Netty's time;
    // TLS stays on Netty (loaded only then).
    this.channel = tls
        ? NettyChannels.tls(cfg, addrs, new TokenInterceptor())
        // No keep-alive pings on h2c yet: a PING ack queued behind a busy connection's data dropped
        // healthy connections under `check datascale` load.
        : H2Channel.create(addrs, cfg.dialTimeoutNanos(), "etcdctl-java", new TokenInterceptor());
    if (cfg.user() != null) {
      try {
        authenticate(cfg.user(), cfg.password(), cfg.dialTimeoutNanos());
      } catch (RpcError e) {
        // clientv3 goes on without a token when the cluster has auth disabled
        if (!AUTH_NOT_ENABLED.equals(e.getMessage())) {
          channel.shutdownNow();
          throw e;
        }
      }
    }
  }

  /** A version 4 UUID like clientv3's target name; SplittableRandom, as SecureRandom costs startup time. */
  private static UUID randomUuid() {
    java.util.SplittableRandom r = new java.util.SplittableRandom();
    long msb = (r.nextLong() & ~0xf000L) | 0x4000L;
    long lsb = (r.nextLong() & ~(3L << 62)) | (1L << 63);
    return new UUID(msb, lsb);
  }

  private void authenticate(String user, String password, long timeoutNanos) {
    var resp = unary(AuthGrpc.newBlockingStub(channel), timeoutNanos,
        s -> s.authenticate(AuthenticateRequest.newBuilder().setName(user).setPassword(password).build()));
    token = resp.getToken();
  }

  KVGrpc.KVBlockingStub kv() {
    return KVGrpc.newBlockingStub(channel);
  }

  LeaseGrpc.LeaseBlockingStub lease() {
    return LeaseGrpc.newBlockingStub(channel);
  }

  ClusterGrpc.ClusterBlockingStub cluster() {
    return ClusterGrpc.newBlockingStub(channel);
  }

  MaintenanceGrpc.MaintenanceBlockingStub maintenance() {
    return MaintenanceGrpc.newBlockingStub(channel);
  }

  AuthGrpc.AuthBlockingStub auth() {
    return AuthGrpc.newBlockingStub(channel);
  }

  /** The Watch service's streaming stub; streams wait for a ready connection like clientv3's. */
  io.etcdjava.api.etcdserverpb.WatchGrpc.WatchStub watchAsync() {
    return io.etcdjava.api.etcdserverpb.WatchGrpc.newStub(channel).withWaitForReady();
  }

  io.etcdjava.api.v3lockpb.LockGrpc.LockBlockingStub lock() {
    return io.etcdjava.api.v3lockpb.LockGrpc.newBlockingStub(channel);
  }

  io.etcdjava.api.v3electionpb.ElectionGrpc.ElectionBlockingStub election() {
    return io.etcdjava.api.v3electionpb.ElectionGrpc.newBlockingStub(channel);
  }

  /** An asynchronous Watch stub (make-mirror follows the source's changes with it). */
  io.etcdjava.api.etcdserverpb.WatchGrpc.WatchStub mirrorWatchStub() {
    return io.etcdjava.api.etcdserverpb.WatchGrpc.newStub(channel);
  }

  /**
   * One unary call with clientv3's behaviour: wait for a ready connection until the deadline (none when
   * {@code timeoutNanos <= 0}), log the retry interceptor's warning on failure, and translate the error.
   */
  <S extends AbstractStub<S>, R> R unary(S stub, long timeoutNanos, Function<S, R> call) {
    S s = stub.withWaitForReady();
    long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
    if (timeoutNanos > 0) {
      s = s.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
    }
    try {
      return call.apply(s);
    } catch (StatusRuntimeException e) {
      throw failed(e.getStatus(), deadline);
    }
  }

  /**
   * {@link #unary(AbstractStub, long, Function)} for one method, the same in every way the user sees. On
   * a plaintext channel it skips grpc-java's call layer (see {@code H2Unary}): the one-shot KV commands'
   * path, where that layer's java.util.logging start-up is a tenth of the run.
   */
  <Q, R> R unary(MethodDescriptor<Q, R> method, Q request, long timeoutNanos) {
    long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
    if (!(channel instanceof H2Channel h2)) {
      CallOptions o = CallOptions.DEFAULT.withWaitForReady();
      if (timeoutNanos > 0) {
        o = o.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
      }
      try {
        return ClientCalls.blockingUnaryCall(channel, method, o, request);
      } catch (StatusRuntimeException e) {
        throw failed(e.getStatus(), deadline);
      }
    }
    try (InputStream in = method.streamRequest(request)) {
      String t = token;
      byte[] resp = t == null
          ? h2.blockingUnary(method.getFullMethodName(), in.readAllBytes(), timeoutNanos)
          : h2.blockingUnary(method.getFullMethodName(), in.readAllBytes(), timeoutNanos, "token", t);
      return method.parseResponse(new ByteArrayInputStream(resp));
    } catch (StatusException e) {
      throw failed(e.getStatus(), deadline);
    } catch (IOException e) {
      throw failed(Status.INTERNAL.withDescription("failed to serialize the request").withCause(e), deadline);
    }
  }

  /** A failed unary call as clientv3 reports it: the retry interceptor's warning, then the error. */
  private RpcError failed(Status st, long deadline) {
    boolean expired = deadline != 0 && System.nanoTime() - deadline >= 0
        || st.getCode() == Status.Code.DEADLINE_EXCEEDED;
    String desc = st.getDescription() == null ? "" : st.getDescription();
    if (expired && st.getCode() == Status.Code.DEADLINE_EXCEEDED) {
      desc = channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE
          ? "latest balancer error: all SubConns are in TransientFailure"
          : "context deadline exceeded";
    }
    String rpcText = "rpc error: code = " + RpcError.goCodeName(st.getCode()) + " desc = " + desc;
    warn(rpcText);
    String goText;
    if (desc.startsWith("etcdserver: ")) {
      goText = desc;
    } else if (expired && st.getCode() == Status.Code.DEADLINE_EXCEEDED) {
      goText = "context deadline exceeded";
    } else {
      goText = rpcText;
    }
    return new RpcError(goText, st.getCode(), rpcText);
  }

  private void warn(String rpcText) {
    err.println("{\"level\":\"warn\",\"ts\":\"" + Ts.FORMAT.format(Instant.now())
        + "\",\"caller\":\"clientv3/retry_interceptor.go:62\",\"msg\":\"retrying of unary invoker failed\","
        + "\"target\":" + Json.string(target) + ",\"attempt\":0,\"error\":" + Json.string(rpcText) + "}");
  }

  /** One keep-alive round trip on the LeaseKeepAlive stream; an absent or expired lease is not found. */
  LeaseKeepAliveResponse keepAliveOnce(long id) {
    KeepAliveStream s = openKeepAlive();
    try {
      return s.roundTrip(id);
    } finally {
      s.close();
    }
  }

  KeepAliveStream openKeepAlive() {
    return new KeepAliveStream(LeaseGrpc.newStub(channel).withWaitForReady());
  }

  /** The bidirectional keep-alive stream, used synchronously. */
  static final class KeepAliveStream {
    private final BlockingQueue<Object> responses = new LinkedBlockingQueue<>();
    private final StreamObserver<LeaseKeepAliveRequest> requests;

    KeepAliveStream(LeaseGrpc.LeaseStub stub) {
      requests = stub.leaseKeepAlive(new StreamObserver<>() {
        @Override
        public void onNext(LeaseKeepAliveResponse v) {
          responses.add(v);
        }

        @Override
        public void onError(Throwable t) {
          responses.add(t);
        }

        @Override
        public void onCompleted() {
          responses.add(Status.CANCELLED.asRuntimeException());
        }
      });
    }

    LeaseKeepAliveResponse roundTrip(long id) {
      requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(id).build());
      Object o;
      try {
        o = responses.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RpcError("context canceled", Status.Code.CANCELLED, "context canceled");
      }
      if (o instanceof LeaseKeepAliveResponse r) {
        if (r.getTTL() <= 0) {
          throw new RpcError("etcdserver: requested lease not found", Status.Code.NOT_FOUND, "");
        }
        return r;
      }
      Status st = Status.fromThrowable((Throwable) o);
      String desc = st.getDescription() == null ? "" : st.getDescription();
      String rpcText = "rpc error: code = " + RpcError.goCodeName(st.getCode()) + " desc = " + desc;
      throw new RpcError(desc.startsWith("etcdserver: ") ? desc : rpcText, st.getCode(), rpcText);
    }

    void close() {
      try {
        requests.onCompleted();
      } catch (RuntimeException ignored) {
        // the stream already failed
      }
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }

  /** A holder, so the key (and grpc's Metadata, which starts java.util.logging) is made on first use. */
  private static final class TokenKey {
    static final Metadata.Key<String> KEY = Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);
  }

  /** Adds the auth token, once there is one, as etcd's "token" metadata. */
  private final class TokenInterceptor implements ClientInterceptor {
    @Override
    public <Q, P> ClientCall<Q, P> interceptCall(MethodDescriptor<Q, P> m, CallOptions o, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(m, o)) {
        @Override
        public void start(Listener<P> l, Metadata headers) {
          String t = token;
          if (t != null) {
            headers.put(TokenKey.KEY, t);
          }
          super.start(l, headers);
        }
      };
    }
  }

  /** host:port of an endpoint given as host:port, http://host:port or https://host:port. */
  record HostPort(String host, int port, boolean https) {
    static HostPort parse(String ep) {
      String s = ep.trim();
      boolean https = s.startsWith("https://");
      if (s.contains("://")) {
        URI u = URI.create(s);
        return new HostPort(u.getHost(), u.getPort() < 0 ? (https ? 443 : 80) : u.getPort(), https);
      }
      int c = s.lastIndexOf(':');
      if (c < 0) {
        return new HostPort(s, 2379, false);
      }
      String host = s.substring(0, c);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return new HostPort(host, Integer.parseInt(s.substring(c + 1)), false);
    }
  }
}
