package io.etcdjava.raft;

import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.Snapshot;
import io.etcdjava.raft.pb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;

/** Small builders shared by the log tests. */
final class LogTestUtil {
  private LogTestUtil() {}

  static Entry e(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term).build();
  }

  /** Entries from (index, term) pairs: {@code ents(1, 1, 2, 2)} is [(1,1), (2,2)]. */
  static List<Entry> ents(long... indexTermPairs) {
    if (indexTermPairs.length % 2 != 0) {
      throw new IllegalArgumentException("pairs expected");
    }
    List<Entry> out = new ArrayList<>();
    for (int k = 0; k < indexTermPairs.length; k += 2) {
      out.add(e(indexTermPairs[k], indexTermPairs[k + 1]));
    }
    return out;
  }

  static Snapshot snap(long index, long term) {
    return Snapshot.newBuilder()
        .setMetadata(SnapshotMetadata.newBuilder().setIndex(index).setTerm(term))
        .build();
  }

  static long size(Entry e) {
    return e.getSerializedSize();
  }
}
