package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.LeaseGrantResponse;
import io.etcdjava.api.etcdserverpb.LeaseGrpc;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.api.mvccpb.KeyValue;
import io.grpc.ForwardingServerCall;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.util.Map;

/**
 * The AppCDS training run of the build: runs typical commands against tiny in-process KV and Lease
 * services so the classes a real `etcdctl get` loads end up in the archive (-XX:ArchiveClassesAtExit).
 * The commands go over the h2c channel like a real plaintext run: success, an etcd error, a
 * Huffman-coded response header (the server codes long values), a bidi stream and an unreachable endpoint.
 */
final class Training {
  private Training() {}

  public static void main(String[] args) throws Exception {
    ResponseHeader h = ResponseHeader.newBuilder().setClusterId(1).setMemberId(2).setRevision(3).setRaftTerm(4).build();
    KVGrpc.KVImplBase kv = new KVGrpc.KVImplBase() {
      @Override
      public void range(RangeRequest req, StreamObserver<RangeResponse> o) {
        if (req.getRevision() > 3) {
          o.onError(Status.OUT_OF_RANGE.withDescription("etcdserver: mvcc: required revision is a future revision")
              .asRuntimeException());
          return;
        }
        o.onNext(RangeResponse.newBuilder().setHeader(h).setCount(1).addKvs(KeyValue.newBuilder()
            .setKey(req.getKey()).setValue(req.getKey()).setCreateRevision(2).setModRevision(3).setVersion(1))
            .build());
        o.onCompleted();
      }

      @Override
      public void put(PutRequest req, StreamObserver<PutResponse> o) {
        o.onNext(PutResponse.newBuilder().setHeader(h).build());
        o.onCompleted();
      }
    };
    LeaseGrpc.LeaseImplBase lease = new LeaseGrpc.LeaseImplBase() {
      @Override
      public void leaseGrant(LeaseGrantRequest req, StreamObserver<LeaseGrantResponse> o) {
        o.onNext(LeaseGrantResponse.newBuilder().setHeader(h).setID(0x1234).setTTL(req.getTTL()).build());
        o.onCompleted();
      }

      @Override
      public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(StreamObserver<LeaseKeepAliveResponse> o) {
        return new StreamObserver<>() {
          @Override
          public void onNext(LeaseKeepAliveRequest r) {
            o.onNext(LeaseKeepAliveResponse.newBuilder().setHeader(h).setID(r.getID()).setTTL(10).build());
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            o.onCompleted();
          }
        };
      }
    };
    Server server = NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
        .addService(ServerInterceptors.intercept(kv, new LongHeader()))
        .addService(lease)
        .build().start();
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try {
      String ep = "--endpoints=127.0.0.1:" + server.getPort();
      PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
      for (String[] a : new String[][] {
          {ep, "get", "foo"}, {ep, "put", "foo", "bar"}, {ep, "-w", "json", "get", "foo", "--prefix"},
          {ep, "get", "foo", "-w", "fields"}, {ep, "get", "foo", "--rev=9"}, {ep, "lease", "grant", "10"},
          {ep, "lease", "keep-alive", "--once", "1234"},
          {"--endpoints=127.0.0.1:" + closed, "--command-timeout=300ms", "get", "foo"},
          {"version"}, {"get", "--bogus"}, {"--help"}}) {
        Etcdctl.run(a, sink, sink, new ByteArrayInputStream(new byte[0]), Map.of());
      }
      // what main() does with the real environment
      for (Map.Entry<String, String> e : System.getenv().entrySet()) {
        e.getKey();
      }
    } finally {
      server.shutdownNow();
    }
  }

  /** A response header long enough that Netty Huffman-codes it, so the client's Huffman decoder is trained. */
  private static final class LongHeader implements ServerInterceptor {
    private static final Metadata.Key<String> KEY = Metadata.Key.of("x-training", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, P> ServerCall.Listener<Q> interceptCall(ServerCall<Q, P> call, Metadata headers,
        ServerCallHandler<Q, P> next) {
      return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
        @Override
        public void sendHeaders(Metadata h) {
          h.put(KEY, "etcd java training ".repeat(40));
          super.sendHeaders(h);
        }
      }, headers);
    }
  }
}
