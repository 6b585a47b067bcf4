package io.etcdjava.ctl;

import io.grpc.Attributes;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.EquivalentAddressGroup;
import io.grpc.ManagedChannel;
import io.grpc.NameResolver;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The Netty transport, for TLS endpoints only (plaintext uses {@link io.etcdjava.ctl.h2.H2Channel}): kept
 * in its own class so a plaintext run never loads Netty.
 */
final class NettyChannels {
  private NettyChannels() {}

  /** One channel over all endpoints, pick-first with failover along the list. */
  static ManagedChannel tls(ClientConfig cfg, List<InetSocketAddress> addrs, ClientInterceptor interceptor) {
    List<EquivalentAddressGroup> groups = new ArrayList<>();
    for (InetSocketAddress a : addrs) {
      // each address's own host:port as the TLS authority (SNI, hostname verification), as Go's client
      // does; the channel-wide authority "etcd" would fail verification against any real certificate
      Attributes attrs = Attributes.newBuilder()
          .set(EquivalentAddressGroup.ATTR_AUTHORITY_OVERRIDE, a.getHostString() + ":" + a.getPort()).build();
      groups.add(new EquivalentAddressGroup(a, attrs));
    }
    NettyChannelBuilder b = NettyChannelBuilder.forTarget("etcdctl-static:///endpoints", credentials(cfg))
        .nameResolverFactory(new StaticResolverFactory(groups))
        .defaultLoadBalancingPolicy("pick_first")
        .maxInboundMessageSize(Integer.MAX_VALUE)
        .userAgent("etcdctl-java");
    if (cfg.keepAliveTimeNanos() > 0) {
      b.keepAliveTime(cfg.keepAliveTimeNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)
          .keepAliveTimeout(cfg.keepAliveTimeoutNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }
    b.intercept(interceptor);
    return b.build();
  }

  private static ChannelCredentials credentials(ClientConfig cfg) {
    try {
      TlsChannelCredentials.Builder tb = TlsChannelCredentials.newBuilder();
      // like etcdctl 3.4: --insecure-skip-tls-verify only relaxes a TLS configuration the other flags
      // asked for; an https:// endpoint alone verifies against the system roots
      boolean configured = cfg.cacert() != null || cfg.cert() != null || cfg.key() != null || !cfg.insecureTransport();
      if (cfg.insecureSkipVerify() && configured) {
        tb.trustManager(new InsecureTrust());
      } else if (cfg.cacert() != null) {
        tb.trustManager(new File(cfg.cacert()));
      }
      if (cfg.cert() != null && cfg.key() != null) {
        tb.keyManager(new File(cfg.cert()), new File(cfg.key()));
      }
      return tb.build();
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** A resolver that hands the endpoint list to the load balancer as-is. */
  private static final class StaticResolverFactory extends NameResolver.Factory {
    private final List<EquivalentAddressGroup> groups;

    StaticResolverFactory(List<EquivalentAddressGroup> groups) {
      this.groups = groups;
    }

    @Override
    public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
      return new NameResolver() {
        @Override
        public String getServiceAuthority() {
          return "etcd";
        }

        @Override
        public void start(Listener2 listener) {
          listener.onResult(ResolutionResult.newBuilder().setAddresses(groups).build());
        }

        @Override
        public void shutdown() {}
      };
    }

    @Override
    public String getDefaultScheme() {
      return "etcdctl-static";
    }
  }

  /** --insecure-skip-tls-verify. */
  private static final class InsecureTrust implements javax.net.ssl.X509TrustManager {
    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return new java.security.cert.X509Certificate[0];
    }
  }
}
