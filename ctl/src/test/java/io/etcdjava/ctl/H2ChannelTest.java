package io.etcdjava.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.LeaseGrpc;
import io.etcdjava.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdjava.api.etcdserverpb.MaintenanceGrpc;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.SnapshotRequest;
import io.etcdjava.api.etcdserverpb.SnapshotResponse;
import io.etcdjava.api.etcdserverpb.WatchCreateRequest;
import io.etcdjava.api.etcdserverpb.WatchGrpc;
import io.etcdjava.api.etcdserverpb.WatchRequest;
import io.etcdjava.api.etcdserverpb.WatchResponse;
import io.etcdjava.ctl.h2.H2Channel;
import io.grpc.ConnectivityState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The h2c channel against Debian's real etcd: unary, streaming, flow control, errors, deadlines, failover. */
@Timeout(120)
class H2ChannelTest {
  @RegisterExtension
  static final RealEtcd ETCD = new RealEtcd();

  private H2Channel channel;

  private H2Channel open(InetSocketAddress... eps) {
    channel = H2Channel.create(List.of(eps), TimeUnit.SECONDS.toNanos(2), "h2-test");
    return channel;
  }

  private static InetSocketAddress etcd() {
    String[] hp = ETCD.endpoint().split(":");
    return new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
  }

  @AfterEach
  void close() {
    if (channel != null) {
      channel.shutdownNow();
    }
  }

