package io.etcdjava.ctl.h2;

import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One unary call, message bytes in and out, without grpc-java's call layer: its Status, Metadata and
 * Context classes start java.util.logging, about 25 ms of a one-shot command. A grpc {@link Status} is
 * built only when the call fails. Waits for a ready connection until the deadline, like the blocking
 * stubs with wait-for-ready.
 */
final class H2Unary implements StreamHandler {
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile H2Connection conn;
  private volatile int streamId;
  // the reader thread's, until done
  private boolean headersSeen;
  private int httpStatus;
  private byte[] buf = new byte[256];
  private int bufLen;
  // set once, before done counts down
  private byte[] response;
  private Status failure;

  private H2Unary() {}

  /** Calls {@code path} with one framed message; the response message, or the call's failure. */
  static byte[] call(H2Channel channel, String path, byte[] request, long timeoutNanos, List<Header> extraHeaders)
      throws StatusException {
    Deadline deadline = timeoutNanos > 0 ? Deadline.after(timeoutNanos, TimeUnit.NANOSECONDS) : null;
    H2Unary u = new H2Unary();
    H2Connection c = channel.connection(deadline, true, () -> false);
    if (c == null) {
      throw expired(timeoutNanos);
    }
    try {
      int id = c.newStream(H2Call.requestHeaders(path, c.authority, channel.userAgent(), deadline, extraHeaders),
          false, u);
      c.sendData(id, FrameCodec.grpcMessage(request), true);
    } catch (IOException e) {
      u.finish(null, Status.UNAVAILABLE.withDescription("io exception").withCause(e));
    }
    try {
      if (deadline == null) {
        u.done.await();
      } else if (!u.done.await(deadline.timeRemaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS)) {
        u.cancel();
        throw expired(timeoutNanos);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      u.cancel();
      throw Status.CANCELLED.withDescription("interrupted").asException();
    }
    if (u.failure != null) {
      throw u.failure.asException();
    }
    return u.response;
  }

  private static StatusException expired(long timeoutNanos) {
    return Status.DEADLINE_EXCEEDED.withDescription(
        String.format(Locale.ROOT, "deadline exceeded after %.9fs", timeoutNanos / 1e9)).asException();
  }

  private void cancel() {
    H2Connection c = conn;
    if (c != null) {
      c.reset(streamId, FrameCodec.CANCEL);
    }
  }

  /** Records the outcome once (the first one wins) and wakes the caller. */
  private synchronized void finish(byte[] message, Status failed) {
    if (done.getCount() == 0) {
      return;
    }
    response = message;
    failure = failed;
    done.countDown();
  }

  /** Ends the call from our side because of what the server sent. */
  private void abort(Status st) {
    finish(null, st);
    cancel();
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
        }
        return;
      }
    }
    if (!endStream) {
      abort(Status.INTERNAL.withDescription("headers after trailers were expected"));
      return;
    }
    String code = GrpcStatus.value(headers, "grpc-status");
    if (code == null || !code.trim().equals("0")) {
      finish(null, GrpcStatus.fromTrailers(headers, httpStatus));
      return;
    }
    // exactly one uncompressed message, as grpc-java's unary calls require
    int size = bufLen >= 5 ? FrameCodec.int32(buf, 1) : -1;
    if (bufLen == 0) {
      finish(null, Status.INTERNAL.withDescription("No value received for unary call"));
    } else if (buf[0] != 0) {
      finish(null, Status.INTERNAL.withDescription("compressed message without a grpc-encoding"));
    } else if (size < 0 || bufLen - 5 < size) {
      finish(null, Status.INTERNAL.withDescription("stream ended inside a message"));
    } else if (bufLen - 5 > size) {
      finish(null, Status.INTERNAL.withDescription("More than one value received for unary call"));
    } else {
      finish(Arrays.copyOfRange(buf, 5, bufLen), null);
    }
  }

  @Override
  public void onData(byte[] b, int off, int len, boolean endStream) {
    if (buf.length - bufLen < len) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, bufLen + len));
    }
    System.arraycopy(b, off, buf, bufLen, len);
    bufLen += len;
    if (endStream) {
      abort(Status.INTERNAL.withDescription("Received unexpected EOS on DATA frame from server."));
    }
  }

  @Override
  public void onReset(int errorCode) {
    finish(null, GrpcStatus.fromReset(errorCode));
  }

  @Override
  public void onConnectionClosed(Status status) {
    finish(null, status);
  }
}
