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
}
