package io.etcdjava.raft;

import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.Snapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The tail of the log not yet persisted: an incoming snapshot and/or entries. Entry k sits at index
 * {@code offset + k}. The offset may be at or below the storage's last index: the next write to storage
 * must then truncate the stored log first.
 *
 * <p>Lists handed out ({@link #entries()}, {@link #slice}) stay valid and unchanged after later calls:
 * the application may still be persisting or applying them while raft moves on. The backing list is
 * therefore copy-on-write once shared, and only mutated in place while nobody else can see it.
 *
 * <p>Not thread-safe; owned by the raft state machine.
 */
final class Unstable {
  private final RaftLogger log;

  /** The incoming snapshot, or {@code null}. */
  Snapshot snapshot;
  /** Index of the first unstable entry (or where it would go). */
  long offset;

  private List<Entry> entries = List.of();
  /** Whether {@link #entries} is an ArrayList created here that no caller has seen. */
  private boolean owned;

  Unstable(long offset) {
    this(offset, RaftLogger.NOOP);
  }

  Unstable(long offset, RaftLogger logger) {
    this.offset = offset;
    this.log = logger;
  }

  /** For tests: a given state; {@code entries} is copied. */
  Unstable(Snapshot snapshot, List<Entry> entries, long offset) {
    this.log = RaftLogger.NOOP;
    this.snapshot = snapshot;
    this.offset = offset;
    if (!entries.isEmpty()) {
      this.entries = new ArrayList<>(entries);
      this.owned = true;
    }
  }

  /** The unstable entries, as an unmodifiable list that later changes here do not affect. */
  List<Entry> entries() {
    if (entries.isEmpty()) {
      return List.of();
    }
    owned = false;
    return Collections.unmodifiableList(entries);
  }

  /** Number of unstable entries (does not hand the list out). */
  int size() {
    return entries.size();
  }

  /** Index of the first entry after the unstable snapshot, or -1 if there is no unstable snapshot. */
  long maybeFirstIndex() {
    return snapshot != null ? snapshot.getMetadata().getIndex() + 1 : -1;
  }

  /** Last index of the unstable entries, else of the unstable snapshot, else -1. */
  long maybeLastIndex() {
    int n = entries.size();
    if (n != 0) {
      return offset + n - 1;
    }
    return snapshot != null ? snapshot.getMetadata().getIndex() : -1;
  }

  /** Term of entry {@code i} if this holds it (an entry or the snapshot's position), else -1. */
  long maybeTerm(long i) {
    if (i < offset) {
      if (snapshot != null && snapshot.getMetadata().getIndex() == i) {
        return snapshot.getMetadata().getTerm();
      }
      return -1;
    }
    long last = maybeLastIndex();
    if (last < 0 || i > last) {
      return -1;
    }
    return entries.get((int) (i - offset)).getTerm();
  }

  /**
   * Entries up to {@code (i, t)} were persisted. Drops them, unless the term differs: then a newer
   * append replaced that entry after it was handed out, and it must stay unstable.
   */
  void stableTo(long i, long t) {
    long gt = maybeTerm(i);
    if (gt < 0) {
      return;
    }
    // i < offset matches only the snapshot position, which stableSnapTo handles.
    if (gt == t && i >= offset) {
      int k = (int) (i + 1 - offset);
      int n = entries.size();
      if (k == n) {
        entries = List.of();
        owned = false;
      } else if (owned) {
        // Cleared slots are nulled by ArrayList, so the persisted entries can be collected.
        entries.subList(0, k).clear();
      } else {
        entries = new ArrayList<>(entries.subList(k, n));
        owned = true;
      }
      offset = i + 1;
    }
  }

  void stableSnapTo(long i) {
    if (snapshot != null && snapshot.getMetadata().getIndex() == i) {
      snapshot = null;
    }
  }

  /** Replaces everything with the snapshot; the log continues right after it. */
  void restore(Snapshot s) {
    offset = s.getMetadata().getIndex() + 1;
    entries = List.of();
    owned = false;
    snapshot = s;
  }

  /**
   * Appends {@code ents}, first dropping any unstable entry at or after {@code ents[0].index}. The
   * caller's list is copied, never retained.
   */
  void truncateAndAppend(List<Entry> ents) {
    if (ents.isEmpty()) {
      return;
    }
    long after = ents.get(0).getIndex();
    int n = entries.size();
    if (after == offset + n) {
      // Plain append: the common path for proposals and in-order replication.
      mutable(ents.size()).addAll(ents);
    } else if (after <= offset) {
      // Everything unstable is replaced (the log is truncated at or before our first entry).
      log.info("replace the unstable entries from index " + after);
      offset = after;
      entries = new ArrayList<>(ents);
      owned = true;
    } else {
      // Keep [offset, after) and replace the rest. A fresh list: the dropped suffix may still be held
      // by whoever received it, and overwriting in place would change what they see.
      checkOutOfBounds(offset, after);
      log.info("truncate the unstable entries before index " + after);
      int keep = (int) (after - offset);
      ArrayList<Entry> merged = new ArrayList<>(keep + ents.size());
      merged.addAll(entries.subList(0, keep));
      merged.addAll(ents);
      entries = merged;
      owned = true;
    }
  }

  /** Entries in {@code [lo, hi)} as an unmodifiable view that later changes here do not affect. */
  List<Entry> slice(long lo, long hi) {
    checkOutOfBounds(lo, hi);
    if (lo == hi) {
      return List.of();
    }
    owned = false;
    return Collections.unmodifiableList(entries.subList((int) (lo - offset), (int) (hi - offset)));
  }

  private void checkOutOfBounds(long lo, long hi) {
    if (lo > hi) {
      throw new IllegalStateException("invalid unstable.slice " + lo + " > " + hi);
    }
    long upper = offset + entries.size();
    if (lo < offset || hi > upper) {
      throw new IllegalStateException(
          "unstable.slice[" + lo + "," + hi + ") out of bound [" + offset + "," + upper + "]");
    }
  }

  /** The backing list, copied first if it has been shared or is immutable. */
  private ArrayList<Entry> mutable(int extra) {
    if (!owned) {
      ArrayList<Entry> copy = new ArrayList<>(Math.max(16, entries.size() + extra));
      copy.addAll(entries);
      entries = copy;
      owned = true;
    }
    return (ArrayList<Entry>) entries;
  }

  @Override
  public String toString() {
    return "Unstable{offset=" + offset + ", entries=" + entries.size() + ", snapshot="
        + (snapshot == null ? "none" : snapshot.getMetadata().getIndex()) + "}";
  }
}
