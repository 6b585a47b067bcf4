package io.etcdjava.ctl.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** RFC 7541 Appendix C, decoded block by block on one decoder as a connection would. */
@Timeout(10)
class HpackDecoderTest {
  static byte[] hex(String s) {
    String h = s.replaceAll("[^0-9a-f]", "");
    byte[] b = new byte[h.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }

  static List<Header> decode(HpackDecoder d, String hex) throws HpackException {
    byte[] b = hex(hex);
    return d.decode(b, 0, b.length);
  }

  static List<Header> headers(String... nv) {
    List<Header> l = new ArrayList<>();
    for (int i = 0; i < nv.length; i += 2) {
      l.add(new Header(nv[i], nv[i + 1]));
    }
    return l;
  }

  @Test
  void c1PrefixedIntegers() throws HpackException {
    assertThat(HpackDecoder.readInt(hex("0a"), new int[] {0}, 1, 5)).isEqualTo(10);
    assertThat(HpackDecoder.readInt(hex("1f9a0a"), new int[] {0}, 3, 5)).isEqualTo(1337);
    assertThat(HpackDecoder.readInt(hex("2a"), new int[] {0}, 1, 8)).isEqualTo(42);
    for (int v : new int[] {0, 30, 31, 127, 128, 1337, 1 << 20, Integer.MAX_VALUE}) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      HpackEncoder.writeInt(out, 0x20, 5, v);
      byte[] b = out.toByteArray();
      assertThat(HpackDecoder.readInt(b, new int[] {0}, b.length, 5)).as("%d", v).isEqualTo(v);
    }
  }

