package io.etcdjava.raft;

import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The raft state machine's view of the log: the persisted part ({@link Storage}) followed by the
 * unpersisted tail ({@link Unstable}), plus the commit and apply cursors.
 *
 * <p>"Panics" of the Go original (broken invariants, corrupted log) are {@link
 * IllegalStateException}s. Indexes are non-negative; -1 is used as "none" where a Go function returned
 * {@code (value, ok)}. Not thread-safe.
 */
final class RaftLog {
  private final RaftLogger log;

  /** No size limit for {@link #slice}/{@link #entries}/{@code maxNextEntsSize}. */
  static final long NO_LIMIT = Long.MAX_VALUE;

  /** All stable entries since the last snapshot. */
  private final Storage storage;
  /** Unstable entries and snapshot, to be written to storage by the application. */
  private final Unstable unstable;
  /** Highest index known to be stored on a quorum. */
  long committed;
  /** Highest index the application has been told to apply. Invariant: applied <= committed. */
  long applied;
  /** Byte budget of one {@link #nextEnts()} batch. */
  private final long maxNextEntsSize;

  /**
   * Starts from the storage's state: commit and apply cursors at the last compaction point (the
   * application's snapshot), unstable tail empty after storage's last index.
   */
  RaftLog(Storage storage, long maxNextEntsSize) {
    this(storage, maxNextEntsSize, RaftLogger.NOOP);
  }

  RaftLog(Storage storage, long maxNextEntsSize, RaftLogger logger) {
    this.log = logger;
    if (storage == null) {
      throw new IllegalArgumentException("storage must not be null");
    }
    this.storage = storage;
    this.maxNextEntsSize = maxNextEntsSize;
    long firstIndex = storage.firstIndex();
    long lastIndex = storage.lastIndex();
    this.unstable = new Unstable(lastIndex + 1, logger);
    this.committed = firstIndex - 1;
    this.applied = firstIndex - 1;
  }

  long committed() {
    return committed;
  }

  long applied() {
    return applied;
  }

  Storage storage() {
    return storage;
  }

  Unstable unstable() {
    return unstable;
  }

  long maxNextEntsSize() {
    return maxNextEntsSize;
  }

  @Override
  public String toString() {
    return "committed=" + committed + ", applied=" + applied + ", unstable.offset=" + unstable.offset
        + ", len(unstable.Entries)=" + unstable.size();
  }

