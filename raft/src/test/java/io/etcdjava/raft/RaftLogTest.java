package io.etcdjava.raft;

import static io.etcdjava.raft.LogTestUtil.e;
import static io.etcdjava.raft.LogTestUtil.ents;
import static io.etcdjava.raft.LogTestUtil.size;
import static io.etcdjava.raft.LogTestUtil.snap;
import static io.etcdjava.raft.RaftLog.NO_LIMIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RaftLogTest {

  private static RaftLog newLog(Storage s) {
    return new RaftLog(s, NO_LIMIT);
  }

  /** Empty storage, entries (1,1) (2,2) (3,3) unstable. */
  private static RaftLog log123() {
    RaftLog l = newLog(new MemoryStorage());
    l.append(ents(1, 1, 2, 2, 3, 3));
    return l;
  }

  /** Storage snapshot at (snapIndex, snapTerm), then the given unstable entries. */
  private static RaftLog logFromSnapshot(long snapIndex, long snapTerm, List<Entry> unstable) {
    MemoryStorage s = new MemoryStorage();
    s.applySnapshot(snap(snapIndex, snapTerm));
    RaftLog l = newLog(s);
    l.append(unstable);
    return l;
  }

  // ---- construction -------------------------------------------------------------------------

  @Test
  void newLogStartsCommittedAndAppliedAtTheStoragesCompactionPoint() {
    MemoryStorage s = new MemoryStorage();
    s.applySnapshot(snap(10, 2));
    s.append(ents(11, 2, 12, 2));
    RaftLog l = newLog(s);
    assertThat(l.committed()).isEqualTo(10);
    assertThat(l.applied()).isEqualTo(10);
    assertThat(l.unstable().offset).isEqualTo(13);
    assertThat(l.firstIndex()).isEqualTo(11);
    assertThat(l.lastIndex()).isEqualTo(12);
    assertThat(l.storage()).isSameAs(s);
  }

  // ---- findConflict -------------------------------------------------------------------------

  static Stream<Arguments> conflictCases() {
    return Stream.of(
        // no conflict, empty
        Arguments.of(ents(), 0L),
        // no conflict
        Arguments.of(ents(1, 1, 2, 2, 3, 3), 0L),
        Arguments.of(ents(2, 2, 3, 3), 0L),
        Arguments.of(ents(3, 3), 0L),
        // no conflict, but new entries
        Arguments.of(ents(1, 1, 2, 2, 3, 3, 4, 4, 5, 4), 4L),
        Arguments.of(ents(2, 2, 3, 3, 4, 4, 5, 4), 4L),
        Arguments.of(ents(3, 3, 4, 4, 5, 4), 4L),
        Arguments.of(ents(4, 4, 5, 4), 4L),
        // conflicts with existing entries
        Arguments.of(ents(1, 4, 2, 4), 1L),
        Arguments.of(ents(2, 1, 3, 4, 4, 4), 2L),
        Arguments.of(ents(3, 1, 4, 2, 5, 4, 6, 4), 3L));
  }

  @ParameterizedTest
  @MethodSource("conflictCases")
  void findConflictReturnsFirstMismatchingOrNewIndexElseZero(List<Entry> es, long want) {
    assertThat(log123().findConflict(es)).isEqualTo(want);
  }

  // ---- findConflictByTerm -------------------------------------------------------------------

  static Stream<Arguments> conflictByTermCases() {
    // Log A: dummy (0,0), terms 2 2 5 5 5 at indexes 1..5.
    // Log B: snapshot (10,3), terms 3 3 4 4 4 at indexes 11..15.
    return Stream.of(
        Arguments.of("A", 100L, 2L, 100L), // beyond the last index: returned as is
        Arguments.of("A", 5L, 6L, 5L),
        Arguments.of("A", 5L, 5L, 5L),
        Arguments.of("A", 5L, 4L, 2L),
        Arguments.of("A", 5L, 2L, 2L),
        Arguments.of("A", 5L, 1L, 0L),
        Arguments.of("A", 1L, 2L, 1L),
        Arguments.of("A", 1L, 1L, 0L),
        Arguments.of("A", 0L, 0L, 0L),
        Arguments.of("B", 30L, 3L, 30L), // beyond the last index
        Arguments.of("B", 14L, 9L, 14L),
        Arguments.of("B", 14L, 4L, 14L),
        Arguments.of("B", 14L, 3L, 12L),
        Arguments.of("B", 14L, 2L, 9L), // walks down past the snapshot: unknown terms stop it
        Arguments.of("B", 11L, 5L, 11L),
        Arguments.of("B", 10L, 5L, 10L),
        Arguments.of("B", 10L, 3L, 10L),
        Arguments.of("B", 10L, 2L, 9L),
        Arguments.of("B", 9L, 2L, 9L),
        Arguments.of("B", 4L, 2L, 4L),
        Arguments.of("B", 0L, 0L, 0L));
  }

  @ParameterizedTest(name = "log {0}: ({1}, {2}) -> {3}")
  @MethodSource("conflictByTermCases")
  void findConflictByTermReturnsLargestIndexAtOrBelowWithTermAtMost(
      String log, long index, long term, long want) {
    RaftLog l = log.equals("A")
        ? logA()
        : logFromSnapshot(10, 3, ents(11, 3, 12, 3, 13, 4, 14, 4, 15, 4));
    assertThat(l.findConflictByTerm(index, term)).isEqualTo(want);
  }

  private static RaftLog logA() {
    RaftLog l = newLog(new MemoryStorage());
    l.append(ents(1, 2, 2, 2, 3, 5, 4, 5, 5, 5));
    return l;
  }

  @Test
  void findConflictByTermReadsStableAndUnstableEntries() {
    MemoryStorage s = new MemoryStorage();
    s.append(ents(1, 1, 2, 1, 3, 2));
    RaftLog l = newLog(s);
    l.append(ents(4, 3, 5, 3));
    assertThat(l.findConflictByTerm(5, 2)).isEqualTo(3);
    assertThat(l.findConflictByTerm(5, 1)).isEqualTo(2);
    assertThat(l.findConflictByTerm(5, 3)).isEqualTo(5);
  }

  // ---- isUpToDate ---------------------------------------------------------------------------

  static Stream<Arguments> upToDateCases() {
    long last = 3;
    return Stream.of(
        // greater term: index ignored
        Arguments.of(last - 1, 4L, true),
        Arguments.of(last, 4L, true),
        Arguments.of(last + 1, 4L, true),
        // smaller term: index ignored
        Arguments.of(last - 1, 2L, false),
        Arguments.of(last, 2L, false),
        Arguments.of(last + 1, 2L, false),
        // equal term: equal or larger last index wins
        Arguments.of(last - 1, 3L, false),
        Arguments.of(last, 3L, true),
        Arguments.of(last + 1, 3L, true));
  }

  @ParameterizedTest
  @MethodSource("upToDateCases")
  void isUpToDateComparesLastTermThenLastIndex(long lastIndex, long term, boolean want) {
    assertThat(log123().isUpToDate(lastIndex, term)).isEqualTo(want);
  }

  // ---- append -------------------------------------------------------------------------------

  static Stream<Arguments> appendCases() {
    return Stream.of(
        Arguments.of(ents(), 2L, ents(1, 1, 2, 2), 3L),
        Arguments.of(ents(3, 2), 3L, ents(1, 1, 2, 2, 3, 2), 3L),
        // conflicts with index 1
        Arguments.of(ents(1, 2), 1L, ents(1, 2), 1L),
        // conflicts with index 2
        Arguments.of(ents(2, 3, 3, 3), 3L, ents(1, 1, 2, 3, 3, 3), 2L));
  }

  @ParameterizedTest
  @MethodSource("appendCases")
  void appendTruncatesFromTheFirstNewEntryAndMovesUnstableOffsetBack(
      List<Entry> es, long wantLast, List<Entry> wantLog, long wantUnstableOffset) {
    MemoryStorage s = new MemoryStorage();
    s.append(ents(1, 1, 2, 2));
    RaftLog l = newLog(s);
    assertThat(l.append(es)).isEqualTo(wantLast);
    assertThat(l.entries(1, NO_LIMIT)).containsExactlyElementsOf(wantLog);
    assertThat(l.unstable().offset).isEqualTo(wantUnstableOffset);
  }

  @Test
  void appendBeforeCommittedPanics() {
    RaftLog l = log123();
    l.commitTo(2);
    assertThatThrownBy(() -> l.append(ents(2, 9))).isInstanceOf(IllegalStateException.class);
  }

  // ---- maybeAppend --------------------------------------------------------------------------

  static Stream<Arguments> maybeAppendCases() {
    long li = 3; // last index
    long lt = 3; // last term
    long commit = 1;
    return Stream.of(
        // no match: term differs
        Arguments.of(lt - 1, li, li, ents(li + 1, 4), -1L, commit, false),
        // no match: index out of bound
        Arguments.of(lt, li + 1, li, ents(li + 2, 4), -1L, commit, false),
        // match with the last existing entry
        Arguments.of(lt, li, li, ents(), li, li, false),
        Arguments.of(lt, li, li + 1, ents(), li, li, false), // commit not beyond last new
        Arguments.of(lt, li, li - 1, ents(), li, li - 1, false), // commit up to the message's
        Arguments.of(lt, li, 0L, ents(), li, commit, false), // commit never decreases
        Arguments.of(0L, 0L, li, ents(), 0L, commit, false), // commit never decreases
        Arguments.of(lt, li, li, ents(li + 1, 4), li + 1, li, false),
        Arguments.of(lt, li, li + 1, ents(li + 1, 4), li + 1, li + 1, false),
        Arguments.of(lt, li, li + 2, ents(li + 1, 4), li + 1, li + 1, false), // not beyond last new
        Arguments.of(lt, li, li + 2, ents(li + 1, 4, li + 2, 4), li + 2, li + 2, false),
        // match with an entry in the middle
        Arguments.of(lt - 1, li - 1, li, ents(li, 4), li, li, false),
        Arguments.of(lt - 2, li - 2, li, ents(li - 1, 4), li - 1, li - 1, false),
        Arguments.of(lt - 3, li - 3, li, ents(li - 2, 4), li - 2, li - 2, true), // conflicts with committed
        Arguments.of(lt - 2, li - 2, li, ents(li - 1, 4, li, 4), li, li, false));
  }

  @ParameterizedTest
  @MethodSource("maybeAppendCases")
  void maybeAppendAppendsOnlyAfterAMatchingEntryAndCommitsUpToLastNew(
      long logTerm, long index, long committed, List<Entry> es,
      long wantLast, long wantCommit, boolean wantPanic) {
    RaftLog l = log123();
    l.committed = 1;
    if (wantPanic) {
      assertThatThrownBy(() -> l.maybeAppend(index, logTerm, committed, es))
          .isInstanceOf(IllegalStateException.class);
      return;
    }
    assertThat(l.maybeAppend(index, logTerm, committed, es)).isEqualTo(wantLast);
    assertThat(l.committed()).isEqualTo(wantCommit);
    if (wantLast >= 0 && !es.isEmpty()) {
      long last = l.lastIndex();
      assertThat(l.slice(last - es.size() + 1, last + 1, NO_LIMIT)).containsExactlyElementsOf(es);
    }
  }

  // ---- compaction ---------------------------------------------------------------------------

  @Test
  void logLookupsStillWorkAfterStorageCompaction() {
    long lastIndex = 1000;
    long unstableIndex = 750;
    MemoryStorage s = new MemoryStorage();
    for (long i = 1; i <= unstableIndex; i++) {
      s.append(List.of(e(i, i)));
    }
    RaftLog l = newLog(s);
    for (long i = unstableIndex; i < lastIndex; i++) {
      l.append(List.of(e(i + 1, i + 1)));
    }
    assertThat(l.maybeCommit(lastIndex, lastIndex)).isTrue();
    l.appliedTo(l.committed());

    long offset = 500;
    s.compact(offset);

    assertThat(l.lastIndex()).isEqualTo(lastIndex);
    for (long j = offset; j <= l.lastIndex(); j++) {
      assertThat(l.term(j)).isEqualTo(j);
      assertThat(l.matchTerm(j, j)).isTrue();
    }
    List<Entry> unstableEnts = l.unstableEntries();
    assertThat(unstableEnts).hasSize(250);
    assertThat(unstableEnts.get(0).getIndex()).isEqualTo(751);

    long prev = l.lastIndex();
    l.append(List.of(e(prev + 1, prev + 1)));
    assertThat(l.lastIndex()).isEqualTo(prev + 1);
    assertThat(l.entries(l.lastIndex(), NO_LIMIT)).hasSize(1);
  }

  private static RaftLog committedLogOf1000(MemoryStorage s) {
    for (long i = 1; i <= 1000; i++) {
      s.append(List.of(e(i, 0)));
    }
    RaftLog l = newLog(s);
    l.maybeCommit(1000, 0);
    l.appliedTo(l.committed());
    return l;
  }

  @Test
  void compactionLeavesOnlyTheEntriesAfterTheCompactIndex() {
    MemoryStorage s = new MemoryStorage();
    RaftLog l = committedLogOf1000(s);
    long[] compacts = {300, 500, 800, 900};
    int[] left = {700, 500, 200, 100};
    for (int k = 0; k < compacts.length; k++) {
      s.compact(compacts[k]);
      assertThat(l.allEntries()).hasSize(left[k]);
    }
  }

  @Test
  void compactionBeyondTheLastIndexPanics() {
    MemoryStorage s = new MemoryStorage();
    committedLogOf1000(s);
    assertThatThrownBy(() -> s.compact(1001)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void compactionBelowAPreviousCompactionIsRejected() {
    MemoryStorage s = new MemoryStorage();
    RaftLog l = committedLogOf1000(s);
    s.compact(300);
    assertThat(l.allEntries()).hasSize(700);
    assertThatThrownBy(() -> s.compact(299)).isInstanceOf(CompactedException.class);
    assertThat(l.allEntries()).hasSize(700);
  }

  // ---- nextEnts -----------------------------------------------------------------------------

  /** Storage snapshot (3,1); unstable 4,5,6 at term 1; committed 5; applied as given. */
  private static RaftLog committedTo5(long applied) {
    RaftLog l = logFromSnapshot(3, 1, ents(4, 1, 5, 1, 6, 1));
    l.maybeCommit(5, 1);
    l.appliedTo(applied);
    return l;
  }

  static Stream<Arguments> nextEntsCases() {
    return Stream.of(
        Arguments.of(0L, true, ents(4, 1, 5, 1)),
        Arguments.of(3L, true, ents(4, 1, 5, 1)),
        Arguments.of(4L, true, ents(5, 1)),
        Arguments.of(5L, false, ents()));
  }

  @ParameterizedTest
  @MethodSource("nextEntsCases")
  void nextEntsAreTheCommittedUnappliedEntriesAfterTheSnapshot(
      long applied, boolean wantHas, List<Entry> want) {
    RaftLog l = committedTo5(applied);
    assertThat(l.hasNextEnts()).isEqualTo(wantHas);
    assertThat(l.nextEnts()).containsExactlyElementsOf(want);
  }

  @Test
  void nextEntsAreLimitedByMaxNextEntsSizeButReturnAtLeastOne() {
    MemoryStorage s = new MemoryStorage();
    s.append(ents(1, 1, 2, 1, 3, 1));
    RaftLog l = new RaftLog(s, size(e(1, 1)) + size(e(2, 1)));
    l.append(ents(4, 1));
    l.commitTo(4);
    assertThat(l.nextEnts()).containsExactly(e(1, 1), e(2, 1));
    l.appliedTo(2);
    assertThat(l.nextEnts()).containsExactly(e(3, 1), e(4, 1));

    RaftLog tiny = new RaftLog(s, 0);
    tiny.commitTo(3);
    assertThat(tiny.nextEnts()).containsExactly(e(1, 1));
  }

  @Test
  void nextEntsHandedOutAreUnaffectedByLaterTruncation() {
    RaftLog l = log123();
    l.commitTo(2);
    List<Entry> next = l.nextEnts();
    l.append(ents(3, 9, 4, 9));
    l.stableTo(4, 9);
    assertThat(next).containsExactly(e(1, 1), e(2, 2));
  }

  // ---- unstable entries / stableTo ----------------------------------------------------------

  static Stream<Arguments> unstableEntsCases() {
    return Stream.of(
        Arguments.of(3, ents()), // everything already in storage
        Arguments.of(1, ents(1, 1, 2, 2))); // everything unstable
  }

  @ParameterizedTest
  @MethodSource("unstableEntsCases")
  void unstableEntriesAreTheUnpersistedTail(int unstableFrom, List<Entry> want) {
    List<Entry> previous = ents(1, 1, 2, 2);
    MemoryStorage s = new MemoryStorage();
    s.append(previous.subList(0, unstableFrom - 1));
    RaftLog l = newLog(s);
    l.append(previous.subList(unstableFrom - 1, previous.size()));

    List<Entry> es = l.unstableEntries();
    if (!es.isEmpty()) {
      Entry last = es.get(es.size() - 1);
      l.stableTo(last.getIndex(), last.getTerm());
    }
    assertThat(es).containsExactlyElementsOf(want);
    assertThat(l.unstable().offset).isEqualTo(3);
    assertThat(l.unstableEntries()).isEmpty();
  }

  static Stream<Arguments> stableToCases() {
    return Stream.of(
        Arguments.of(1L, 1L, 2L),
        Arguments.of(2L, 2L, 3L),
        Arguments.of(2L, 1L, 1L), // bad term
        Arguments.of(3L, 1L, 1L)); // bad index
  }

  @ParameterizedTest
  @MethodSource("stableToCases")
  void stableToAdvancesUnstableOffsetOnlyOnMatchingEntry(long i, long t, long wantOffset) {
    RaftLog l = newLog(new MemoryStorage());
    l.append(ents(1, 1, 2, 2));
    l.stableTo(i, t);
    assertThat(l.unstable().offset).isEqualTo(wantOffset);
  }

  static Stream<Arguments> stableToWithSnapCases() {
    long si = 5;
    long st = 2;
    return Stream.of(
        Arguments.of(si + 1, st, ents(), si + 1),
        Arguments.of(si, st, ents(), si + 1),
        Arguments.of(si - 1, st, ents(), si + 1),
        Arguments.of(si + 1, st + 1, ents(), si + 1),
        Arguments.of(si, st + 1, ents(), si + 1),
        Arguments.of(si - 1, st + 1, ents(), si + 1),
        Arguments.of(si + 1, st, ents(si + 1, st), si + 2),
        Arguments.of(si, st, ents(si + 1, st), si + 1),
        Arguments.of(si - 1, st, ents(si + 1, st), si + 1),
        Arguments.of(si + 1, st + 1, ents(si + 1, st), si + 1),
        Arguments.of(si, st + 1, ents(si + 1, st), si + 1),
        Arguments.of(si - 1, st + 1, ents(si + 1, st), si + 1));
  }

  @ParameterizedTest
  @MethodSource("stableToWithSnapCases")
  void stableToAfterASnapshotOnlyMovesPastMatchingUnstableEntries(
      long i, long t, List<Entry> newEnts, long wantOffset) {
    RaftLog l = logFromSnapshot(5, 2, newEnts);
    l.stableTo(i, t);
    assertThat(l.unstable().offset).isEqualTo(wantOffset);
  }

  // ---- commit / apply -----------------------------------------------------------------------

  static Stream<Arguments> commitToCases() {
    return Stream.of(
        Arguments.of(3L, 3L),
        Arguments.of(1L, 2L)); // never decreases
  }

  @ParameterizedTest
  @MethodSource("commitToCases")
  void commitToNeverDecreasesCommit(long commit, long want) {
    RaftLog l = log123();
    l.committed = 2;
    l.commitTo(commit);
    assertThat(l.committed()).isEqualTo(want);
  }

  @Test
  void commitToBeyondLastIndexPanics() {
    RaftLog l = log123();
    l.committed = 2;
    assertThatThrownBy(() -> l.commitTo(4)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void maybeCommitOnlyCommitsEntriesOfTheGivenTerm() {
    RaftLog l = log123();
    assertThat(l.maybeCommit(2, 3)).isFalse(); // entry 2 is from term 2
    assertThat(l.committed()).isZero();
    assertThat(l.maybeCommit(3, 3)).isTrue();
    assertThat(l.committed()).isEqualTo(3);
    assertThat(l.maybeCommit(3, 3)).isFalse(); // no progress
    assertThat(l.maybeCommit(2, 2)).isFalse(); // never backwards
  }

  @Test
  void appliedToMustStayBetweenAppliedAndCommitted() {
    RaftLog l = log123();
    l.commitTo(2);
    l.appliedTo(2);
    assertThat(l.applied()).isEqualTo(2);
    l.appliedTo(0); // ignored
    assertThat(l.applied()).isEqualTo(2);
    assertThatThrownBy(() -> l.appliedTo(3)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> l.appliedTo(1)).isInstanceOf(IllegalStateException.class);
  }

  // ---- snapshot restore ---------------------------------------------------------------------

  @Test
  void logFromStorageSnapshotStartsAfterIt() {
    long index = 1000;
    long term = 1000;
    MemoryStorage s = new MemoryStorage();
    s.applySnapshot(snap(index, term));
    RaftLog l = newLog(s);
    assertThat(l.allEntries()).isEmpty();
    assertThat(l.firstIndex()).isEqualTo(index + 1);
    assertThat(l.committed()).isEqualTo(index);
    assertThat(l.unstable().offset).isEqualTo(index + 1);
    assertThat(l.term(index)).isEqualTo(term);
  }

  @Test
  void restoreMakesTheSnapshotPendingAndCommitsUpToIt() {
    RaftLog l = log123();
    Snapshot s = snap(10, 4);
    l.restore(s);
    assertThat(l.hasPendingSnapshot()).isTrue();
    assertThat(l.snapshot()).isEqualTo(s);
    assertThat(l.committed()).isEqualTo(10);
    assertThat(l.firstIndex()).isEqualTo(11);
    assertThat(l.lastIndex()).isEqualTo(10);
    assertThat(l.lastTerm()).isEqualTo(4);
    assertThat(l.unstableEntries()).isEmpty();
    l.stableSnapTo(10);
    assertThat(l.hasPendingSnapshot()).isFalse();
    assertThat(l.snapshot()).isEqualTo(Snapshot.getDefaultInstance()); // the storage's
  }

  // ---- bounds, term, slice ------------------------------------------------------------------

  static Stream<Arguments> outOfBoundsCases() {
    long first = 101;
    long num = 100;
    return Stream.of(
        Arguments.of(first - 2, first + 1, "compacted"),
        Arguments.of(first - 1, first + 1, "compacted"),
        Arguments.of(first, first, "ok"),
        Arguments.of(first + num / 2, first + num / 2, "ok"),
        Arguments.of(first + num - 1, first + num - 1, "ok"),
        Arguments.of(first + num, first + num, "ok"),
        Arguments.of(first + num, first + num + 1, "panic"),
        Arguments.of(first + num + 1, first + num + 1, "panic"));
  }

  @ParameterizedTest
  @MethodSource("outOfBoundsCases")
  void checkOutOfBoundsRejectsCompactedAndPanicsBeyondTheEnd(long lo, long hi, String want) {
    List<Entry> es = new ArrayList<>();
    for (long i = 1; i <= 100; i++) {
      es.add(e(100 + i, 0));
    }
    RaftLog l = logFromSnapshot(100, 0, es);
    switch (want) {
      case "compacted" -> assertThatThrownBy(() -> l.checkOutOfBounds(lo, hi))
          .isInstanceOf(CompactedException.class);
      case "panic" -> assertThatThrownBy(() -> l.checkOutOfBounds(lo, hi))
          .isInstanceOf(IllegalStateException.class);
      default -> l.checkOutOfBounds(lo, hi);
    }
  }

  static Stream<Arguments> termCases() {
    long offset = 100;
    long num = 100;
    return Stream.of(
        Arguments.of(offset - 1, 0L), // before the dummy: out of range
        Arguments.of(offset, 1L), // the snapshot's term
        Arguments.of(offset + num / 2, num / 2),
        Arguments.of(offset + num - 1, num - 1),
        Arguments.of(offset + num, 0L)); // past the end: out of range
  }

  @ParameterizedTest
  @MethodSource("termCases")
  void termIsZeroOutsideDummyToLastIndex(long index, long want) {
    List<Entry> es = new ArrayList<>();
    for (long i = 1; i < 100; i++) {
      es.add(e(100 + i, i));
    }
    RaftLog l = logFromSnapshot(100, 1, es);
    assertThat(l.term(index)).isEqualTo(want);
  }

  static Stream<Arguments> termWithUnstableSnapshotCases() {
    long storageSnap = 100;
    long unstableSnap = storageSnap + 5;
    return Stream.of(
        Arguments.of(storageSnap, 0L), // storage is behind the unstable snapshot
        Arguments.of(storageSnap + 1, 0L), // the gap between storage and unstable snapshot
        Arguments.of(unstableSnap - 1, 0L),
        Arguments.of(unstableSnap, 1L)); // the unstable snapshot's own position
  }

  @ParameterizedTest
  @MethodSource("termWithUnstableSnapshotCases")
  void termWithAnUnstableSnapshotIsKnownOnlyFromIt(long index, long want) {
    RaftLog l = logFromSnapshot(100, 1, ents());
    l.restore(snap(105, 1));
    assertThat(l.term(index)).isEqualTo(want);
  }

  static Stream<Arguments> sliceCases() {
    long offset = 100;
    long num = 100;
    long last = offset + num;
    long half = offset + num / 2;
    long hs = size(e(half, half));
    return Stream.of(
        // no limit
        Arguments.of(offset - 1, offset + 1, NO_LIMIT, "compacted", ents()),
        Arguments.of(offset, offset + 1, NO_LIMIT, "compacted", ents()),
        Arguments.of(half - 1, half + 1, NO_LIMIT, "ok", ents(half - 1, half - 1, half, half)),
        Arguments.of(half, half + 1, NO_LIMIT, "ok", ents(half, half)),
        Arguments.of(last - 1, last, NO_LIMIT, "ok", ents(last - 1, last - 1)),
        Arguments.of(last, last + 1, NO_LIMIT, "panic", ents()),
        // limit
        Arguments.of(half - 1, half + 1, 0L, "ok", ents(half - 1, half - 1)),
        Arguments.of(half - 1, half + 1, hs + 1, "ok", ents(half - 1, half - 1)),
        Arguments.of(half - 2, half + 1, hs + 1, "ok", ents(half - 2, half - 2)),
        Arguments.of(half - 1, half + 1, hs * 2, "ok", ents(half - 1, half - 1, half, half)),
        Arguments.of(half - 1, half + 2, hs * 3, "ok",
            ents(half - 1, half - 1, half, half, half + 1, half + 1)),
        Arguments.of(half, half + 2, hs, "ok", ents(half, half)),
        Arguments.of(half, half + 2, hs * 2, "ok", ents(half, half, half + 1, half + 1)));
  }

  @ParameterizedTest
  @MethodSource("sliceCases")
  void sliceSpansStorageAndUnstableWithinTheSizeLimit(
      long lo, long hi, long maxSize, String want, List<Entry> wantEnts) {
    // entries 101..149 in storage, 150..199 unstable
    MemoryStorage s = new MemoryStorage();
    s.applySnapshot(snap(100, 0));
    for (long i = 1; i < 50; i++) {
      s.append(List.of(e(100 + i, 100 + i)));
    }
    RaftLog l = newLog(s);
    for (long i = 50; i < 100; i++) {
      l.append(List.of(e(100 + i, 100 + i)));
    }
    switch (want) {
      case "compacted" -> assertThatThrownBy(() -> l.slice(lo, hi, maxSize))
          .isInstanceOf(CompactedException.class);
      case "panic" -> assertThatThrownBy(() -> l.slice(lo, hi, maxSize))
          .isInstanceOf(IllegalStateException.class);
      default -> assertThat(l.slice(lo, hi, maxSize)).containsExactlyElementsOf(wantEnts);
    }
  }

  @Test
  void entriesPastTheLastIndexAreEmpty() {
    RaftLog l = log123();
    assertThat(l.entries(4, NO_LIMIT)).isEmpty();
    assertThat(l.entries(2, NO_LIMIT)).containsExactly(e(2, 2), e(3, 3));
  }

  @Test
  void matchTermIsFalseForUnknownOrDifferentTerms() {
    RaftLog l = logFromSnapshot(10, 3, ents(11, 3, 12, 4));
    assertThat(l.matchTerm(10, 3)).isTrue();
    assertThat(l.matchTerm(12, 4)).isTrue();
    assertThat(l.matchTerm(12, 3)).isFalse();
    assertThat(l.matchTerm(13, 4)).isFalse();
    assertThat(l.matchTerm(5, 3)).isFalse();
  }

  /** A storage that claims index {@code compactedAt} was compacted under raft's feet. */
  private static Storage racingCompaction(MemoryStorage inner, long compactedAt, RaftException err) {
    return new Storage() {
      @Override public InitialState initialState() { return inner.initialState(); }
      @Override public List<Entry> entries(long lo, long hi, long maxSize) {
        return inner.entries(lo, hi, maxSize);
      }
      @Override public long term(long i) {
        if (i == compactedAt) {
          throw err;
        }
        return inner.term(i);
      }
      @Override public long lastIndex() { return inner.lastIndex(); }
      @Override public long firstIndex() { return inner.firstIndex(); }
      @Override public Snapshot snapshot() { return inner.snapshot(); }
    };
  }

  @Test
  void zeroTermOnErrCompactedMapsCompactionToZeroAndOtherErrorsToPanic() {
    MemoryStorage inner = new MemoryStorage();
    inner.append(ents(1, 1, 2, 2, 3, 3));
    RaftLog l = newLog(racingCompaction(inner, 2, CompactedException.INSTANCE));
    assertThat(l.zeroTermOnErrCompacted(2)).isZero();
    assertThat(l.zeroTermOnErrCompacted(3)).isEqualTo(3);
    assertThat(l.matchTerm(2, 2)).isFalse();
    assertThat(l.maybeCommit(2, 2)).isFalse();
    assertThatThrownBy(() -> l.term(2)).isInstanceOf(CompactedException.class);

    RaftLog broken = newLog(racingCompaction(inner, 2, UnavailableException.INSTANCE));
    assertThatThrownBy(() -> broken.zeroTermOnErrCompacted(2)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void findConflictByTermStopsWhereTheTermIsUnknown() {
    MemoryStorage inner = new MemoryStorage();
    inner.append(ents(1, 1, 2, 2, 3, 3));
    RaftLog l = newLog(racingCompaction(inner, 2, CompactedException.INSTANCE));
    assertThat(l.findConflictByTerm(3, 1)).isEqualTo(2);
  }

  @Test
  void toStringShowsCursorsAndUnstableState() {
    RaftLog l = log123();
    l.commitTo(1);
    assertThat(l.toString())
        .isEqualTo("committed=1, applied=0, unstable.offset=1, len(unstable.Entries)=3");
  }
}