  @Test
  void c2LiteralsAndIndexedFields() throws HpackException {
    HpackDecoder d = new HpackDecoder(4096, 1 << 20);
    assertThat(decode(d, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"))
        .isEqualTo(headers("custom-key", "custom-header"));
    assertThat(d.dynamicTableSize()).isEqualTo(55);

    HpackDecoder d2 = new HpackDecoder(4096, 1 << 20);
    assertThat(decode(d2, "040c 2f73 616d 706c 652f 7061 7468")).isEqualTo(headers(":path", "/sample/path"));
    assertThat(d2.dynamicTableSize()).isZero();

    HpackDecoder d3 = new HpackDecoder(4096, 1 << 20);
    assertThat(decode(d3, "1008 7061 7373 776f 7264 0673 6563 7265 74")).isEqualTo(headers("password", "secret"));
    assertThat(d3.dynamicTableSize()).isZero();

    HpackDecoder d4 = new HpackDecoder(4096, 1 << 20);
    assertThat(decode(d4, "82")).isEqualTo(headers(":method", "GET"));
  }

  @Test
  void c3RequestsWithoutHuffman() throws HpackException {
    HpackDecoder d = new HpackDecoder(4096, 1 << 20);
    assertThat(decode(d, "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d")).isEqualTo(headers(
        ":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com"));
    assertThat(d.dynamicTableSize()).isEqualTo(57);
    assertThat(decode(d, "8286 84be 5808 6e6f 2d63 6163 6865")).isEqualTo(headers(
        ":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com",
        "cache-control", "no-cache"));
    assertThat(d.dynamicTableSize()).isEqualTo(110);
    assertThat(decode(d, "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"))
        .isEqualTo(headers(":method", "GET", ":scheme", "https", ":path", "/index.html",
            ":authority", "www.example.com", "custom-key", "custom-value"));
    assertThat(d.dynamicTableSize()).isEqualTo(164);
    assertThat(d.dynamicTableCount()).isEqualTo(3);
  }

  @Test
  void c4RequestsWithHuffman() throws HpackException {
    HpackDecoder d = new HpackDecoder(4096, 1 << 20);
    assertThat(decode(d, "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff")).isEqualTo(headers(
        ":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com"));
    assertThat(d.dynamicTableSize()).isEqualTo(57);
    assertThat(decode(d, "8286 84be 5886 a8eb 1064 9cbf")).isEqualTo(headers(
        ":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com",
        "cache-control", "no-cache"));
    assertThat(d.dynamicTableSize()).isEqualTo(110);
    assertThat(decode(d, "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf")).isEqualTo(headers(
        ":method", "GET", ":scheme", "https", ":path", "/index.html", ":authority", "www.example.com",
        "custom-key", "custom-value"));
    assertThat(d.dynamicTableSize()).isEqualTo(164);
  }

  private static final List<Header> RESPONSE_1 = headers(":status", "302", "cache-control", "private",
      "date", "Mon, 21 Oct 2013 20:13:21 GMT", "location", "https://www.example.com");
  private static final List<Header> RESPONSE_2 = headers(":status", "307", "cache-control", "private",
      "date", "Mon, 21 Oct 2013 20:13:21 GMT", "location", "https://www.example.com");
  private static final List<Header> RESPONSE_3 = headers(":status", "200", "cache-control", "private",
      "date", "Mon, 21 Oct 2013 20:13:22 GMT", "location", "https://www.example.com", "content-encoding", "gzip",
      "set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1");

  @Test
  void c5ResponsesWithoutHuffmanEvictFromA256OctetTable() throws HpackException {
    HpackDecoder d = new HpackDecoder(256, 1 << 20);
    assertThat(decode(d, "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133"
        + "2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"))
        .isEqualTo(RESPONSE_1);
    assertThat(d.dynamicTableSize()).isEqualTo(222);
    assertThat(decode(d, "4803 3330 37c1 c0bf")).isEqualTo(RESPONSE_2);
    assertThat(d.dynamicTableSize()).isEqualTo(222);
    assertThat(decode(d, "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d"
        + "54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049"
        + "5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31"))
        .isEqualTo(RESPONSE_3);
    assertThat(d.dynamicTableSize()).isEqualTo(215);
    assertThat(d.dynamicTableCount()).isEqualTo(3);
  }

  @Test
  void c6ResponsesWithHuffman() throws HpackException {
    HpackDecoder d = new HpackDecoder(256, 1 << 20);
    assertThat(decode(d, "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6"
        + "2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3")).isEqualTo(RESPONSE_1);
    assertThat(d.dynamicTableSize()).isEqualTo(222);
    assertThat(decode(d, "4883 640e ffc1 c0bf")).isEqualTo(RESPONSE_2);
    assertThat(d.dynamicTableSize()).isEqualTo(222);
    assertThat(decode(d, "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab"
        + "77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f"
        + "9587 3160 65c0 03ed 4ee5 b106 3d50 07")).isEqualTo(RESPONSE_3);
    assertThat(d.dynamicTableSize()).isEqualTo(215);
  }

  @Test
  void aSizeUpdateEvictsAndBoundsLaterEntries() throws HpackException {
    HpackDecoder d = new HpackDecoder(4096, 1 << 20);
    decode(d, "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d");
    assertThat(d.dynamicTableCount()).isEqualTo(1);
    // size update to 0 empties the table; then back to 4096 within the same block
    assertThat(decode(d, "20 3fe1 1f 82")).isEqualTo(headers(":method", "GET"));
    assertThat(d.dynamicTableCount()).isZero();
    assertThat(d.dynamicTableSize()).isZero();
  }

  @Test
  void malformedBlocksAreCompressionErrors() {
    HpackDecoder d = new HpackDecoder(4096, 1 << 20);
    // size update above SETTINGS_HEADER_TABLE_SIZE
    assertThatThrownBy(() -> decode(d, "3fe2 1f")).isInstanceOf(HpackException.class);
    // size update after a field
    assertThatThrownBy(() -> decode(d, "82 20")).isInstanceOf(HpackException.class);
    // index 0 and an index past both tables
    assertThatThrownBy(() -> decode(d, "80")).isInstanceOf(HpackException.class);
    assertThatThrownBy(() -> decode(d, "be")).isInstanceOf(HpackException.class);
    // a string longer than the block
    assertThatThrownBy(() -> decode(d, "040c 2f73")).isInstanceOf(HpackException.class);
    // integer overflow
    assertThatThrownBy(() -> decode(d, "7f ffff ffff ff0f")).isInstanceOf(HpackException.class);
  }

  @Test
  void huffmanRejectsBadPaddingAndEos() {
    // "a" is 00011 (5 bits): padding with zeros is invalid, with ones valid
    assertThatThrownBy(() -> Huffman.decode(hex("18"), 0, 1)).isInstanceOf(HpackException.class);
    // a whole byte of ones is more than 7 bits of padding
    assertThatThrownBy(() -> Huffman.decode(hex("1fff"), 0, 2)).isInstanceOf(HpackException.class);
    // EOS (30 ones) inside the string
    assertThatThrownBy(() -> Huffman.decode(hex("ffff fffc"), 0, 4)).isInstanceOf(HpackException.class);
  }

  @Test
  void huffmanDecodesEveryByteValue() throws HpackException {
    // all 256 symbols in one string, encoded with the RFC table via an independent bit writer
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    byte[] enc = HuffmanTestEncoder.encode(all);
    assertThat(Huffman.decode(enc, 0, enc.length)).isEqualTo(all);
  }

  @Test
  void theEncoderRoundTripsThroughTheDecoder() throws HpackException {
    List<Header> h = headers(":method", "POST", ":scheme", "http", ":path", "/etcdserverpb.KV/Range",
        ":authority", "127.0.0.1:2379", "content-type", "application/grpc", "te", "trailers",
        "token", "x".repeat(300));
    byte[] b = HpackEncoder.encode(h);
    HpackDecoder d = new HpackDecoder(4096, 1 << 20);
    assertThat(d.decode(b, 0, b.length)).isEqualTo(h);
    assertThat(d.dynamicTableCount()).isZero();
  }
}
