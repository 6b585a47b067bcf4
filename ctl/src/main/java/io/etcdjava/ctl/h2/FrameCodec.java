package io.etcdjava.ctl.h2;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Reads and writes HTTP/2 frames, and the few payload layouts the client needs. */
final class FrameCodec {
  static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

  static final int SETTINGS_HEADER_TABLE_SIZE = 0x1;
  static final int SETTINGS_ENABLE_PUSH = 0x2;
  static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
  static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
  static final int SETTINGS_MAX_FRAME_SIZE = 0x5;
  static final int SETTINGS_MAX_HEADER_LIST_SIZE = 0x6;

  /** HTTP/2 error codes (RFC 9113 section 7). */
  static final int NO_ERROR = 0x0;
  static final int PROTOCOL_ERROR = 0x1;
  static final int INTERNAL_ERROR = 0x2;
  static final int FLOW_CONTROL_ERROR = 0x3;
  static final int FRAME_SIZE_ERROR = 0x6;
  static final int REFUSED_STREAM = 0x7;
  static final int CANCEL = 0x8;
  static final int COMPRESSION_ERROR = 0x9;
  static final int ENHANCE_YOUR_CALM = 0xb;

  private FrameCodec() {}

  /** The next frame, or an exception on EOF, I/O failure or a frame longer than {@code maxFrameSize}. */
  static Frame read(InputStream in, int maxFrameSize) throws IOException {
    byte[] h = new byte[9];
    readFully(in, h, 0, 9);
    int len = (h[0] & 0xff) << 16 | (h[1] & 0xff) << 8 | (h[2] & 0xff);
    if (len > maxFrameSize) {
      throw new H2Exception(FRAME_SIZE_ERROR, "frame of " + len + " bytes over " + maxFrameSize);
    }
    int streamId = int32(h, 5) & 0x7fffffff;
    byte[] payload = new byte[len];
    readFully(in, payload, 0, len);
    return new Frame(h[3] & 0xff, h[4] & 0xff, streamId, payload);
  }

  static void write(OutputStream out, int type, int flags, int streamId, byte[] b, int off, int len)
      throws IOException {
    byte[] h = {(byte) (len >>> 16), (byte) (len >>> 8), (byte) len, (byte) type, (byte) flags,
        (byte) (streamId >>> 24 & 0x7f), (byte) (streamId >>> 16), (byte) (streamId >>> 8), (byte) streamId};
    out.write(h);
    out.write(b, off, len);
  }

  static void write(OutputStream out, Frame f) throws IOException {
    write(out, f.type(), f.flags(), f.streamId(), f.payload(), 0, f.payload().length);
  }

  static byte[] settings(int... idValuePairs) {
    byte[] p = new byte[idValuePairs.length / 2 * 6];
    for (int i = 0, o = 0; i < idValuePairs.length; i += 2, o += 6) {
      p[o] = (byte) (idValuePairs[i] >>> 8);
      p[o + 1] = (byte) idValuePairs[i];
      putInt32(p, o + 2, idValuePairs[i + 1]);
    }
    return p;
  }

  static byte[] int32(int v) {
    byte[] p = new byte[4];
    putInt32(p, 0, v);
    return p;
  }

  static int int32(byte[] b, int off) {
    return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
  }

  /** One gRPC length-prefixed message: an uncompressed flag byte, the 4-byte length, the bytes. */
  static byte[] grpcMessage(byte[] body) {
    byte[] framed = new byte[5 + body.length];
    putInt32(framed, 1, body.length);
    System.arraycopy(body, 0, framed, 5, body.length);
    return framed;
  }

  static void putInt32(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  /**
   * The payload of a DATA or HEADERS frame without padding and (for HEADERS) the priority fields, as
   * {offset, length} into the frame's payload.
   */
  static int[] content(Frame f) throws H2Exception {
    byte[] p = f.payload();
    int off = 0;
    int end = p.length;
    if (f.has(Frame.PADDED)) {
      if (p.length < 1) {
        throw new H2Exception(PROTOCOL_ERROR, "padded frame without a pad length");
      }
      int pad = p[0] & 0xff;
      off = 1;
      end -= pad;
    }
    if (f.type() == Frame.HEADERS && f.has(Frame.PRIORITY_FLAG)) {
      off += 5;
    }
    if (end < off) {
      throw new H2Exception(PROTOCOL_ERROR, "padding exceeds the frame");
    }
    return new int[] {off, end - off};
  }

  private static void readFully(InputStream in, byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int n = in.read(b, off, len);
      if (n < 0) {
        throw new EOFException("connection closed by the server");
      }
      off += n;
      len -= n;
    }
  }
}