  /**
   * Appends a leader's entries that follow {@code (index, logTerm)}, if our log has that entry (the
   * log-matching check of AppendEntries), and advances commit to {@code min(committed, last new)}.
   *
   * @return the index of the last entry of {@code ents} (index + ents.size()), or -1 if our log does
   *     not contain {@code (index, logTerm)}
   * @throws IllegalStateException if an entry conflicts with a committed one (safety violation)
   */
  long maybeAppend(long index, long logTerm, long committed, List<Entry> ents) {
    if (!matchTerm(index, logTerm)) {
      return -1;
    }
    long lastNew = index + ents.size();
    long ci = findConflict(ents);
    if (ci != 0) {
      if (ci <= this.committed) {
        throw new IllegalStateException(
            "entry " + ci + " conflict with committed entry [committed(" + this.committed + ")]");
      }
      // Only the part from the first conflicting/new entry on; the prefix is already ours.
      long offset = index + 1;
      append(ents.subList((int) (ci - offset), ents.size()));
    }
    // Not beyond lastNew: our entries after it may still be stale, from an older leader.
    commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  /** Appends to the unstable tail, replacing any entry at or after {@code ents[0].index}. */
  long append(List<Entry> ents) {
    if (ents.isEmpty()) {
      return lastIndex();
    }
    long after = ents.get(0).getIndex() - 1;
    if (after < committed) {
      throw new IllegalStateException(
          "after(" + after + ") is out of range [committed(" + committed + ")]");
    }
    unstable.truncateAndAppend(ents);
    return lastIndex();
  }

  /**
   * Index of the first entry of {@code ents} that our log does not already have: either a conflict
   * (same index, other term) or the first entry past our last index. 0 if we have all of them.
   * {@code ents} must be contiguous.
   */
  long findConflict(List<Entry> ents) {
    for (int k = 0, n = ents.size(); k < n; k++) {
      Entry ne = ents.get(k);
      if (!matchTerm(ne.getIndex(), ne.getTerm())) {
        if (ne.getIndex() <= lastIndex()) {
          log.info("found conflict at index " + ne.getIndex() + " [existing term: "
              + zeroTermOnErrCompacted(ne.getIndex()) + ", conflicting term: " + ne.getTerm() + "]");
        }
        return ne.getIndex();
      }
    }
    return 0;
  }

  /**
   * Given a rejected append at {@code (index, term)} from another log, the largest index {@code <=
   * index} in our log whose term is {@code <= term}: every entry above it has a larger term, so cannot
   * match the other log there, and the probe can skip a whole term per round trip instead of one entry.
   * Stops early where our term is unknown (compacted), returning that index. An {@code index} beyond our
   * last index is returned unchanged (should not happen; recovering is easy).
   */
  long findConflictByTerm(long index, long term) {
    long li = lastIndex();
    if (index > li) {
      long requested = index;
      log.warn("index(" + requested + ") is out of range [0, lastIndex(" + li
          + ")] in findConflictByTerm");
      return index;
    }
    for (; index > 0; index--) {
      long t;
      try {
        t = term(index);
      } catch (CompactedException | UnavailableException e) {
        break;
      }
      if (t <= term) {
        break;
      }
    }
    return index;
  }

  /** Entries not yet persisted (unmodifiable; empty if none). */
  List<Entry> unstableEntries() {
    return unstable.entries();
  }

  /**
   * Committed entries not yet applied, at most {@code maxNextEntsSize} bytes (but at least one). If
   * applied is behind the snapshot, starts right after the snapshot. Empty if none.
   */
  List<Entry> nextEnts() {
    long off = Math.max(applied + 1, firstIndex());
    if (committed + 1 > off) {
      try {
        return slice(off, committed + 1, maxNextEntsSize);
      } catch (CompactedException e) {
        throw new IllegalStateException(
            "unexpected error when getting unapplied entries (" + e.getMessage() + ")", e);
      }
    }
    return List.of();
  }

  /** Cheap form of {@code !nextEnts().isEmpty()}, without slicing. */
  boolean hasNextEnts() {
    long off = Math.max(applied + 1, firstIndex());
    return committed + 1 > off;
  }

  /** Whether an incoming snapshot waits to be persisted and applied. */
  boolean hasPendingSnapshot() {
    return unstable.snapshot != null;
  }

  /**
   * The unstable snapshot if any, else the storage's.
   *
   * @throws SnapshotTemporarilyUnavailableException from the storage
   */
  Snapshot snapshot() {
    Snapshot s = unstable.snapshot;
    return s != null ? s : storage.snapshot();
  }

  long firstIndex() {
    long i = unstable.maybeFirstIndex();
    return i >= 0 ? i : storage.firstIndex();
  }

  long lastIndex() {
    long i = unstable.maybeLastIndex();
    return i >= 0 ? i : storage.lastIndex();
  }

  /** Raises the commit index (never lowers it). */
  void commitTo(long tocommit) {
    if (committed < tocommit) {
      long last = lastIndex();
      if (last < tocommit) {
        throw new IllegalStateException("tocommit(" + tocommit + ") is out of range [lastIndex("
            + last + ")]. Was the raft log corrupted, truncated, or lost?");
      }
      committed = tocommit;
    }
  }

  /** Records that entries up to {@code i} were handed to the application; 0 is ignored. */
  void appliedTo(long i) {
    if (i == 0) {
      return;
    }
    if (committed < i || i < applied) {
      throw new IllegalStateException("applied(" + i + ") is out of range [prevApplied(" + applied
          + "), committed(" + committed + ")]");
    }
    applied = i;
  }

  void stableTo(long i, long t) {
    unstable.stableTo(i, t);
  }

  void stableSnapTo(long i) {
    unstable.stableSnapTo(i);
  }

  long lastTerm() {
    try {
      return term(lastIndex());
    } catch (RaftException e) {
      throw new IllegalStateException(
          "unexpected error when getting the last term (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Term of entry {@code i}. Valid range is {@code [firstIndex()-1, lastIndex()]}; outside it the
   * answer is 0 (as etcd), which matches no real entry's term except the initial dummy's.
   *
   * @throws CompactedException if the storage has compacted {@code i} meanwhile
   * @throws UnavailableException if the storage does not hold {@code i}
   */
  long term(long i) {
    long dummyIndex = firstIndex() - 1;
    if (i < dummyIndex || i > lastIndex()) {
      return 0;
    }
    long t = unstable.maybeTerm(i);
    if (t >= 0) {
      return t;
    }
    return storage.term(i);
  }

  /**
   * Entries from {@code i} to the end, at most {@code maxSize} bytes (but at least one). Empty if
   * {@code i > lastIndex()}.
   *
   * @throws CompactedException if {@code i} is compacted
   */
  List<Entry> entries(long i, long maxSize) {
    long last = lastIndex();
    if (i > last) {
      return List.of();
    }
    return slice(i, last + 1, maxSize);
  }

  /** Every entry in the log (retries if a concurrent compaction moves the first index). */
  List<Entry> allEntries() {
    while (true) {
      try {
        return entries(firstIndex(), NO_LIMIT);
      } catch (CompactedException e) {
        // racing compaction by the application: read again from the new first index
      }
    }
  }

  /**
   * Whether a log ending at {@code (lasti, term)} is at least as up-to-date as ours (Raft §5.4.1):
   * a later last term wins; with equal last terms, the longer log wins; equal logs count as up-to-date.
   */
  boolean isUpToDate(long lasti, long term) {
    long lt = lastTerm();
    return term > lt || (term == lt && lasti >= lastIndex());
  }

  /** Whether our entry {@code i} has {@code term}; false if {@code i} is compacted or unavailable. */
  boolean matchTerm(long i, long term) {
    try {
      return term(i) == term;
    } catch (CompactedException | UnavailableException e) {
      return false;
    }
  }

  /**
   * Commits up to {@code maxIndex} if that entry is from {@code term}: a leader only counts replicas
   * for entries of its own term (Raft §5.4.2); older ones commit indirectly.
   */
  boolean maybeCommit(long maxIndex, long term) {
    if (maxIndex > committed && zeroTermOnErrCompacted(maxIndex) == term) {
      commitTo(maxIndex);
      return true;
    }
    return false;
  }

  /** Resets the log to a snapshot received from the leader: everything up to it counts as committed. */
  void restore(Snapshot s) {
    log.info("log [" + this + "] starts to restore snapshot [index: "
        + s.getMetadata().getIndex() + ", term: " + s.getMetadata().getTerm() + "]");
    committed = s.getMetadata().getIndex();
    unstable.restore(s);
  }

  /**
   * Entries in {@code [lo, hi)}, at most {@code maxSize} bytes (but at least one if the range is not
   * empty). The result is unmodifiable and unaffected by later changes to the log.
   *
   * @throws CompactedException if {@code lo < firstIndex()}
   * @throws IllegalStateException if {@code lo > hi} or {@code hi > lastIndex()+1}
   */
  List<Entry> slice(long lo, long hi, long maxSize) {
    checkOutOfBounds(lo, hi);
    if (lo == hi) {
      return List.of();
    }
    long uoff = unstable.offset;
    List<Entry> ents = null;
    if (lo < uoff) {
      long storedHi = Math.min(hi, uoff);
      List<Entry> stored;
      try {
        stored = storage.entries(lo, storedHi, maxSize);
      } catch (UnavailableException e) {
        throw new IllegalStateException(
            "entries[" + lo + ":" + storedHi + ") is unavailable from storage", e);
      }
      // The storage already applied maxSize; if it returned fewer than asked, we are done.
      if (stored.size() < storedHi - lo) {
        return stored;
      }
      ents = stored;
    }
    if (hi > uoff) {
      List<Entry> unst = unstable.slice(Math.max(lo, uoff), hi);
      if (ents != null && !ents.isEmpty()) {
        ArrayList<Entry> combined = new ArrayList<>(ents.size() + unst.size());
        combined.addAll(ents);
        combined.addAll(unst);
        ents = combined;
      } else {
        ents = unst;
      }
    }
    return Entries.limitSize(ents, maxSize);
  }

  /**
   * Requires {@code firstIndex() <= lo <= hi <= lastIndex()+1}.
   *
   * @throws CompactedException if {@code lo < firstIndex()}
   * @throws IllegalStateException for an inverted or too-high range
   */
  void checkOutOfBounds(long lo, long hi) {
    if (lo > hi) {
      throw new IllegalStateException("invalid slice " + lo + " > " + hi);
    }
    long fi = firstIndex();
    if (lo < fi) {
      throw CompactedException.INSTANCE;
    }
    long last = lastIndex();
    if (hi > last + 1) {
      throw new IllegalStateException(
          "slice[" + lo + "," + hi + ") out of bound [" + fi + "," + last + "]");
    }
  }

  /**
   * Term of {@code i}, or 0 if it has been compacted (the caller then treats it as "no match").
   *
   * @throws IllegalStateException on any other storage error
   */
  long zeroTermOnErrCompacted(long i) {
    try {
      return term(i);
    } catch (CompactedException e) {
      return 0;
    } catch (RaftException e) {
      throw new IllegalStateException("unexpected error (" + e.getMessage() + ")", e);
    }
  }
}
