package io.etcdjava.ctl.h2;

import java.io.ByteArrayOutputStream;

/** A straightforward bit writer over the RFC 7541 code table, to feed the decoder in tests. */
final class HuffmanTestEncoder {
  private HuffmanTestEncoder() {}

  static byte[] encode(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long acc = 0;
    int bits = 0;
    for (byte x : in) {
      int sym = x & 0xff;
      acc = (acc << Huffman.LENGTHS[sym]) | Huffman.CODES[sym];
      bits += Huffman.LENGTHS[sym];
      while (bits >= 8) {
        out.write((int) (acc >>> (bits - 8)));
        bits -= 8;
      }
    }
    if (bits > 0) {
      // pad with the EOS prefix (ones)
      out.write((int) ((acc << (8 - bits)) | (0xff >>> bits)));
    }
    return out.toByteArray();
  }
}
