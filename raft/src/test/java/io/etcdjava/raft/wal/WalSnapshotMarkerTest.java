package io.etcdjava.raft.wal;

import static io.etcdjava.raft.wal.WalTestSupport.META;
import static io.etcdjava.raft.wal.WalTestSupport.entries;
import static io.etcdjava.raft.wal.WalTestSupport.hs;
import static io.etcdjava.raft.wal.WalTestSupport.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.wal.WalCorruptionException.Reason;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalSnapshotMarkerTest {
    static {
        WalTestSupport.quietLogs();
    }

    @TempDir
    Path dir;

    @Test
    void newWalOpensFromTheZeroSnapshot() throws Exception {
        Wal.create(dir, META, small()).close();
        try (Wal w = Wal.open(dir, WalSnapshot.ZERO, small())) {
            ReadResult r = w.readAll();
            assertThat(r.entries()).isEmpty();
            assertThat(r.hardState()).isEqualTo(io.etcdjava.raft.pb.HardState.getDefaultInstance());
            assertThat(r.metadata()).isEqualTo(META);
        }
    }

    @Test
    void openFromASavedMarkerReturnsOnlyLaterEntries() throws Exception {
        try (Wal w = Wal.create(dir, META, small())) {
            w.save(hs(2, 1, 8), entries(1, 10, 2, 16));
            w.saveSnapshot(new WalSnapshot(5, 2));
            w.save(hs(2, 1, 10), entries(11, 12, 2, 16));
        }
        try (Wal w = Wal.open(dir, new WalSnapshot(5, 2), small())) {
            assertThat(w.readAll().entries()).extracting(Entry::getIndex).containsExactly(6L, 7L, 8L, 9L, 10L, 11L, 12L);
        }
        try (Wal w = Wal.open(dir, WalSnapshot.ZERO, small())) { // older markers stay usable
            assertThat(w.readAll().entries()).hasSize(12);
        }
    }

    @Test
    void markerAheadOfTheLogLetsEntriesContinueAfterIt() throws Exception {
        // A follower that received a leader snapshot at 100 while its own log ended at 3.
        try (Wal w = Wal.create(dir, META, small())) {
            w.save(hs(1, 1, 2), entries(1, 3, 1, 8));
            w.saveSnapshot(new WalSnapshot(100, 4));
            assertThat(w.lastIndex()).isEqualTo(100);
            w.save(hs(4, 0, 100), entries(101, 102, 4, 8));
        }
        try (Wal w = Wal.open(dir, new WalSnapshot(100, 4), small())) {
            assertThat(w.readAll().entries()).extracting(Entry::getIndex).containsExactly(101L, 102L);
            assertThat(w.lastIndex()).isEqualTo(102);
        }
        // From zero, entries 4..100 are missing: that must be reported, not papered over.
        WalCorruptionException e = catchThrowableOfType(() -> Wal.open(dir, WalSnapshot.ZERO, small()),
                WalCorruptionException.class);
        assertThat(e.reason()).isEqualTo(Reason.ENTRY_GAP);
        assertThat(e.getMessage()).contains("gap").contains(".wal").contains("offset");
    }

    @Test
    void openFromAMarkerNotInTheWalFails() throws Exception {
        try (Wal w = Wal.create(dir, META, small())) {
            w.save(hs(2, 1, 8), entries(1, 10, 2, 16));
            w.saveSnapshot(new WalSnapshot(5, 2));
        }
        WalCorruptionException notFound = catchThrowableOfType(
                () -> Wal.open(dir, new WalSnapshot(7, 2), small()), WalCorruptionException.class);
        assertThat(notFound.reason()).isEqualTo(Reason.SNAPSHOT_NOT_FOUND);
        assertThat(notFound.getMessage()).contains("wal: snapshot not found").contains("index 7");

        WalCorruptionException mismatch = catchThrowableOfType(
                () -> Wal.open(dir, new WalSnapshot(5, 3), small()), WalCorruptionException.class);
        assertThat(mismatch.reason()).isEqualTo(Reason.SNAPSHOT_MISMATCH);
        assertThat(mismatch.getMessage()).contains("snapshot mismatch").contains("term 2");
        assertThat(mismatch.offset()).isPositive();

        // still opens fine from the real marker
        try (Wal w = Wal.open(dir, new WalSnapshot(5, 2), small())) {
            assertThat(w.readAll().entries()).hasSize(5);
        }
    }

    @Test
    void markerLostInATornTailIsNotFound() throws Exception {
        try (Wal w = Wal.create(dir, META, small())) {
            w.save(hs(2, 1, 8), entries(1, 10, 2, 16));
            w.saveSnapshot(new WalSnapshot(5, 2));
        }
        Path last = WalTestSupport.lastSegment(dir);
        List<WalTestSupport.Rec> recs = WalTestSupport.records(last);
        WalTestSupport.Rec marker = recs.get(recs.size() - 1);
        assertThat(marker.type()).isEqualTo(RecordFormat.TYPE_SNAPSHOT);
        WalTestSupport.flipByte(last, marker.payloadEnd() - 1);
        WalCorruptionException e = catchThrowableOfType(
                () -> Wal.open(dir, new WalSnapshot(5, 2), small()), WalCorruptionException.class);
        assertThat(e.reason()).isEqualTo(Reason.SNAPSHOT_NOT_FOUND);
        try (Wal w = Wal.open(dir, WalSnapshot.ZERO, small())) {
            ReadResult r = w.readAll();
            assertThat(r.tornTail()).get().extracting(TornTail::offset).isEqualTo(marker.offset());
            assertThat(r.entries()).hasSize(10);
        }
    }

    @Test
    void validSnapshotsListsCommittedMarkersAcrossSegments() throws Exception {
        try (Wal w = Wal.create(dir, META, small())) {
            long index = 1;
            for (int round = 1; round <= 4; round++) {
                List<Entry> es = entries(index, index + 199, 2, 300); // ~60 KB: about a segment each
                index += 200;
                w.save(hs(2, 1, index - 1), es);
                w.saveSnapshot(new WalSnapshot(index - 1, 2));
            }
            w.saveSnapshot(new WalSnapshot(900, 2)); // beyond the commit index: not valid yet
            assertThat(w.segmentFiles()).hasSizeGreaterThan(2);
        }
        assertThat(Wal.validSnapshots(dir)).containsExactly(WalSnapshot.ZERO, new WalSnapshot(200, 2),
                new WalSnapshot(400, 2), new WalSnapshot(600, 2), new WalSnapshot(800, 2));
    }
}
