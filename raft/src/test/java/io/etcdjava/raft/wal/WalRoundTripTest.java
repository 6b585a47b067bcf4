package io.etcdjava.raft.wal;

import static io.etcdjava.raft.wal.WalTestSupport.META;
import static io.etcdjava.raft.wal.WalTestSupport.entries;
import static io.etcdjava.raft.wal.WalTestSupport.entry;
import static io.etcdjava.raft.wal.WalTestSupport.hs;
import static io.etcdjava.raft.wal.WalTestSupport.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.HardState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalRoundTripTest {
    static {
        WalTestSupport.quietLogs();
    }

    @TempDir
    Path dir;

    @Test
    void savedBatchesReadBackAfterReopen() throws Exception {
        List<Entry> expected = new ArrayList<>();
        HardState last;
        try (Wal w = Wal.create(dir, META, small())) {
            assertThat(w.readAll().entries()).isEmpty();
            long index = 1;
            for (int batch = 0; batch < 50; batch++) {
                List<Entry> es = entries(index, index + batch % 4, 1 + batch / 10, 10 + batch);
                index += es.size();
                expected.addAll(es);
                w.save(hs(1 + batch / 10, 2, index - 2), es);
            }
            last = hs(5, 2, index - 1);
            w.save(last, List.of());
            assertThat(w.lastIndex()).isEqualTo(index - 1);
        }
        try (Wal w = Wal.open(dir, WalSnapshot.ZERO, small())) {
            ReadResult r = w.readAll();
            assertThat(r.metadata()).isEqualTo(META);
            assertThat(r.hardState()).isEqualTo(last);
            assertThat(r.entries()).isEqualTo(expected);
            assertThat(r.tornTailRepaired()).isFalse();
            assertThat(w.lastIndex()).isEqualTo(expected.size());
            assertThatThrownBy(w::readAll).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void laterLowerIndexOverwritesAndTruncatesTheSuffix() throws Exception {
        try (Wal w = Wal.create(dir, META, small())) {
            w.save(hs(1, 1, 3), entries(1, 10, 1, 8));
            // a new leader at term 2 replaced the uncommitted 6..10 with 6..8
            w.save(hs(2, 2, 5), entries(6, 8, 2, 8));
        }
        try (Wal w = Wal.open(dir, WalSnapshot.ZERO, small())) {
            List<Entry> got = w.readAll().entries();
            List<Entry> want = new ArrayList<>(entries(1, 5, 1, 8));
            want.addAll(entries(6, 8, 2, 8));
            assertThat(got).isEqualTo(want);
            assertThat(w.lastIndex()).isEqualTo(8);
            w.save(null, entries(9, 9, 2, 8)); // appends continue after the overwrite
        }
        try (Wal w = Wal.open(dir, WalSnapshot.ZERO, small())) {
            assertThat(w.readAll().entries()).extracting(Entry::getIndex).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        }
    }

    @Test
    void fsyncsOncePerSaveAndOnlyWhenRaftRequiresIt() throws Exception {
        AtomicInteger fsyncs = new AtomicInteger();
        WalOptions opts = WalOptions.builder().segmentSize(WalTestSupport.SMALL_SEGMENT)
                .fsyncNanosObserver(n -> {
                    assertThat(n).isNotNegative();
                    fsyncs.incrementAndGet();
                }).build();
        try (Wal w = Wal.create(dir, META, opts)) {
            fsyncs.set(0);
            w.save(hs(1, 1, 0), entries(1, 20, 1, 16));
            assertThat(fsyncs).hasValue(1);
            w.save(hs(1, 1, 5), List.of()); // commit only: no fsync needed
            assertThat(fsyncs).hasValue(1);
            w.save(hs(1, 1, 5), List.of()); // unchanged: nothing written at all
            w.save(null, null);
            assertThat(fsyncs).hasValue(1);
            w.save(hs(2, 0, 5), List.of()); // new term: must sync
            assertThat(fsyncs).hasValue(2);
            w.saveSnapshot(new WalSnapshot(5, 1));
            assertThat(fsyncs).hasValue(3);
            w.sync();
            assertThat(fsyncs).hasValue(4);
        }
        try (Wal w = Wal.open(dir, WalSnapshot.ZERO, small())) {
            ReadResult r = w.readAll();
            assertThat(r.hardState()).isEqualTo(hs(2, 0, 5));
            assertThat(r.entries()).hasSize(20);
        }
    }

    @Test
    void unsyncedCommitChangeIsSyncedByClose() throws Exception {
        try (Wal w = Wal.create(dir, META, small())) {
            w.save(hs(1, 1, 0), entries(1, 3, 1, 4));
            w.save(hs(1, 1, 3), List.of());
        }
        try (Wal w = Wal.open(dir, WalSnapshot.ZERO, small())) {
            assertThat(w.readAll().hardState()).isEqualTo(hs(1, 1, 3));
        }
    }

    @Test
    void rejectsEntriesThatWouldLeaveAGap() throws Exception {
        try (Wal w = Wal.create(dir, META, small())) {
            w.save(null, entries(1, 3, 1, 4));
            assertThatThrownBy(() -> w.save(null, entries(5, 6, 1, 4)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gap");
            assertThatThrownBy(() -> w.save(null, List.of(entry(4, 1, 1), entry(6, 1, 1))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("contiguous");
            w.save(null, entries(4, 4, 1, 4)); // still usable
        }
        try (Wal w = Wal.open(dir, WalSnapshot.ZERO, small())) {
            assertThat(w.readAll().entries()).hasSize(4);
        }
    }

    @Test
    void createAndOpenCheckTheDirectory() throws Exception {
        assertThat(Wal.exists(dir)).isFalse();
        assertThatThrownBy(() -> Wal.open(dir, WalSnapshot.ZERO)).isInstanceOf(WalException.class)
                .hasMessageContaining("no WAL segment");
        assertThatThrownBy(() -> Wal.open(dir.resolve("missing"), WalSnapshot.ZERO))
                .isInstanceOf(WalException.class).hasMessageContaining("does not exist");
        Wal.create(dir, META, small()).close();
        assertThat(Wal.exists(dir)).isTrue();
        assertThat(WalTestSupport.segmentFiles(dir)).extracting(p -> p.getFileName().toString())
                .containsExactly("0000000000000000-0000000000000000.wal");
        assertThat(Files.size(WalTestSupport.lastSegment(dir))).isEqualTo(WalTestSupport.SMALL_SEGMENT);
        assertThatThrownBy(() -> Wal.create(dir, META, small())).isInstanceOf(WalException.class)
                .hasMessageContaining("already contains a WAL");
    }

    @Test
    void closedWalRefusesUse() throws Exception {
        Wal w = Wal.create(dir, META, small());
        w.close();
        w.close(); // idempotent
        assertThatThrownBy(() -> w.save(hs(1, 0, 0), List.of())).isInstanceOf(WalException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void emptyMetadataAndEmptyEntryDataRoundTrip() throws Exception {
        try (Wal w = Wal.create(dir, com.google.protobuf.ByteString.EMPTY, small())) {
            w.save(hs(1, 0, 0), List.of(Entry.newBuilder().setIndex(1).setTerm(1).build()));
        }
        try (Wal w = Wal.open(dir, WalSnapshot.ZERO, small())) {
            ReadResult r = w.readAll();
            assertThat(r.metadata().isEmpty()).isTrue();
            assertThat(r.entries()).containsExactly(Entry.newBuilder().setIndex(1).setTerm(1).build());
        }
    }
}
