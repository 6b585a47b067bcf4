package io.etcdjava.ctl.h2;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.InternalMetadata;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC call on an {@link H2Connection} stream: unary, server-, client- or bidi-streaming alike.
 * Listener callbacks go through the call's executor (the blocking stubs' own thread, or the channel's
 * callback thread) in order; all state is guarded by {@code this}.
 */
final class H2Call<Q, P> extends ClientCall<Q, P> implements StreamHandler {
  private final H2Channel channel;
  private final MethodDescriptor<Q, P> method;
  private final CallOptions options;

  private Listener<P> listener;
  private Executor executor;
  private volatile H2Connection conn;
  private volatile int streamId;
  private ScheduledFuture<?> deadlineTimer;
  private Context context;
  private Context.CancellationListener onContextCancelled;
  private int requested;
  private final ArrayDeque<P> messages = new ArrayDeque<>();
  private Status closeStatus;
  private Metadata closeTrailers;
  private boolean closeDelivered;
  private boolean halfClosed;
  // inbound framing, touched only by the connection's reader thread
  private boolean headersSeen;
  private int httpStatus;
  private byte[] buf = new byte[0];
  private int bufLen;

  H2Call(H2Channel channel, MethodDescriptor<Q, P> method, CallOptions options) {
    this.channel = channel;
    this.method = method;
    this.options = options;
  }

