package io.etcdjava.ctl.h2;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * HPACK header block decoder (RFC 7541): static and dynamic tables, table size updates, Huffman
 * strings. One per connection, fed every header block in the order received.
 */
final class HpackDecoder {
  /** The dynamic table as a ring, newest entry at {@code head - 1}. */
  private Header[] ring = new Header[16];
  private int head;
  private int count;
  private int size;
  /** The bound our SETTINGS_HEADER_TABLE_SIZE allows the encoder. */
  private final int maxAllowed;
  /** The bound the encoder last chose with a size update. */
  private int max;
  private final int maxHeaderListSize;

  HpackDecoder(int maxAllowed, int maxHeaderListSize) {
    this.maxAllowed = maxAllowed;
    this.max = maxAllowed;
    this.maxHeaderListSize = maxHeaderListSize;
  }

  int dynamicTableSize() {
    return size;
  }

  int dynamicTableCount() {
    return count;
  }

  /** The decoded field list of one complete header block. */
  List<Header> decode(byte[] b, int off, int len) throws HpackException {
    List<Header> out = new ArrayList<>();
    int[] pos = {off};
    int end = off + len;
    long listSize = 0;
    boolean fieldSeen = false;
    while (pos[0] < end) {
      int first = b[pos[0]] & 0xff;
      Header h;
      if ((first & 0x80) != 0) {
        h = get(readInt(b, pos, end, 7));
      } else if ((first & 0xc0) == 0x40) {
        h = literal(b, pos, end, 6);
        add(h);
      } else if ((first & 0xe0) == 0x20) {
        if (fieldSeen) {
          throw new HpackException("hpack: dynamic table size update after a header field");
        }
        int n = readInt(b, pos, end, 5);
        if (n > maxAllowed) {
          throw new HpackException("hpack: dynamic table size update " + n + " over " + maxAllowed);
        }
        max = n;
        evict(0);
        continue;
      } else {
        // literal without indexing (0000) or never indexed (0001): both 4-bit prefixed
        h = literal(b, pos, end, 4);
      }
      fieldSeen = true;
      listSize += h.size();
      if (listSize > maxHeaderListSize) {
        throw new HpackException("hpack: header list too large");
      }
      out.add(h);
    }
    return out;
  }

  private Header literal(byte[] b, int[] pos, int end, int prefix) throws HpackException {
    int idx = readInt(b, pos, end, prefix);
    String name = idx == 0 ? readString(b, pos, end) : get(idx).name();
    return new Header(name, readString(b, pos, end));
  }

  private Header get(int idx) throws HpackException {
    if (idx <= 0) {
      throw new HpackException("hpack: index 0");
    }
    if (idx <= StaticTable.SIZE) {
      return StaticTable.ENTRIES[idx];
    }
    int d = idx - StaticTable.SIZE;
    if (d > count) {
      throw new HpackException("hpack: index " + idx + " out of range");
    }
    return ring[Math.floorMod(head - d, ring.length)];
  }

  private void add(Header h) {
    int s = h.size();
    if (s > max) {
      // an entry larger than the table empties it and is not added (RFC 7541 section 4.4)
      evict(0);
      return;
    }
    evict(max - s);
    if (count == ring.length) {
      Header[] bigger = new Header[ring.length * 2];
      for (int i = 0; i < count; i++) {
        bigger[i] = ring[Math.floorMod(head - count + i, ring.length)];
      }
      ring = bigger;
      head = count;
    }
    ring[head] = h;
    head = (head + 1) % ring.length;
    count++;
    size += s;
  }

  /** Drops the oldest entries until the table holds at most {@code bound} octets. */
  private void evict(int bound) {
    int limit = Math.min(bound, max);
    while (size > limit && count > 0) {
      int oldest = Math.floorMod(head - count, ring.length);
      size -= ring[oldest].size();
      ring[oldest] = null;
      count--;
    }
  }

  /** An N-bit prefixed integer (RFC 7541 section 5.1), bounded to int. */
  static int readInt(byte[] b, int[] pos, int end, int prefix) throws HpackException {
    int mask = (1 << prefix) - 1;
    int v = b[pos[0]++] & mask;
    if (v < mask) {
      return v;
    }
    int shift = 0;
    while (true) {
      if (pos[0] >= end) {
        throw new HpackException("hpack: truncated integer");
      }
      int c = b[pos[0]++] & 0xff;
      if (shift > 28) {
        throw new HpackException("hpack: integer overflow");
      }
      long nv = v + ((long) (c & 0x7f) << shift);
      if (nv > Integer.MAX_VALUE) {
        throw new HpackException("hpack: integer overflow");
      }
      v = (int) nv;
      shift += 7;
      if ((c & 0x80) == 0) {
        return v;
      }
    }
  }

  private static String readString(byte[] b, int[] pos, int end) throws HpackException {
    if (pos[0] >= end) {
      throw new HpackException("hpack: truncated string");
    }
    boolean huffman = (b[pos[0]] & 0x80) != 0;
    int len = readInt(b, pos, end, 7);
    if (len > end - pos[0]) {
      throw new HpackException("hpack: truncated string");
    }
    int at = pos[0];
    pos[0] += len;
    if (huffman) {
      byte[] d = Huffman.decode(b, at, len);
      return new String(d, StandardCharsets.ISO_8859_1);
    }
    return new String(b, at, len, StandardCharsets.ISO_8859_1);
  }
}
