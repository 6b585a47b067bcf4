package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.api.mvccpb.KeyValue;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * The AppCDS training run of the build: runs typical commands against a tiny in-process KV service so
 * the classes a real `etcdctl get` loads end up in the archive (-XX:ArchiveClassesAtExit).
 */
final class Training {
  private Training() {}

  public static void main(String[] args) throws Exception {
    ResponseHeader h = ResponseHeader.newBuilder().setClusterId(1).setMemberId(2).setRevision(3).setRaftTerm(4).build();
    Server server = NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
        .addService(new KVGrpc.KVImplBase() {
          @Override
          public void range(RangeRequest req, StreamObserver<RangeResponse> o) {
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
        }).build().start();
    try {
      String ep = "--endpoints=127.0.0.1:" + server.getPort();
      PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
      for (String[] a : new String[][] {
          {ep, "get", "foo"}, {ep, "put", "foo", "bar"}, {ep, "-w", "json", "get", "foo", "--prefix"},
          {ep, "get", "foo", "-w", "fields"}, {"version"}, {"get", "--bogus"}, {"--help"}}) {
        Etcdctl.run(a, sink, sink, new ByteArrayInputStream(new byte[0]), Map.of());
      }
    } finally {
      server.shutdownNow();
    }
  }
}
