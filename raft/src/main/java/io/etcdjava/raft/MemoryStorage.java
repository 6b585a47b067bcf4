package io.etcdjava.raft;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.HardState;
import io.etcdjava.raft.pb.Snapshot;
import io.etcdjava.raft.pb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Storage} held in memory. Every method locks the instance: raft reads it on its own thread
 * while the application appends persisted entries from another.
 *
 * <p>Lists returned by {@link #entries} are immutable copies of the requested (size-limited) range, so
 * later appends, truncations or compactions never show through to a caller still holding them.
 */
public final class MemoryStorage implements Storage {
  private HardState hardState = HardState.getDefaultInstance();
  private Snapshot snapshot = Snapshot.getDefaultInstance();
  /**
   * ents.get(0) is a dummy carrying the index and term of the snapshot (0/0 when fresh) so that term()
   * still answers for the entry just before firstIndex; ents.get(k) sits at index ents.get(0).index + k.
   */
  private ArrayList<Entry> ents;

  public MemoryStorage() {
    ents = new ArrayList<>();
    ents.add(Entry.getDefaultInstance());
  }

  /** For tests: {@code ents.get(0)} is taken as the dummy (snapshot position). */
  MemoryStorage(List<Entry> ents) {
    if (ents.isEmpty()) {
      throw new IllegalArgumentException("need at least the dummy entry");
    }
    this.ents = new ArrayList<>(ents);
  }

  @Override
  public synchronized InitialState initialState() {
    return new InitialState(hardState, snapshot.getMetadata().getConfState());
  }

  public synchronized void setHardState(HardState st) {
    hardState = st;
  }

  @Override
  public synchronized List<Entry> entries(long lo, long hi, long maxSize) {
    long offset = ents.get(0).getIndex();
    if (lo <= offset) {
      throw CompactedException.INSTANCE;
    }
    if (hi > lastIndexLocked() + 1) {
      throw new IllegalStateException(
          "entries' hi(" + hi + ") is out of bound lastindex(" + lastIndexLocked() + ")");
    }
    if (ents.size() == 1) { // only the dummy entry
      throw UnavailableException.INSTANCE;
    }
    List<Entry> view = ents.subList((int) (lo - offset), (int) (hi - offset));
    // Copy: the backing list is mutated in place by append/compact after we release the lock.
    return List.copyOf(Entries.limitSize(view, maxSize));
  }

  @Override
  public synchronized long term(long i) {
    long offset = ents.get(0).getIndex();
    if (i < offset) {
      throw CompactedException.INSTANCE;
    }
    if (i - offset >= ents.size()) {
      throw UnavailableException.INSTANCE;
    }
    return ents.get((int) (i - offset)).getTerm();
  }

  @Override
  public synchronized long lastIndex() {
    return lastIndexLocked();
  }

  private long lastIndexLocked() {
    return ents.get(0).getIndex() + ents.size() - 1;
  }

  @Override
  public synchronized long firstIndex() {
    return firstIndexLocked();
  }

  private long firstIndexLocked() {
    return ents.get(0).getIndex() + 1;
  }

  @Override
  public synchronized Snapshot snapshot() {
    return snapshot;
  }

  /**
   * Replaces the whole contents with the snapshot: the log restarts right after it.
   *
   * @throws SnapOutOfDateException if {@code snap} is not newer than the snapshot already held
   */
  public synchronized void applySnapshot(Snapshot snap) {
    SnapshotMetadata meta = snap.getMetadata();
    if (snapshot.getMetadata().getIndex() >= meta.getIndex()) {
      throw new SnapOutOfDateException();
    }
    snapshot = snap;
    ents = new ArrayList<>();
    ents.add(dummy(meta.getIndex(), meta.getTerm()));
  }

  /**
   * Records a snapshot of the state machine at applied index {@code i}, retrievable by {@link
   * #snapshot()}. Does not drop entries; call {@link #compact} for that.
   *
   * @param cs the configuration at {@code i}; {@code null} keeps the previous snapshot's (pass the
   *     result of the last applied conf change if there was one since)
   * @throws SnapOutOfDateException if {@code i} is not after the current snapshot index
   */
  public synchronized Snapshot createSnapshot(long i, ConfState cs, ByteString data) {
    if (i <= snapshot.getMetadata().getIndex()) {
      throw new SnapOutOfDateException();
    }
    long offset = ents.get(0).getIndex();
    if (i > lastIndexLocked()) {
      throw new IllegalStateException(
          "snapshot " + i + " is out of bound lastindex(" + lastIndexLocked() + ")");
    }
    SnapshotMetadata.Builder meta =
        snapshot.getMetadata().toBuilder().setIndex(i).setTerm(ents.get((int) (i - offset)).getTerm());
    if (cs != null) {
      meta.setConfState(cs);
    }
    snapshot =
        Snapshot.newBuilder().setMetadata(meta).setData(data == null ? ByteString.EMPTY : data).build();
    return snapshot;
  }

  /**
   * Discards entries before {@code compactIndex}; that entry becomes the new dummy. The application
   * must not compact beyond what it has applied.
   *
   * @throws CompactedException if {@code compactIndex} is not after the current dummy index
   */
  public synchronized void compact(long compactIndex) {
    long offset = ents.get(0).getIndex();
    if (compactIndex <= offset) {
      throw CompactedException.INSTANCE;
    }
    if (compactIndex > lastIndexLocked()) {
      throw new IllegalStateException(
          "compact " + compactIndex + " is out of bound lastindex(" + lastIndexLocked() + ")");
    }
    int i = (int) (compactIndex - offset);
    // One copy of the retained tail per compaction (rather than shifting on every append) keeps a long
    // run linear; the fresh list also lets the dropped entries be collected.
    ArrayList<Entry> kept = new ArrayList<>(ents.size() - i);
    Entry at = ents.get(i);
    kept.add(dummy(at.getIndex(), at.getTerm()));
    kept.addAll(ents.subList(i + 1, ents.size()));
    ents = kept;
  }

  /**
   * Appends persisted entries. Entries already folded into the snapshot are skipped; an existing
   * suffix from the first new entry's index on is replaced (a new leader overwrote it).
   *
   * @throws IllegalStateException if the entries would leave a gap after the last index
   */
  public synchronized void append(List<Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    long first = firstIndexLocked();
    long firstNew = entries.get(0).getIndex();
    long last = firstNew + entries.size() - 1;
    if (last < first) {
      return; // everything is already compacted
    }
    if (first > firstNew) {
      entries = entries.subList((int) (first - firstNew), entries.size());
      firstNew = first;
    }
    long offset = firstNew - ents.get(0).getIndex();
    if (ents.size() > offset) {
      ents.subList((int) offset, ents.size()).clear();
      ents.addAll(entries);
    } else if (ents.size() == offset) {
      ents.addAll(entries);
    } else {
      throw new IllegalStateException(
          "missing log entry [last: " + lastIndexLocked() + ", append at: " + firstNew + "]");
    }
  }

  /** For tests: a copy of the raw entry list, dummy first. */
  synchronized List<Entry> ents() {
    return List.copyOf(ents);
  }

  private static Entry dummy(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term).build();
  }
}
