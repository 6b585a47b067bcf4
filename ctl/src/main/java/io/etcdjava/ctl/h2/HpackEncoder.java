package io.etcdjava.ctl.h2;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * HPACK encoder that never touches the dynamic table: every field is a literal without indexing, with
 * the static table's name index where there is one. Requests are few per process, so compression buys
 * nothing here, and a stateless encoder cannot fall out of step with the peer.
 */
final class HpackEncoder {
  private HpackEncoder() {}

  static byte[] encode(List<Header> headers) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    for (Header h : headers) {
      int nameIdx = staticNameIndex(h.name());
      if (nameIdx > 0) {
        writeInt(out, 0x00, 4, nameIdx);
      } else {
        out.write(0x00);
        writeString(out, h.name());
      }
      writeString(out, h.value());
    }
    return out.toByteArray();
  }

  private static int staticNameIndex(String name) {
    for (int i = 1; i <= StaticTable.SIZE; i++) {
      if (StaticTable.ENTRIES[i].name().equals(name)) {
        return i;
      }
    }
    return 0;
  }

  private static void writeString(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    writeInt(out, 0x00, 7, b.length);
    out.write(b, 0, b.length);
  }

  /** An N-bit prefixed integer (RFC 7541 section 5.1) with {@code flags} in the first octet's high bits. */
  static void writeInt(ByteArrayOutputStream out, int flags, int prefix, int v) {
    int mask = (1 << prefix) - 1;
    if (v < mask) {
      out.write(flags | v);
      return;
    }
    out.write(flags | mask);
    v -= mask;
    while (v >= 0x80) {
      out.write((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.write(v);
  }
}
