package io.etcdjava.raft;

import static io.etcdjava.raft.LogTestUtil.e;
import static io.etcdjava.raft.LogTestUtil.ents;
import static io.etcdjava.raft.LogTestUtil.snap;
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

class UnstableTest {

  static Stream<Arguments> firstIndexCases() {
    return Stream.of(
        // no snapshot: unknown
        Arguments.of(ents(5, 1), 5L, null, -1L),
        Arguments.of(ents(), 0L, null, -1L),
        // snapshot: the index after it
        Arguments.of(ents(5, 1), 5L, snap(4, 1), 5L),
        Arguments.of(ents(), 5L, snap(4, 1), 5L));
  }

  @ParameterizedTest
  @MethodSource("firstIndexCases")
  void maybeFirstIndexIsKnownOnlyWithASnapshot(List<Entry> es, long offset, Snapshot s, long want) {
    assertThat(new Unstable(s, es, offset).maybeFirstIndex()).isEqualTo(want);
  }

  static Stream<Arguments> lastIndexCases() {
    return Stream.of(
        // last in entries
        Arguments.of(ents(5, 1), 5L, null, 5L),
        Arguments.of(ents(5, 1), 5L, snap(4, 1), 5L),
        // last in snapshot
        Arguments.of(ents(), 5L, snap(4, 1), 4L),
        // empty
        Arguments.of(ents(), 0L, null, -1L));
  }

  @ParameterizedTest
  @MethodSource("lastIndexCases")
  void maybeLastIndexComesFromEntriesElseSnapshot(List<Entry> es, long offset, Snapshot s, long want) {
    assertThat(new Unstable(s, es, offset).maybeLastIndex()).isEqualTo(want);
  }

  static Stream<Arguments> termCases() {
    return Stream.of(
        // term from entries
        Arguments.of(ents(5, 1), 5L, null, 5L, 1L),
        Arguments.of(ents(5, 1), 5L, null, 6L, -1L),
        Arguments.of(ents(5, 1), 5L, null, 4L, -1L),
        Arguments.of(ents(5, 1), 5L, snap(4, 1), 5L, 1L),
        Arguments.of(ents(5, 1), 5L, snap(4, 1), 6L, -1L),
        // term from snapshot
        Arguments.of(ents(5, 1), 5L, snap(4, 1), 4L, 1L),
        Arguments.of(ents(5, 1), 5L, snap(4, 1), 3L, -1L),
        Arguments.of(ents(), 5L, snap(4, 1), 5L, -1L),
        Arguments.of(ents(), 5L, snap(4, 1), 4L, 1L),
        Arguments.of(ents(), 0L, null, 5L, -1L));
  }

  @ParameterizedTest
  @MethodSource("termCases")
  void maybeTermCoversEntriesAndTheSnapshotPosition(
      List<Entry> es, long offset, Snapshot s, long index, long want) {
    assertThat(new Unstable(s, es, offset).maybeTerm(index)).isEqualTo(want);
  }

  @Test
  void restoreReplacesEntriesWithTheSnapshot() {
    Unstable u = new Unstable(snap(4, 1), ents(5, 1), 5);
    Snapshot s = snap(6, 2);
    u.restore(s);
    assertThat(u.offset).isEqualTo(7);
    assertThat(u.entries()).isEmpty();
    assertThat(u.snapshot).isEqualTo(s);
  }

  static Stream<Arguments> stableToCases() {
    return Stream.of(
        Arguments.of(ents(), 0L, null, 5L, 1L, 0L, 0),
        Arguments.of(ents(5, 1), 5L, null, 5L, 1L, 6L, 0), // stable to the first entry
        Arguments.of(ents(5, 1, 6, 1), 5L, null, 5L, 1L, 6L, 1), // stable to the first entry
        Arguments.of(ents(6, 2), 6L, null, 6L, 1L, 6L, 1), // term mismatch
        Arguments.of(ents(5, 1), 5L, null, 4L, 1L, 5L, 1), // stable to an old entry
        Arguments.of(ents(5, 1), 5L, null, 4L, 2L, 5L, 1), // stable to an old entry
        // with snapshot
        Arguments.of(ents(5, 1), 5L, snap(4, 1), 5L, 1L, 6L, 0),
        Arguments.of(ents(5, 1, 6, 1), 5L, snap(4, 1), 5L, 1L, 6L, 1),
        Arguments.of(ents(6, 2), 6L, snap(5, 1), 6L, 1L, 6L, 1), // term mismatch
        Arguments.of(ents(5, 1), 5L, snap(4, 1), 4L, 1L, 5L, 1), // stable to the snapshot
        Arguments.of(ents(5, 2), 5L, snap(4, 2), 4L, 1L, 5L, 1)); // stable to an old entry
  }

  @ParameterizedTest
  @MethodSource("stableToCases")
  void stableToDropsThePersistedPrefixOnlyIfTheTermMatches(
      List<Entry> es, long offset, Snapshot s, long index, long term, long wantOffset, int wantLen) {
    Unstable u = new Unstable(s, es, offset);
    u.stableTo(index, term);
    assertThat(u.offset).isEqualTo(wantOffset);
    assertThat(u.entries()).hasSize(wantLen);
  }

