package io.etcdjava.raft;

import static io.etcdjava.raft.LogTestUtil.e;
import static io.etcdjava.raft.LogTestUtil.ents;
import static io.etcdjava.raft.LogTestUtil.size;
import static io.etcdjava.raft.LogTestUtil.snap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.HardState;
import io.etcdjava.raft.pb.Snapshot;
import io.etcdjava.raft.pb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MemoryStorageTest {
  /** Dummy at (3,3), entries 4 and 5. */
  private static MemoryStorage storage345() {
    return new MemoryStorage(ents(3, 3, 4, 4, 5, 5));
  }

  @Test
  void freshStorageHoldsOnlyTheZeroDummy() {
    MemoryStorage s = new MemoryStorage();
    assertThat(s.firstIndex()).isEqualTo(1);
    assertThat(s.lastIndex()).isZero();
    assertThat(s.term(0)).isZero();
    assertThat(s.snapshot()).isEqualTo(Snapshot.getDefaultInstance());
    assertThatThrownBy(() -> s.entries(1, 1, Long.MAX_VALUE)).isInstanceOf(UnavailableException.class);
  }

  static Stream<Arguments> termCases() {
    return Stream.of(
        Arguments.of(2L, CompactedException.class, 0L),
        Arguments.of(3L, null, 3L),
        Arguments.of(4L, null, 4L),
        Arguments.of(5L, null, 5L),
        Arguments.of(6L, UnavailableException.class, 0L));
  }

  @ParameterizedTest
  @MethodSource("termCases")
  void termIsKnownFromTheDummyToTheLastIndex(long i, Class<? extends Throwable> err, long want) {
    MemoryStorage s = storage345();
    if (err != null) {
      assertThatThrownBy(() -> s.term(i)).isInstanceOf(err);
    } else {
      assertThat(s.term(i)).isEqualTo(want);
    }
  }

  static Stream<Arguments> entriesCases() {
    List<Entry> es = ents(3, 3, 4, 4, 5, 5, 6, 6);
    long s1 = size(es.get(1));
    long s2 = size(es.get(2));
    long s3 = size(es.get(3));
    long max = Long.MAX_VALUE;
    return Stream.of(
        Arguments.of(2L, 6L, max, CompactedException.class, null),
        Arguments.of(3L, 4L, max, CompactedException.class, null),
        Arguments.of(4L, 5L, max, null, ents(4, 4)),
        Arguments.of(4L, 6L, max, null, ents(4, 4, 5, 5)),
        Arguments.of(4L, 7L, max, null, ents(4, 4, 5, 5, 6, 6)),
        // even with a zero budget, the first entry is returned
        Arguments.of(4L, 7L, 0L, null, ents(4, 4)),
        Arguments.of(4L, 7L, s1 + s2, null, ents(4, 4, 5, 5)),
        Arguments.of(4L, 7L, s1 + s2 + s3 / 2, null, ents(4, 4, 5, 5)),
        Arguments.of(4L, 7L, s1 + s2 + s3 - 1, null, ents(4, 4, 5, 5)),
        Arguments.of(4L, 7L, s1 + s2 + s3, null, ents(4, 4, 5, 5, 6, 6)));
  }

  @ParameterizedTest
  @MethodSource("entriesCases")
  void entriesReturnsTheRangeLimitedBySizeButAtLeastOne(
      long lo, long hi, long maxSize, Class<? extends Throwable> err, List<Entry> want) {
    MemoryStorage s = new MemoryStorage(ents(3, 3, 4, 4, 5, 5, 6, 6));
    if (err != null) {
      assertThatThrownBy(() -> s.entries(lo, hi, maxSize)).isInstanceOf(err);
    } else {
      assertThat(s.entries(lo, hi, maxSize)).containsExactlyElementsOf(want);
    }
  }

  @Test
  void entriesBeyondLastIndexPanics() {
    MemoryStorage s = storage345();
    assertThatThrownBy(() -> s.entries(4, 7, Long.MAX_VALUE)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void entriesAreNotAffectedByLaterAppendOrCompaction() {
    MemoryStorage s = storage345();
    List<Entry> got = s.entries(4, 6, Long.MAX_VALUE);
    s.append(ents(5, 9, 6, 9));
    s.compact(5);
    assertThat(got).containsExactly(e(4, 4), e(5, 5));
    assertThatThrownBy(() -> got.add(e(6, 6))).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void lastIndexFollowsAppends() {
    MemoryStorage s = storage345();
    assertThat(s.lastIndex()).isEqualTo(5);
    s.append(ents(6, 5));
    assertThat(s.lastIndex()).isEqualTo(6);
  }

  @Test
  void firstIndexFollowsCompaction() {
    MemoryStorage s = storage345();
    assertThat(s.firstIndex()).isEqualTo(4);
    s.compact(4);
    assertThat(s.firstIndex()).isEqualTo(5);
  }

  static Stream<Arguments> compactCases() {
    return Stream.of(
        Arguments.of(2L, true, 3L, 3L, 3),
        Arguments.of(3L, true, 3L, 3L, 3),
        Arguments.of(4L, false, 4L, 4L, 2),
        Arguments.of(5L, false, 5L, 5L, 1));
  }

  @ParameterizedTest
  @MethodSource("compactCases")
  void compactMakesTheCompactIndexTheNewDummy(
      long i, boolean compacted, long wantIndex, long wantTerm, int wantLen) {
    MemoryStorage s = storage345();
    if (compacted) {
      assertThatThrownBy(() -> s.compact(i)).isInstanceOf(CompactedException.class);
    } else {
      s.compact(i);
    }
    List<Entry> raw = s.ents();
    assertThat(raw.get(0).getIndex()).isEqualTo(wantIndex);
    assertThat(raw.get(0).getTerm()).isEqualTo(wantTerm);
    assertThat(raw).hasSize(wantLen);
  }

  @Test
  void compactBeyondLastIndexPanics() {
    MemoryStorage s = storage345();
    assertThatThrownBy(() -> s.compact(6)).isInstanceOf(IllegalStateException.class);
  }

  static Stream<Arguments> createSnapshotCases() {
    return Stream.of(Arguments.of(4L, 4L), Arguments.of(5L, 5L));
  }

  @ParameterizedTest
  @MethodSource("createSnapshotCases")
  void createSnapshotRecordsIndexTermConfStateAndData(long i, long wantTerm) {
    MemoryStorage s = storage345();
    ConfState cs = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();
    ByteString data = ByteString.copyFromUtf8("data");
    Snapshot want = Snapshot.newBuilder()
        .setData(data)
        .setMetadata(SnapshotMetadata.newBuilder().setIndex(i).setTerm(wantTerm).setConfState(cs))
        .build();
    assertThat(s.createSnapshot(i, cs, data)).isEqualTo(want);
    assertThat(s.snapshot()).isEqualTo(want);
  }

  @Test
  void createSnapshotWithoutConfStateKeepsThePreviousOne() {
    MemoryStorage s = storage345();
    ConfState cs = ConfState.newBuilder().addVoters(7).build();
    s.createSnapshot(4, cs, ByteString.copyFromUtf8("a"));
    Snapshot second = s.createSnapshot(5, null, null);
    assertThat(second.getMetadata().getConfState()).isEqualTo(cs);
    assertThat(second.getData()).isEqualTo(ByteString.EMPTY);
    assertThat(s.initialState().confState()).isEqualTo(cs);
  }

  @Test
  void createSnapshotNotNewerThanTheCurrentOneIsOutOfDate() {
    MemoryStorage s = storage345();
    s.createSnapshot(5, null, ByteString.EMPTY);
    assertThatThrownBy(() -> s.createSnapshot(5, null, ByteString.EMPTY))
        .isInstanceOf(SnapOutOfDateException.class);
    assertThatThrownBy(() -> s.createSnapshot(4, null, ByteString.EMPTY))
        .isInstanceOf(SnapOutOfDateException.class);
  }

  @Test
  void createSnapshotBeyondLastIndexPanics() {
    MemoryStorage s = storage345();
    assertThatThrownBy(() -> s.createSnapshot(6, null, ByteString.EMPTY))
        .isInstanceOf(IllegalStateException.class);
  }

  static Stream<Arguments> appendCases() {
    return Stream.of(
        // already compacted: ignored
        Arguments.of(ents(1, 1, 2, 2), ents(3, 3, 4, 4, 5, 5)),
        Arguments.of(ents(3, 3, 4, 4, 5, 5), ents(3, 3, 4, 4, 5, 5)),
        Arguments.of(ents(3, 3, 4, 6, 5, 6), ents(3, 3, 4, 6, 5, 6)),
        Arguments.of(ents(3, 3, 4, 4, 5, 5, 6, 5), ents(3, 3, 4, 4, 5, 5, 6, 5)),
        // drop the compacted part of the input, truncate the existing entries, append
        Arguments.of(ents(2, 3, 3, 3, 4, 5), ents(3, 3, 4, 5)),
        // truncate the existing entries and append
        Arguments.of(ents(4, 5), ents(3, 3, 4, 5)),
        // direct append
        Arguments.of(ents(6, 5), ents(3, 3, 4, 4, 5, 5, 6, 5)));
  }

  @ParameterizedTest
  @MethodSource("appendCases")
  void appendSkipsCompactedEntriesAndReplacesTheConflictingSuffix(List<Entry> in, List<Entry> want) {
    MemoryStorage s = storage345();
    s.append(in);
    assertThat(s.ents()).containsExactlyElementsOf(want);
  }

  @Test
  void appendLeavingAGapPanics() {
    MemoryStorage s = storage345();
    assertThatThrownBy(() -> s.append(ents(7, 5))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void appendDoesNotRetainTheCallersList() {
    MemoryStorage s = storage345();
    List<Entry> mine = new ArrayList<>(ents(6, 5));
    s.append(mine);
    mine.set(0, e(6, 9));
    assertThat(s.term(6)).isEqualTo(5);
  }

  @Test
  void applySnapshotOlderThanTheCurrentOneIsOutOfDate() {
    ConfState cs = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();
    ByteString data = ByteString.copyFromUtf8("data");
    Snapshot s4 = snap(4, 4).toBuilder().setData(data)
        .setMetadata(snap(4, 4).getMetadata().toBuilder().setConfState(cs)).build();
    Snapshot s3 = snap(3, 3).toBuilder().setData(data)
        .setMetadata(snap(3, 3).getMetadata().toBuilder().setConfState(cs)).build();
    MemoryStorage s = new MemoryStorage();
    s.applySnapshot(s4);
    assertThatThrownBy(() -> s.applySnapshot(s3)).isInstanceOf(SnapOutOfDateException.class);
    assertThatThrownBy(() -> s.applySnapshot(s4)).isInstanceOf(SnapOutOfDateException.class);
  }

  @Test
  void applySnapshotResetsTheLogToStartAfterIt() {
    MemoryStorage s = storage345();
    s.applySnapshot(snap(10, 7));
    assertThat(s.firstIndex()).isEqualTo(11);
    assertThat(s.lastIndex()).isEqualTo(10);
    assertThat(s.term(10)).isEqualTo(7);
    assertThat(s.snapshot()).isEqualTo(snap(10, 7));
    assertThatThrownBy(() -> s.term(9)).isInstanceOf(CompactedException.class);
  }

  @Test
  void initialStateReturnsHardStateAndSnapshotConfState() {
    MemoryStorage s = new MemoryStorage();
    HardState hs = HardState.newBuilder().setTerm(3).setVote(2).setCommit(1).build();
    s.setHardState(hs);
    ConfState cs = ConfState.newBuilder().addVoters(2).addLearners(5).build();
    s.applySnapshot(snap(1, 1).toBuilder()
        .setMetadata(snap(1, 1).getMetadata().toBuilder().setConfState(cs)).build());
    assertThat(s.initialState()).isEqualTo(new InitialState(hs, cs));
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void longRunWithPeriodicCompactionStaysLinear() {
    MemoryStorage s = new MemoryStorage();
    int n = 300_000;
    for (int i = 1; i <= n; i++) {
      s.append(List.of(e(i, 1)));
      if (i % 1000 == 0) {
        s.compact(i - 100);
      }
    }
    assertThat(s.lastIndex()).isEqualTo(n);
    assertThat(s.firstIndex()).isEqualTo(n - 100 + 1);
    assertThat(s.ents()).hasSize(101);
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void concurrentAppendAndReadsSeeAConsistentLog() throws Exception {
    MemoryStorage s = new MemoryStorage();
    int n = 20_000;
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      try {
        while (s.lastIndex() < n) {
          long last = s.lastIndex();
          long first = s.firstIndex();
          if (last >= first) {
            // Another append/compaction can run between the two calls; only check what we got.
            try {
              List<Entry> got = s.entries(first, last + 1, Long.MAX_VALUE);
              for (int k = 0; k < got.size(); k++) {
                if (got.get(k).getIndex() != got.get(0).getIndex() + k) {
                  throw new AssertionError("non-contiguous read " + got);
                }
              }
            } catch (CompactedException ignored) {
              // raced with compaction
            }
          }
        }
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    reader.start();
    for (int i = 1; i <= n; i++) {
      s.append(List.of(e(i, 1)));
      if (i % 500 == 0) {
        s.compact(i - 50);
      }
    }
    reader.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(reader.isAlive()).isFalse();
    assertThat(failure.get()).isNull();
  }
}