  private static ByteString bs(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void unaryPutThenGet() {
    var kv = KVGrpc.newBlockingStub(open(etcd())).withDeadlineAfter(30, TimeUnit.SECONDS);
    kv.put(PutRequest.newBuilder().setKey(bs("h2/a")).setValue(bs("1")).build());
    RangeResponse r = kv.range(RangeRequest.newBuilder().setKey(bs("h2/a")).build());
    assertThat(r.getKvsList()).singleElement().satisfies(k -> assertThat(k.getValue().toStringUtf8()).isEqualTo("1"));
    assertThat(r.getHeader().getRevision()).isPositive();
    assertThat(channel.getState(false)).isEqualTo(ConnectivityState.READY);
  }

  /** Regression: elect -l hung after SIGTERM because cancelling the Context did not cancel the h2c call. */
  @Test
  void cancellingTheContextEndsABlockingServerStream() throws Exception {
    var election = io.etcdjava.api.v3electionpb.ElectionGrpc.newBlockingStub(open(etcd()));
    io.grpc.Context.CancellableContext ctx = io.grpc.Context.current().withCancellation();
    BlockingQueue<Object> outcome = new LinkedBlockingQueue<>();
    Thread observer = new Thread(() -> ctx.run(() -> {
      try {
        // no leader in this election: hasNext waits until the call ends
        Iterator<?> it = election.observe(io.etcdjava.api.v3electionpb.LeaderRequest.newBuilder()
            .setName(bs("h2/no-leader")).build());
        outcome.add(it.hasNext());
      } catch (RuntimeException e) {
        outcome.add(e);
      }
    }), "h2-test-observer");
    observer.start();
    // the stream is open and idle: nothing arrives on its own
    assertThat(outcome.poll(500, TimeUnit.MILLISECONDS)).isNull();
    ctx.cancel(null);
    Object o = outcome.poll(10, TimeUnit.SECONDS);
    assertThat(o).isInstanceOf(StatusRuntimeException.class);
    assertThat(((StatusRuntimeException) o).getStatus().getCode()).isEqualTo(Status.Code.CANCELLED);
    observer.join(5000);
  }

  @Test
  void aCallStartedInACancelledContextFailsAtOnce() {
    var kv = KVGrpc.newBlockingStub(open(etcd()));
    io.grpc.Context.CancellableContext ctx = io.grpc.Context.current().withCancellation();
    ctx.cancel(null);
    assertThatThrownBy(() -> ctx.run(() -> kv.range(RangeRequest.newBuilder().setKey(bs("h2/a")).build())))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED));
  }

  @Test
  void largeRequestsAndResponsesCrossTheFlowControlWindows() {
    var kv = KVGrpc.newBlockingStub(open(etcd())).withDeadlineAfter(60, TimeUnit.SECONDS);
    // 12 values of 1 MiB: each request is past the peer's 64 KiB initial window, the range past ours (8 MiB)
    byte[] v = new byte[1 << 20];
    for (int i = 0; i < v.length; i++) {
      v[i] = (byte) ('a' + i % 26);
    }
    for (int i = 0; i < 12; i++) {
      kv.put(PutRequest.newBuilder().setKey(bs("big/" + i)).setValue(ByteString.copyFrom(v)).build());
    }
    RangeResponse r = kv.range(RangeRequest.newBuilder().setKey(bs("big/")).setRangeEnd(bs("big0")).build());
    assertThat(r.getKvsCount()).isEqualTo(12);
    assertThat(r.getKvs(11).getValue().toByteArray()).isEqualTo(v);
  }

  @Test
  void serverStreamingSnapshot() {
    var m = MaintenanceGrpc.newBlockingStub(open(etcd())).withDeadlineAfter(60, TimeUnit.SECONDS);
    KVGrpc.newBlockingStub(channel).put(PutRequest.newBuilder().setKey(bs("snap")).setValue(bs("x")).build());
    Iterator<SnapshotResponse> it = m.snapshot(SnapshotRequest.getDefaultInstance());
    long total = 0;
    int chunks = 0;
    long lastRemaining = -1;
    while (it.hasNext()) {
      SnapshotResponse s = it.next();
      total += s.getBlob().size();
      chunks++;
      lastRemaining = s.getRemainingBytes();
    }
    assertThat(chunks).isGreaterThan(1);
    assertThat(total).isGreaterThan(0);
    assertThat(lastRemaining).isZero();
  }

  @Test
  void etcdErrorsArriveWithTheirCodeAndText() {
    var lease = LeaseGrpc.newBlockingStub(open(etcd())).withDeadlineAfter(30, TimeUnit.SECONDS);
    assertThatThrownBy(() -> lease.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(12345).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).isEqualTo("etcdserver: requested lease not found");
        });
    var kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    assertThatThrownBy(() -> kv.range(RangeRequest.newBuilder().setKey(bs("x")).setRevision(1_000_000).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
          assertThat(e.getStatus().getDescription()).isEqualTo("etcdserver: mvcc: required revision is a future revision");
        });
    // the connection stays usable after errors
    assertThat(kv.range(RangeRequest.newBuilder().setKey(bs("x")).build()).getCount()).isZero();
  }

  @Test
  void bidiWatchDeliversEventsAndEndsAtTheDeadline() throws Exception {
    open(etcd());
    BlockingQueue<Object> got = new LinkedBlockingQueue<>();
    StreamObserver<WatchRequest> req = WatchGrpc.newStub(channel).withDeadlineAfter(3, TimeUnit.SECONDS)
        .watch(new StreamObserver<>() {
          @Override
          public void onNext(WatchResponse r) {
            got.add(r);
          }

          @Override
          public void onError(Throwable t) {
            got.add(t);
          }

          @Override
          public void onCompleted() {
            got.add("completed");
          }
        });
    req.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(bs("w/k"))).build());
    WatchResponse created = (WatchResponse) got.poll(30, TimeUnit.SECONDS);
    assertThat(created.getCreated()).isTrue();
    KVGrpc.newBlockingStub(channel).put(PutRequest.newBuilder().setKey(bs("w/k")).setValue(bs("v")).build());
    WatchResponse event = (WatchResponse) got.poll(30, TimeUnit.SECONDS);
    assertThat(event.getEventsList()).singleElement()
        .satisfies(e -> assertThat(e.getKv().getValue().toStringUtf8()).isEqualTo("v"));
    Object end = got.poll(30, TimeUnit.SECONDS);
    assertThat(end).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
  }

  @Test
  void failsOverToTheNextEndpointInOrder() throws Exception {
    InetSocketAddress closed = new InetSocketAddress("127.0.0.1", RealEtcd.closedPort());
    var kv = KVGrpc.newBlockingStub(open(closed, etcd())).withDeadlineAfter(30, TimeUnit.SECONDS).withWaitForReady();
    assertThat(kv.range(RangeRequest.newBuilder().setKey(bs("nothing")).build()).getCount()).isZero();
  }

  @Test
  void anUnreachableClusterWaitsForReadyUntilTheDeadline() throws Exception {
    InetSocketAddress closed = new InetSocketAddress("127.0.0.1", RealEtcd.closedPort());
    var kv = KVGrpc.newBlockingStub(open(closed)).withDeadlineAfter(500, TimeUnit.MILLISECONDS).withWaitForReady();
    assertThatThrownBy(() -> kv.range(RangeRequest.newBuilder().setKey(bs("x")).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(channel.getState(false)).isEqualTo(ConnectivityState.TRANSIENT_FAILURE);
    // without wait-for-ready one failed round is UNAVAILABLE
    var failFast = KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    assertThatThrownBy(() -> failFast.range(RangeRequest.newBuilder().setKey(bs("x")).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }
}
