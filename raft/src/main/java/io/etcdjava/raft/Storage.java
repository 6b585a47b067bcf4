package io.etcdjava.raft;

import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.Snapshot;
import java.util.List;

/**
 * The durable log as raft reads it. The application writes it (entries from Ready, snapshots) and
 * implements this read side. Any exception other than the documented ones makes the raft instance
 * inoperable; recovery is up to the application.
 *
 * <p>Indexes and terms are unsigned in etcd; they are {@code long}s here and never negative.
 */
public interface Storage {

  /** The saved HardState and ConfState. */
  InitialState initialState();

  /**
   * Entries in {@code [lo, hi)}, limited so their total serialized size stays within {@code maxSize},
   * but always at least one entry if the range is non-empty. The returned list must not change
   * afterwards (raft hands it to the application).
   *
   * @throws CompactedException if {@code lo} is at or before the last snapshot index
   * @throws UnavailableException if the entries are not held (e.g. the storage has none)
   */
  List<Entry> entries(long lo, long hi, long maxSize);

  /**
   * Term of entry {@code i}, for {@code i} in {@code [firstIndex()-1, lastIndex()]}: the term of the
   * entry just before firstIndex (the snapshot's) is kept for log matching.
   *
   * @throws CompactedException if {@code i < firstIndex()-1}
   * @throws UnavailableException if {@code i > lastIndex()}
   */
  long term(long i);

  /** Index of the last entry (the snapshot index if there is no entry after it). */
  long lastIndex();

  /**
   * Index of the first entry possibly available through {@link #entries}; older ones are folded into
   * the snapshot. If only the snapshot is held this is {@code lastIndex()+1}.
   */
  long firstIndex();

  /**
   * The most recent snapshot.
   *
   * @throws SnapshotTemporarilyUnavailableException if it is still being prepared; raft asks again
   *     later
   */
  Snapshot snapshot();
}