  @Override
  public void start(Listener<P> l, Metadata headers) {
    Executor ex = options.getExecutor() != null ? options.getExecutor() : channel.callbackExecutor();
    Context ctx = Context.current();
    Deadline deadline = earliest(options.getDeadline(), ctx.getDeadline());
    synchronized (this) {
      if (listener != null) {
        throw new IllegalStateException("already started");
      }
      listener = l;
      executor = ex;
      if (ctx.isCancelled()) {
        close(cancelledBy(ctx), true);
        return;
      }
      if (deadline != null) {
        long nanos = deadline.timeRemaining(TimeUnit.NANOSECONDS);
        if (nanos <= 0) {
          close(Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded before the call started"), true);
          return;
        }
        deadlineTimer = channel.schedule(() -> onDeadline(nanos), nanos);
      }
    }
    // As grpc's own calls do, a cancelled Context cancels the call: a blocking stub's iterator waits only
    // for the listener, so without this, cancelling its Context (elect -l on SIGTERM) would never end it.
    listenToContext(ctx);
    H2Connection c;
    try {
      c = channel.connection(deadline, options.isWaitForReady(), this::isClosed);
    } catch (StatusException e) {
      synchronized (this) {
        close(e.getStatus(), true);
      }
      return;
    }
    if (c == null) {
      return; // closed (deadline, cancel) while connecting
    }
    try {
      int id = c.newStream(requestHeaders(c, headers, deadline), false, this);
      boolean closed;
      synchronized (this) {
        closed = closeStatus != null;
        if (!closed) {
          post(() -> listener.onReady());
        }
      }
      if (closed) {
        c.reset(id, FrameCodec.CANCEL);
      }
    } catch (IOException e) {
      synchronized (this) {
        close(Status.UNAVAILABLE.withDescription("io exception").withCause(e), true);
      }
    }
  }

  private List<Header> requestHeaders(H2Connection c, Metadata md, Deadline deadline) {
    List<Header> extra = new ArrayList<>();
    byte[][] kv = InternalMetadata.serialize(md);
    for (int i = 0; i + 1 < kv.length; i += 2) {
      String name = new String(kv[i], StandardCharsets.ISO_8859_1);
      String value = name.endsWith("-bin")
          ? Base64.getEncoder().withoutPadding().encodeToString(kv[i + 1])
          : new String(kv[i + 1], StandardCharsets.ISO_8859_1);
      extra.add(new Header(name, value));
    }
    String authority = options.getAuthority() != null ? options.getAuthority() : c.authority;
    return requestHeaders("/" + method.getFullMethodName(), authority, channel.userAgent(), deadline, extra);
  }

  /** A gRPC request's HEADERS: pseudo-headers, content type, deadline, then the call's metadata. */
  static List<Header> requestHeaders(String path, String authority, String userAgent, Deadline deadline,
      List<Header> metadata) {
    List<Header> h = new ArrayList<>();
    h.add(new Header(":method", "POST"));
    h.add(new Header(":scheme", "http"));
    h.add(new Header(":path", path));
    h.add(new Header(":authority", authority));
    h.add(new Header("content-type", "application/grpc"));
    h.add(new Header("te", "trailers"));
    h.add(new Header("user-agent", userAgent));
    if (deadline != null) {
      h.add(new Header("grpc-timeout", timeout(Math.max(1, deadline.timeRemaining(TimeUnit.NANOSECONDS)))));
    }
    h.addAll(metadata);
    return h;
  }

  /** grpc-timeout: at most 8 digits and a unit (n, u, m, S, M, H). */
  static String timeout(long nanos) {
    long[] per = {1, 1_000, 1_000_000, 1_000_000_000L, 60_000_000_000L, 3_600_000_000_000L};
    char[] unit = {'n', 'u', 'm', 'S', 'M', 'H'};
    for (int i = 0; i < per.length; i++) {
      long v = (nanos + per[i] - 1) / per[i];
      if (v < 100_000_000L) {
        return v + String.valueOf(unit[i]);
      }
    }
    return "99999999H";
  }

  private void listenToContext(Context ctx) {
    Context.CancellationListener cl = c -> cancelBecause(cancelledBy(c));
    synchronized (this) {
      if (closeStatus != null) {
        return;
      }
      context = ctx;
      onContextCancelled = cl;
    }
    // runs cl at once when ctx is already cancelled; a no-op for a context that cannot be cancelled
    ctx.addListener(cl, Runnable::run);
  }

  /** grpc's status for a call whose Context was cancelled (DEADLINE_EXCEEDED when its deadline passed). */
  private static Status cancelledBy(Context ctx) {
    Throwable cause = ctx.cancellationCause();
    if (cause instanceof java.util.concurrent.TimeoutException) {
      return Status.DEADLINE_EXCEEDED.withDescription(cause.getMessage()).withCause(cause);
    }
    if (cause == null) {
      return Status.CANCELLED.withDescription("io.grpc.Context was cancelled without error");
    }
    Status st = Status.fromThrowable(cause);
    return st.getCode() == Status.Code.UNKNOWN ? Status.CANCELLED.withCause(cause) : st.withCause(cause);
  }

  private static Deadline earliest(Deadline a, Deadline b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : a.minimum(b);
  }

  private synchronized boolean isClosed() {
    return closeStatus != null;
  }

  private void onDeadline(long nanos) {
    H2Connection c;
    int id;
    synchronized (this) {
      if (closeStatus != null) {
        return;
      }
      close(Status.DEADLINE_EXCEEDED.withDescription(
          String.format(Locale.ROOT, "deadline exceeded after %.9fs", nanos / 1e9)), true);
      c = conn;
      id = streamId;
    }
    if (c != null) {
      c.reset(id, FrameCodec.CANCEL);
    }
  }

  @Override
  public void request(int n) {
    synchronized (this) {
      requested += n;
      drain();
    }
  }

  @Override
  public void cancel(String message, Throwable cause) {
    Status st = Status.CANCELLED;
    st = message != null ? st.withDescription(message) : st.withDescription("Call cancelled without message");
    cancelBecause(cause != null ? st.withCause(cause) : st);
  }

  private void cancelBecause(Status st) {
    H2Connection c;
    int id;
    synchronized (this) {
      if (closeStatus != null || listener == null) {
        return;
      }
      close(st, true);
      c = conn;
      id = streamId;
    }
    if (c != null) {
      c.reset(id, FrameCodec.CANCEL);
    }
  }

  @Override
  public void halfClose() {
    H2Connection c;
    synchronized (this) {
      if (halfClosed) {
        throw new IllegalStateException("already half-closed");
      }
      halfClosed = true;
      c = conn;
      if (c == null || closeStatus != null) {
        return;
      }
    }
    send(c, new byte[0], true);
  }

  @Override
  public void sendMessage(Q message) {
    H2Connection c;
    synchronized (this) {
      if (halfClosed) {
        throw new IllegalStateException("half-closed");
      }
      c = conn;
      if (c == null || closeStatus != null) {
        return;
      }
    }
    byte[] body;
    try (InputStream in = method.streamRequest(message)) {
      body = in.readAllBytes();
    } catch (IOException e) {
      cancel("failed to serialize the request", e);
      return;
    }
    send(c, FrameCodec.grpcMessage(body), false);
  }

  private void send(H2Connection c, byte[] b, boolean end) {
    try {
      c.sendData(streamId, b, end);
    } catch (IOException e) {
      // the connection failed: every open stream's handler (this one's too) hears it from the connection
    }
  }

  @Override
  public synchronized boolean isReady() {
    return conn != null && closeStatus == null && !halfClosed;
  }

  // ---- StreamHandler, on the reader thread ----

  @Override
  public void bind(H2Connection c, int id) {
    streamId = id;
    conn = c;
  }

  @Override
  public void onHeaders(List<Header> headers, boolean endStream) {
    if (!headersSeen) {
      headersSeen = true;
      httpStatus = GrpcStatus.httpStatus(headers);
      if (!endStream) {
        if (httpStatus != 200) {
          abort(GrpcStatus.fromHttpStatus(httpStatus));
          return;
        }
        Metadata md = metadata(headers);
        synchronized (this) {
          if (closeStatus == null) {
            post(() -> listener.onHeaders(md));
          }
        }
        return;
      }
    }
    if (!endStream) {
      abort(Status.INTERNAL.withDescription("headers after trailers were expected"));
      return;
    }
    Status st = GrpcStatus.fromTrailers(headers, httpStatus);
    if (st.isOk() && bufLen > 0) {
      st = Status.INTERNAL.withDescription("stream ended inside a message");
    }
    Metadata md = metadata(headers);
    synchronized (this) {
      if (closeStatus == null) {
        closeTrailers = md;
        close(st, !st.isOk());
      }
    }
  }

  @Override
  public void onData(byte[] b, int off, int len, boolean endStream) {
    if (buf.length - bufLen < len) {
      buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, bufLen + len));
    }
    System.arraycopy(b, off, buf, bufLen, len);
    bufLen += len;
    int pos = 0;
    while (bufLen - pos >= 5) {
      int size = FrameCodec.int32(buf, pos + 1);
      if (buf[pos] != 0) {
        abort(Status.INTERNAL.withDescription("compressed message without a grpc-encoding"));
        return;
      }
      if (size < 0) {
        abort(Status.RESOURCE_EXHAUSTED.withDescription("message too large"));
        return;
      }
      if (bufLen - pos - 5 < size) {
        break;
      }
      P msg;
      try {
        msg = method.parseResponse(new ByteArrayInputStream(buf, pos + 5, size));
      } catch (RuntimeException e) {
        abort(Status.INTERNAL.withDescription("Failed to read message.").withCause(e));
        return;
      }
      pos += 5 + size;
      synchronized (this) {
        if (closeStatus == null) {
          messages.add(msg);
          drain();
        }
      }
    }
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, bufLen - pos);
      bufLen -= pos;
      if (buf.length > (1 << 20) && bufLen < buf.length / 4) {
        buf = java.util.Arrays.copyOf(buf, Math.max(bufLen, 1 << 16));
      }
    }
    if (endStream) {
      abort(Status.INTERNAL.withDescription("Received unexpected EOS on DATA frame from server."));
    }
  }

  @Override
  public void onReset(int errorCode) {
    synchronized (this) {
      if (closeStatus == null) {
        close(GrpcStatus.fromReset(errorCode), true);
      }
    }
  }

  @Override
  public void onConnectionClosed(Status status) {
    synchronized (this) {
      if (closeStatus == null) {
        close(status, true);
      }
    }
  }

  /** Ends the call from our side because of what the server sent. */
  private void abort(Status st) {
    H2Connection c;
    synchronized (this) {
      if (closeStatus != null) {
        return;
      }
      close(st, true);
      c = conn;
    }
    c.reset(streamId, FrameCodec.CANCEL);
  }

  private static Metadata metadata(List<Header> headers) {
    List<byte[]> kv = new ArrayList<>();
    for (Header h : headers) {
      if (h.name().startsWith(":")) {
        continue;
      }
      kv.add(h.name().getBytes(StandardCharsets.ISO_8859_1));
      if (h.name().endsWith("-bin")) {
        try {
          kv.add(Base64.getDecoder().decode(h.value().replace("=", "")));
        } catch (IllegalArgumentException e) {
          kv.add(new byte[0]);
        }
      } else {
        kv.add(h.value().getBytes(StandardCharsets.ISO_8859_1));
      }
    }
    return InternalMetadata.newMetadata(kv.toArray(new byte[0][]));
  }

  // ---- delivery, under this ----

  /** Records the outcome; a failure drops messages not yet delivered. */
  private void close(Status st, boolean discardPending) {
    closeStatus = st;
    if (closeTrailers == null) {
      closeTrailers = new Metadata();
    }
    if (discardPending) {
      messages.clear();
    }
    if (deadlineTimer != null) {
      deadlineTimer.cancel(false);
    }
    if (context != null) {
      context.removeListener(onContextCancelled);
      context = null;
    }
    drain();
  }

  private void drain() {
    if (listener == null) {
      return;
    }
    while (requested > 0 && !messages.isEmpty()) {
      requested--;
      P m = messages.poll();
      post(() -> listener.onMessage(m));
    }
    if (closeStatus != null && messages.isEmpty() && !closeDelivered) {
      closeDelivered = true;
      Status st = closeStatus;
      Metadata tr = closeTrailers;
      post(() -> listener.onClose(st, tr));
    }
  }

  private void post(Runnable r) {
    try {
      executor.execute(r);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the channel was shut down: nobody is listening any more
    }
  }
}
