package io.etcdjava.ctl.h2;

import io.grpc.Status;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One plaintext HTTP/2 connection with prior knowledge (h2c), client side. A reader thread owns the
 * input and the HPACK decoder; callers write under {@link #writeLock}. Lock order: writeLock, then this.
 */
final class H2Connection {
  /** What we let the server send before we acknowledge it: large, so a big range needs few round trips. */
  static final int STREAM_WINDOW = 8 << 20;
  static final int CONNECTION_WINDOW = 16 << 20;
  private static final int DEFAULT_WINDOW = 65_535;
  private static final int MAX_FRAME = 16_384;
  private static final int HEADER_TABLE = 4_096;
  private static final int MAX_HEADER_LIST = 16 << 20;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final Object writeLock = new Object();
  private final HpackDecoder decoder = new HpackDecoder(HEADER_TABLE, MAX_HEADER_LIST);
  final String authority;

  // guarded by this
  private final Map<Integer, StreamState> streams = new HashMap<>();
  private int nextStreamId = 1;
  private long connSendWindow = DEFAULT_WINDOW;
  private int peerInitialWindow = DEFAULT_WINDOW;
  private int peerMaxFrame = MAX_FRAME;
  private int connRecvUnacked;
  private boolean goingAway;
  private boolean closed;
  /** Keep-alive: when the reader last saw a frame, and when our unanswered PING went out (0: none). */
  private long lastReadNanos = System.nanoTime();
  private long pingSentNanos;

  private static final class StreamState {
    final StreamHandler handler;
    long sendWindow;
    int recvUnacked;

    StreamState(StreamHandler handler, long sendWindow) {
      this.handler = handler;
      this.sendWindow = sendWindow;
    }
  }

  private H2Connection(Socket socket, String authority) throws IOException {
    this.socket = socket;
    this.authority = authority;
    this.in = new BufferedInputStream(socket.getInputStream(), 64 << 10);
    this.out = new BufferedOutputStream(socket.getOutputStream(), 16 << 10);
  }

  /** Connects, sends the preface and our settings, and starts the reader thread. */
  static H2Connection open(InetSocketAddress addr, int connectTimeoutMillis) throws IOException {
    // no proxy: a plain socket skips the SOCKS layer and the proxy selector's set-up (and Go's client
    // does not use SOCKS either)
    Socket s = new Socket(java.net.Proxy.NO_PROXY);
    try {
      s.setTcpNoDelay(true);
      s.connect(addr, Math.max(1, connectTimeoutMillis));
      H2Connection c = new H2Connection(s, addr.getHostString() + ":" + addr.getPort());
      c.start();
      return c;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private void start() throws IOException {
    synchronized (writeLock) {
      out.write(FrameCodec.PREFACE);
      byte[] settings = FrameCodec.settings(FrameCodec.SETTINGS_ENABLE_PUSH, 0,
          FrameCodec.SETTINGS_INITIAL_WINDOW_SIZE, STREAM_WINDOW,
          FrameCodec.SETTINGS_MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST);
      FrameCodec.write(out, Frame.SETTINGS, 0, 0, settings, 0, settings.length);
      byte[] wu = FrameCodec.int32(CONNECTION_WINDOW - DEFAULT_WINDOW);
      FrameCodec.write(out, Frame.WINDOW_UPDATE, 0, 0, wu, 0, 4);
      out.flush();
    }
    Thread t = new Thread(this::readLoop, "etcdctl-h2-reader-" + authority);
    t.setDaemon(true);
    t.start();
  }

  /** Whether new streams may start here. */
  synchronized boolean isUsable() {
    return !closed && !goingAway;
  }

  /** Opens a stream by sending its HEADERS; the handler hears everything about it from now on. */
  int newStream(List<Header> headers, boolean endStream, StreamHandler handler) throws IOException {
    byte[] encoded = HpackEncoder.encode(headers);
    // a table size update to 0 first: we never index, whatever table size the server announced
    byte[] block = new byte[encoded.length + 1];
    block[0] = 0x20;
    System.arraycopy(encoded, 0, block, 1, encoded.length);
    synchronized (writeLock) {
      int id;
      int maxFrame;
      synchronized (this) {
        if (closed || goingAway) {
          throw new IOException("connection is closed");
        }
        id = nextStreamId;
        nextStreamId += 2;
        handler.bind(this, id);
        streams.put(id, new StreamState(handler, peerInitialWindow));
        maxFrame = peerMaxFrame;
      }
      int off = 0;
      boolean first = true;
      try {
        do {
          int n = Math.min(maxFrame, block.length - off);
          boolean last = off + n == block.length;
          int flags = (last ? Frame.END_HEADERS : 0) | (first && endStream ? Frame.END_STREAM : 0);
          FrameCodec.write(out, first ? Frame.HEADERS : Frame.CONTINUATION, flags, id, block, off, n);
          off += n;
          first = false;
        } while (off < block.length);
        out.flush();
      } catch (IOException e) {
        fail(() -> Status.UNAVAILABLE.withDescription("io exception").withCause(e));
        throw e;
      }
      return id;
    }
  }

  /**
   * Sends {@code b} as DATA frames within the peer's flow-control windows, waiting for WINDOW_UPDATEs as
   * needed; an empty {@code b} with {@code endStream} just ends the stream.
   */
  void sendData(int id, byte[] b, boolean endStream) throws IOException {
    int off = 0;
    do {
      int n;
      synchronized (this) {
        while (true) {
          StreamState s = streams.get(id);
          if (closed) {
            throw new IOException("connection is closed");
          }
          if (s == null) {
            // the server already ended (or reset) the stream: its outcome reaches the call through the
            // handler, and what is left to send has no reader
            return;
          }
          long window = Math.min(connSendWindow, s.sendWindow);
          if (b.length - off == 0) {
            n = 0; // END_STREAM alone takes no window
            break;
          }
          if (window > 0) {
            n = (int) Math.min(Math.min(window, peerMaxFrame), b.length - off);
            connSendWindow -= n;
            s.sendWindow -= n;
            break;
          }
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the flow-control window");
          }
        }
      }
      boolean last = off + n == b.length;
      synchronized (writeLock) {
        try {
          FrameCodec.write(out, Frame.DATA, last && endStream ? Frame.END_STREAM : 0, id, b, off, n);
          out.flush();
        } catch (IOException e) {
          fail(() -> Status.UNAVAILABLE.withDescription("io exception").withCause(e));
          throw e;
        }
      }
      off += n;
    } while (off < b.length);
  }

  /** Resets a stream we no longer want (cancel, deadline) and forgets it. */
  void reset(int id, int errorCode) {
    synchronized (this) {
      if (streams.remove(id) == null || closed) {
        return;
      }
      notifyAll();
    }
    writeQuietly(Frame.RST_STREAM, 0, id, FrameCodec.int32(errorCode));
  }

  /** The server ended a stream; after a GOAWAY the last one to end closes the connection. */
  private void removeEnded(int id) {
    streams.remove(id);
    notifyAll();
    if (goingAway && streams.isEmpty()) {
      closeSocket();
    }
  }

  /**
   * One keep-alive check, run every {@code timeNanos} by the channel's timer: with streams open and
   * nothing read for that long, send a PING; fail the connection when a PING stays unanswered past
   * {@code timeoutNanos}. Returns false once the connection is closed (stop checking).
   */
  boolean keepAliveCheck(long timeNanos, long timeoutNanos) {
    boolean ping;
    synchronized (this) {
      if (closed) {
        return false;
      }
      long now = System.nanoTime();
      if (pingSentNanos != 0) {
        if (now - pingSentNanos < timeoutNanos) {
          return true;
        }
        ping = false;
      } else {
        ping = !streams.isEmpty() && now - lastReadNanos >= timeNanos;
        if (ping) {
          pingSentNanos = now;
        }
      }
    }
    if (ping) {
      writeQuietly(Frame.PING, 0, 0, new byte[8]);
      return true;
    }
    fail(() -> Status.UNAVAILABLE.withDescription("Keepalive failed. The connection is likely gone"));
    return false;
  }

  /** Closes the connection; open streams fail with the status {@code why} makes. */
  void close(Supplier<Status> why) {
    fail(why);
  }

  private void readLoop() {
    try {
      // the server's SETTINGS must come first; everything after is dispatched by type
      Frame f = FrameCodec.read(in, MAX_FRAME);
      if (f.type() != Frame.SETTINGS || f.has(Frame.ACK)) {
        throw new H2Exception(FrameCodec.PROTOCOL_ERROR, "expected SETTINGS from the server");
      }
      while (true) {
        synchronized (this) {
          lastReadNanos = System.nanoTime();
        }
        dispatch(f);
        f = FrameCodec.read(in, MAX_FRAME);
      }
    } catch (H2Exception e) {
      writeGoAway(e.code, e.getMessage());
      fail(() -> Status.INTERNAL.withDescription("HTTP/2 error: " + e.getMessage()).withCause(e));
    } catch (IOException e) {
      fail(() -> Status.UNAVAILABLE.withDescription("Network closed for unknown reason").withCause(e));
    } catch (RuntimeException e) {
      fail(() -> Status.INTERNAL.withDescription("HTTP/2 client failure").withCause(e));
    }
  }

  private void dispatch(Frame f) throws IOException {
    switch (f.type()) {
      case Frame.DATA -> onData(f);
      case Frame.HEADERS -> onHeaders(f);
      case Frame.RST_STREAM -> {
        if (f.payload().length != 4) {
          throw new H2Exception(FrameCodec.FRAME_SIZE_ERROR, "RST_STREAM of " + f.payload().length + " bytes");
        }
        StreamState s;
        synchronized (this) {
          s = streams.remove(f.streamId());
          notifyAll();
        }
        if (s != null) {
          s.handler.onReset(FrameCodec.int32(f.payload(), 0));
        }
      }
      case Frame.SETTINGS -> onSettings(f);
      case Frame.PING -> {
        if (f.payload().length != 8) {
          throw new H2Exception(FrameCodec.FRAME_SIZE_ERROR, "PING of " + f.payload().length + " bytes");
        }
        if (!f.has(Frame.ACK)) {
          writeQuietly(Frame.PING, Frame.ACK, 0, f.payload());
        } else {
          synchronized (this) {
            pingSentNanos = 0;
          }
        }
      }
      case Frame.GOAWAY -> onGoAway(f);
      case Frame.WINDOW_UPDATE -> onWindowUpdate(f);
      case Frame.PUSH_PROMISE -> throw new H2Exception(FrameCodec.PROTOCOL_ERROR, "PUSH_PROMISE with push disabled");
      case Frame.CONTINUATION -> throw new H2Exception(FrameCodec.PROTOCOL_ERROR, "unexpected CONTINUATION");
      default -> {
        // PRIORITY and unknown frame types are ignored (RFC 9113 section 4.1)
      }
    }
  }

  private void onData(Frame f) throws IOException {
    int[] c = FrameCodec.content(f);
    StreamState s;
    int connUpdate = 0;
    int streamUpdate = 0;
    int len = f.payload().length;
    synchronized (this) {
      s = streams.get(f.streamId());
      connRecvUnacked += len;
      if (connRecvUnacked >= CONNECTION_WINDOW / 2) {
        connUpdate = connRecvUnacked;
        connRecvUnacked = 0;
      }
      if (s != null && !f.has(Frame.END_STREAM)) {
        s.recvUnacked += len;
        if (s.recvUnacked >= STREAM_WINDOW / 2) {
          streamUpdate = s.recvUnacked;
          s.recvUnacked = 0;
        }
      }
      if (s != null && f.has(Frame.END_STREAM)) {
        removeEnded(f.streamId());
      }
    }
    if (connUpdate > 0) {
      writeQuietly(Frame.WINDOW_UPDATE, 0, 0, FrameCodec.int32(connUpdate));
    }
    if (streamUpdate > 0) {
      writeQuietly(Frame.WINDOW_UPDATE, 0, f.streamId(), FrameCodec.int32(streamUpdate));
    }
    if (s != null) {
      s.handler.onData(f.payload(), c[0], c[1], f.has(Frame.END_STREAM));
    }
  }

  private void onHeaders(Frame first) throws IOException {
    int[] c = FrameCodec.content(first);
    byte[] block = java.util.Arrays.copyOfRange(first.payload(), c[0], c[0] + c[1]);
    if (!first.has(Frame.END_HEADERS)) {
      java.io.ByteArrayOutputStream acc = new java.io.ByteArrayOutputStream();
      acc.write(block);
      while (true) {
        Frame f = FrameCodec.read(in, MAX_FRAME);
        if (f.type() != Frame.CONTINUATION || f.streamId() != first.streamId()) {
          throw new H2Exception(FrameCodec.PROTOCOL_ERROR, "expected CONTINUATION");
        }
        acc.write(f.payload());
        if (acc.size() > MAX_HEADER_LIST) {
          throw new H2Exception(FrameCodec.ENHANCE_YOUR_CALM, "header block too large");
        }
        if (f.has(Frame.END_HEADERS)) {
          break;
        }
      }
      block = acc.toByteArray();
    }
    List<Header> headers;
    try {
      // decoded even for streams we reset: the dynamic table must follow the server's
      headers = decoder.decode(block, 0, block.length);
    } catch (HpackException e) {
      throw new H2Exception(FrameCodec.COMPRESSION_ERROR, e.getMessage());
    }
    boolean end = first.has(Frame.END_STREAM);
    StreamState s;
    synchronized (this) {
      s = streams.get(first.streamId());
      if (s != null && end) {
        removeEnded(first.streamId());
      }
    }
    if (s != null) {
      s.handler.onHeaders(headers, end);
    }
  }

  private void onSettings(Frame f) throws IOException {
    if (f.has(Frame.ACK)) {
      return;
    }
    byte[] p = f.payload();
    if (p.length % 6 != 0) {
      throw new H2Exception(FrameCodec.FRAME_SIZE_ERROR, "SETTINGS of " + p.length + " bytes");
    }
    synchronized (this) {
      for (int o = 0; o < p.length; o += 6) {
        int id = (p[o] & 0xff) << 8 | (p[o + 1] & 0xff);
        int v = FrameCodec.int32(p, o + 2);
        if (id == FrameCodec.SETTINGS_INITIAL_WINDOW_SIZE) {
          if (v < 0) {
            throw new H2Exception(FrameCodec.FLOW_CONTROL_ERROR, "initial window size " + (v & 0xffffffffL));
          }
          int delta = v - peerInitialWindow;
          peerInitialWindow = v;
          for (StreamState s : streams.values()) {
            s.sendWindow += delta;
          }
        } else if (id == FrameCodec.SETTINGS_MAX_FRAME_SIZE) {
          if (v < MAX_FRAME || v > 0xffffff) {
            throw new H2Exception(FrameCodec.PROTOCOL_ERROR, "max frame size " + v);
          }
          peerMaxFrame = v;
        }
      }
      notifyAll();
    }
    writeQuietly(Frame.SETTINGS, Frame.ACK, 0, new byte[0]);
  }

  private void onWindowUpdate(Frame f) throws IOException {
    if (f.payload().length != 4) {
      throw new H2Exception(FrameCodec.FRAME_SIZE_ERROR, "WINDOW_UPDATE of " + f.payload().length + " bytes");
    }
    int inc = FrameCodec.int32(f.payload(), 0) & 0x7fffffff;
    synchronized (this) {
      if (f.streamId() == 0) {
        connSendWindow += inc;
      } else {
        StreamState s = streams.get(f.streamId());
        if (s != null) {
          s.sendWindow += inc;
        }
      }
      notifyAll();
    }
  }

  private void onGoAway(Frame f) throws IOException {
    byte[] p = f.payload();
    if (p.length < 8) {
      throw new H2Exception(FrameCodec.FRAME_SIZE_ERROR, "GOAWAY of " + p.length + " bytes");
    }
    int last = FrameCodec.int32(p, 0) & 0x7fffffff;
    int code = FrameCodec.int32(p, 4);
    String debug = new String(p, 8, p.length - 8, StandardCharsets.UTF_8);
    List<StreamState> refused = new ArrayList<>();
    synchronized (this) {
      goingAway = true;
      streams.entrySet().removeIf(e -> {
        if (e.getKey() > last) {
          refused.add(e.getValue());
          return true;
        }
        return false;
      });
      notifyAll();
      if (streams.isEmpty()) {
        closeSocket();
      }
    }
    Status st = (code == FrameCodec.NO_ERROR ? Status.UNAVAILABLE : GrpcStatus.fromHttp2Error(code))
        .withDescription("Abrupt GOAWAY closed unsent stream. HTTP/2 error code: " + GrpcStatus.http2ErrorName(code)
            + (debug.isEmpty() ? "" : ", debug data: " + debug));
    for (StreamState s : refused) {
      s.handler.onConnectionClosed(st);
    }
  }

  /**
   * Closes the connection and fails its open streams with the status {@code why} makes. Built only when a
   * stream is open: grpc's Status class starts java.util.logging, which a short command that closes an idle
   * connection at exit should not pay for.
   */
  private void fail(Supplier<Status> why) {
    List<StreamState> open;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      open = new ArrayList<>(streams.values());
      streams.clear();
      notifyAll();
      closeSocket();
    }
    if (open.isEmpty()) {
      return;
    }
    Status status = why.get();
    for (StreamState s : open) {
      s.handler.onConnectionClosed(status);
    }
  }

  private void closeSocket() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private void writeGoAway(int code, String msg) {
    byte[] debug = msg == null ? new byte[0] : msg.getBytes(StandardCharsets.UTF_8);
    byte[] p = new byte[8 + debug.length];
    FrameCodec.putInt32(p, 0, 0);
    FrameCodec.putInt32(p, 4, code);
    System.arraycopy(debug, 0, p, 8, debug.length);
    writeQuietly(Frame.GOAWAY, 0, 0, p);
  }

  private void writeQuietly(int type, int flags, int streamId, byte[] payload) {
    synchronized (writeLock) {
      try {
        FrameCodec.write(out, type, flags, streamId, payload, 0, payload.length);
        out.flush();
      } catch (IOException e) {
        // the reader sees the broken connection and fails the streams
      }
    }
  }
}
