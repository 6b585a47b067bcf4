package io.etcdjava.raft;

import io.etcdjava.raft.pb.Entry;
import java.util.List;

/** Helpers over lists of log entries. */
final class Entries {
  private Entries() {}

  /**
   * The longest prefix of {@code ents} whose total serialized size is at most {@code maxSize}, but
   * never less than the first entry, so that an oversized entry can still make progress. Returns a
   * view (or {@code ents} itself) rather than a copy.
   */
  static List<Entry> limitSize(List<Entry> ents, long maxSize) {
    int n = ents.size();
    if (n <= 1) {
      return ents;
    }
    // getSerializedSize() is memoized by protobuf, so repeated calls on the same entry are cheap.
    long size = ents.get(0).getSerializedSize();
    int limit = 1;
    for (; limit < n; limit++) {
      size += ents.get(limit).getSerializedSize();
      if (size > maxSize) {
        break;
      }
    }
    return limit == n ? ents : ents.subList(0, limit);
  }

  /**
   * Size of the entry's payload, as counted against the uncommitted-log limit. It deliberately ignores
   * index and term so that the same entry counts the same before and after it is assigned a position.
   */
  static long payloadSize(Entry e) {
    return e.getData().size();
  }

  static long payloadsSize(List<Entry> ents) {
    long s = 0;
    for (int i = 0, n = ents.size(); i < n; i++) {
      s += ents.get(i).getData().size();
    }
    return s;
  }
}
