package io.etcdjava.ctl.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The channel against a scripted HTTP/2 peer: what real servers rarely do on demand. */
@Timeout(60)
class H2ChannelFakeServerTest {
  private ServerSocket server;
  private Thread serverThread;
  private H2Channel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.close();
    }
    if (serverThread != null) {
      serverThread.interrupt();
      serverThread.join(10_000);
    }
  }

  /** Accepts one connection, reads the preface, sends empty SETTINGS, then hands each frame to {@code onFrame}. */
  private InetSocketAddress serve(BiConsumer<Frame, OutputStream> onFrame) throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    serverThread = new Thread(() -> {
      try (Socket s = server.accept()) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        new DataInputStream(in).readFully(new byte[FrameCodec.PREFACE.length]);
        FrameCodec.write(out, Frame.SETTINGS, 0, 0, new byte[0], 0, 0);
        out.flush();
        while (true) {
          onFrame.accept(FrameCodec.read(in, 1 << 20), out);
          out.flush();
        }
      } catch (IOException e) {
        // the test is over
      }
    }, "fake-h2-server");
    serverThread.setDaemon(true);
    serverThread.start();
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
  }

  private static RangeRequest range() {
    return RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build();
  }

  @Test
  void aPeerThatStopsAnsweringPingsFailsTheCallAfterTheKeepAliveTimeout() throws Exception {
    InetSocketAddress a = serve((f, out) -> { }); // reads everything, answers nothing
    channel = H2Channel.create(List.of(a), TimeUnit.SECONDS.toNanos(5), "t")
        .keepAliveUnclamped(TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.MILLISECONDS.toNanos(300));
    var kv = KVGrpc.newBlockingStub(channel);
    assertThatThrownBy(() -> kv.range(range())).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription()).contains("Keepalive failed");
    });
  }

  @Test
  void resetStreamAndTrailersOnlyResponsesEndTheCall() throws Exception {
    InetSocketAddress a = serve((f, out) -> {
      if (f.type() != Frame.HEADERS) {
        return;
      }
      try {
        if (f.streamId() == 1) {
          FrameCodec.write(out, Frame.RST_STREAM, 0, 1, FrameCodec.int32(FrameCodec.REFUSED_STREAM), 0, 4);
        } else {
          // trailers-only: :status 200 (static index 8) and grpc-status / grpc-message literals
          byte[] block = HpackEncoder.encode(List.of(new Header("grpc-status", "9"),
              new Header("grpc-message", "etcdserver: request is too large%21")));
          byte[] all = new byte[block.length + 1];
          all[0] = (byte) 0x88;
          System.arraycopy(block, 0, all, 1, block.length);
          FrameCodec.write(out, Frame.HEADERS, Frame.END_HEADERS | Frame.END_STREAM, f.streamId(), all, 0, all.length);
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    channel = H2Channel.create(List.of(a), TimeUnit.SECONDS.toNanos(5), "t");
    var kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    assertThatThrownBy(() -> kv.range(range())).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    assertThatThrownBy(() -> kv.range(range())).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      assertThat(e.getStatus().getDescription()).isEqualTo("etcdserver: request is too large!");
    });
  }

  // ---- blockingUnary: the direct path without grpc-java's call layer ----

  private static void write(OutputStream out, int type, int flags, int stream, byte[] payload) {
    try {
      FrameCodec.write(out, type, flags, stream, payload, 0, payload.length);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** :status 200 (static index 8), then the given literal headers. */
  private static byte[] status200(Header... headers) {
    byte[] block = HpackEncoder.encode(List.of(headers));
    byte[] all = new byte[block.length + 1];
    all[0] = (byte) 0x88;
    System.arraycopy(block, 0, all, 1, block.length);
    return all;
  }

  private static byte[] framed(byte[]... messages) {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    for (byte[] m : messages) {
      b.write(0);
      b.writeBytes(FrameCodec.int32(m.length));
      b.writeBytes(m);
    }
    return b.toByteArray();
  }

  @Test
  void blockingUnarySendsPathMetadataAndMessageAndReturnsTheResponseMessage() throws Exception {
    List<Header> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    HpackDecoder decoder = new HpackDecoder(4096, 1 << 20);
    byte[] reply = "the reply".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    InetSocketAddress a = serve((f, out) -> {
      if (f.type() == Frame.HEADERS) {
        try {
          seen.addAll(decoder.decode(f.payload(), 0, f.payload().length));
        } catch (HpackException e) {
          throw new IllegalStateException(e);
        }
      } else if (f.type() == Frame.DATA) {
        body.writeBytes(f.payload());
        if (f.has(Frame.END_STREAM)) {
          write(out, Frame.HEADERS, Frame.END_HEADERS, f.streamId(), status200());
          byte[] data = framed(reply);
          write(out, Frame.DATA, 0, f.streamId(), data);
          write(out, Frame.HEADERS, Frame.END_HEADERS | Frame.END_STREAM, f.streamId(),
              HpackEncoder.encode(List.of(new Header("grpc-status", "0"))));
        }
      }
    });
    channel = H2Channel.create(List.of(a), TimeUnit.SECONDS.toNanos(5), "ua");
    byte[] request = range().toByteArray();
    byte[] got = channel.blockingUnary("etcdserverpb.KV/Range", request, TimeUnit.SECONDS.toNanos(30), "token", "t0k");
    assertThat(got).isEqualTo(reply);
    assertThat(body.toByteArray()).isEqualTo(framed(request));
    assertThat(seen).contains(new Header(":path", "/etcdserverpb.KV/Range"), new Header(":method", "POST"),
        new Header("content-type", "application/grpc"), new Header("te", "trailers"),
        new Header("user-agent", "ua"), new Header("token", "t0k"));
    assertThat(seen).anySatisfy(h -> assertThat(h.name()).isEqualTo("grpc-timeout"));
  }

  @Test
  void blockingUnaryReportsErrorsResetsAndBadResponsesAsGrpcStatuses() throws Exception {
    InetSocketAddress a = serve((f, out) -> {
      if (f.type() != Frame.HEADERS) {
        return;
      }
      int id = f.streamId();
      switch (id) {
        case 1 -> write(out, Frame.HEADERS, Frame.END_HEADERS | Frame.END_STREAM, id, status200(
            new Header("grpc-status", "11"), new Header("grpc-message", "etcdserver: mvcc: required revision is a future revision")));
        case 3 -> write(out, Frame.RST_STREAM, 0, id, FrameCodec.int32(FrameCodec.REFUSED_STREAM));
        case 5 -> {
          write(out, Frame.HEADERS, Frame.END_HEADERS, id, status200());
          write(out, Frame.DATA, 0, id, framed(new byte[] {1}, new byte[] {2}));
          write(out, Frame.HEADERS, Frame.END_HEADERS | Frame.END_STREAM, id,
              HpackEncoder.encode(List.of(new Header("grpc-status", "0"))));
        }
        default -> write(out, Frame.HEADERS, Frame.END_HEADERS | Frame.END_STREAM, id, status200(
            new Header("grpc-status", "0")));
      }
    });
    channel = H2Channel.create(List.of(a), TimeUnit.SECONDS.toNanos(5), "t");
    long timeout = TimeUnit.SECONDS.toNanos(30);
    byte[] req = range().toByteArray();
    assertThatThrownBy(() -> channel.blockingUnary("etcdserverpb.KV/Range", req, timeout))
        .isInstanceOfSatisfying(io.grpc.StatusException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
          assertThat(e.getStatus().getDescription()).isEqualTo("etcdserver: mvcc: required revision is a future revision");
        });
    assertThatThrownBy(() -> channel.blockingUnary("etcdserverpb.KV/Range", req, timeout))
        .isInstanceOfSatisfying(io.grpc.StatusException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    assertThatThrownBy(() -> channel.blockingUnary("etcdserverpb.KV/Range", req, timeout))
        .isInstanceOfSatisfying(io.grpc.StatusException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
          assertThat(e.getStatus().getDescription()).contains("More than one value");
        });
    assertThatThrownBy(() -> channel.blockingUnary("etcdserverpb.KV/Range", req, timeout))
        .isInstanceOfSatisfying(io.grpc.StatusException.class,
            e -> assertThat(e.getStatus().getDescription()).contains("No value received"));
  }

  @Test
  void blockingUnaryGivesUpAtTheDeadlineAndCancelsTheStream() throws Exception {
    java.util.concurrent.CountDownLatch reset = new java.util.concurrent.CountDownLatch(1);
    InetSocketAddress a = serve((f, out) -> {
      if (f.type() == Frame.RST_STREAM && FrameCodec.int32(f.payload(), 0) == FrameCodec.CANCEL) {
        reset.countDown();
      }
    });
    channel = H2Channel.create(List.of(a), TimeUnit.SECONDS.toNanos(5), "t");
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> channel.blockingUnary("etcdserverpb.KV/Range", range().toByteArray(),
        TimeUnit.MILLISECONDS.toNanos(300))).isInstanceOfSatisfying(io.grpc.StatusException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
    assertThat(reset.await(10, TimeUnit.SECONDS)).as("the stream was cancelled").isTrue();
  }

  @Test
  void blockingUnaryToNoListenerWaitsForReadyUntilTheDeadline() throws Exception {
    InetSocketAddress nobody;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      nobody = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }
    channel = H2Channel.create(List.of(nobody), TimeUnit.SECONDS.toNanos(5), "t");
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> channel.blockingUnary("etcdserverpb.KV/Range", range().toByteArray(),
        TimeUnit.MILLISECONDS.toNanos(500))).isInstanceOfSatisfying(io.grpc.StatusException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
  }
}