  static Stream<Arguments> truncateAndAppendCases() {
    return Stream.of(
        // append to the end
        Arguments.of(ents(5, 1), 5L, ents(6, 1, 7, 1), 5L, ents(5, 1, 6, 1, 7, 1)),
        // replace the unstable entries
        Arguments.of(ents(5, 1), 5L, ents(5, 2, 6, 2), 5L, ents(5, 2, 6, 2)),
        Arguments.of(ents(5, 1), 5L, ents(4, 2, 5, 2, 6, 2), 4L, ents(4, 2, 5, 2, 6, 2)),
        // truncate the existing entries and append
        Arguments.of(ents(5, 1, 6, 1, 7, 1), 5L, ents(6, 2), 5L, ents(5, 1, 6, 2)),
        Arguments.of(ents(5, 1, 6, 1, 7, 1), 5L, ents(7, 2, 8, 2), 5L, ents(5, 1, 6, 1, 7, 2, 8, 2)));
  }

  @ParameterizedTest
  @MethodSource("truncateAndAppendCases")
  void truncateAndAppendAppendsReplacesOrTruncates(
      List<Entry> es, long offset, List<Entry> toAppend, long wantOffset, List<Entry> want) {
    Unstable u = new Unstable(null, es, offset);
    u.truncateAndAppend(toAppend);
    assertThat(u.offset).isEqualTo(wantOffset);
    assertThat(u.entries()).containsExactlyElementsOf(want);
  }

  @Test
  void truncateAndAppendPastTheEndPanics() {
    Unstable u = new Unstable(null, ents(5, 1), 5);
    assertThatThrownBy(() -> u.truncateAndAppend(ents(7, 1))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void sliceReturnsTheRangeAndPanicsOutOfBounds() {
    Unstable u = new Unstable(null, ents(5, 1, 6, 1, 7, 1), 5);
    assertThat(u.slice(6, 8)).containsExactly(e(6, 1), e(7, 1));
    assertThat(u.slice(6, 6)).isEmpty();
    assertThatThrownBy(() -> u.slice(4, 6)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> u.slice(6, 9)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> u.slice(7, 6)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void handedOutEntriesAreUnmodifiable() {
    Unstable u = new Unstable(null, ents(5, 1), 5);
    List<Entry> out = u.entries();
    assertThatThrownBy(() -> out.add(e(6, 1))).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void handedOutEntriesDoNotSeeLaterAppends() {
    Unstable u = new Unstable(null, ents(5, 1, 6, 1), 5);
    List<Entry> ready = u.entries();
    List<Entry> part = u.slice(5, 6);
    u.truncateAndAppend(ents(7, 1, 8, 1));
    assertThat(ready).containsExactly(e(5, 1), e(6, 1));
    assertThat(part).containsExactly(e(5, 1));
    assertThat(u.entries()).containsExactly(e(5, 1), e(6, 1), e(7, 1), e(8, 1));
  }

  @Test
  void handedOutEntriesDoNotSeeLaterTruncation() {
    Unstable u = new Unstable(null, ents(5, 1, 6, 1, 7, 1), 5);
    List<Entry> ready = u.entries();
    u.truncateAndAppend(ents(6, 2));
    assertThat(ready).containsExactly(e(5, 1), e(6, 1), e(7, 1));
    assertThat(u.entries()).containsExactly(e(5, 1), e(6, 2));
  }

  @Test
  void handedOutEntriesDoNotSeeLaterStableTo() {
    Unstable u = new Unstable(null, ents(5, 1, 6, 1, 7, 1), 5);
    List<Entry> ready = u.entries();
    u.stableTo(6, 1);
    u.truncateAndAppend(ents(8, 1));
    assertThat(ready).containsExactly(e(5, 1), e(6, 1), e(7, 1));
    assertThat(u.entries()).containsExactly(e(7, 1), e(8, 1));
    assertThat(u.offset).isEqualTo(7);
  }

  @Test
  void appendedEntriesAreCopiedFromTheCallersList() {
    Unstable u = new Unstable(5);
    List<Entry> mine = new ArrayList<>(ents(5, 1, 6, 1));
    u.truncateAndAppend(mine);
    mine.set(0, e(5, 9));
    mine.add(e(7, 9));
    assertThat(u.entries()).containsExactly(e(5, 1), e(6, 1));
  }

  @Test
  void stableToKeepsAppendingCorrectlyAcrossManyCycles() {
    Unstable u = new Unstable(1);
    long next = 1;
    for (int round = 0; round < 1000; round++) {
      List<Entry> batch = new ArrayList<>();
      for (int k = 0; k < 3; k++) {
        batch.add(e(next++, 1));
      }
      u.truncateAndAppend(batch);
      List<Entry> ready = u.entries();
      // one more proposal arrives before the Ready is persisted
      u.truncateAndAppend(List.of(e(next++, 1)));
      Entry last = ready.get(ready.size() - 1);
      u.stableTo(last.getIndex(), last.getTerm());
      assertThat(u.offset).isEqualTo(last.getIndex() + 1);
      assertThat(u.entries()).containsExactly(e(next - 1, 1));
      u.stableTo(next - 1, 1);
    }
    assertThat(u.size()).isZero();
    assertThat(u.offset).isEqualTo(next);
  }
}
