package io.etcdjava.raft.wal;

import static io.etcdjava.raft.wal.WalTestSupport.META;
import static io.etcdjava.raft.wal.WalTestSupport.SMALL_SEGMENT;
import static io.etcdjava.raft.wal.WalTestSupport.entries;
import static io.etcdjava.raft.wal.WalTestSupport.hs;
import static io.etcdjava.raft.wal.WalTestSupport.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.wal.WalCorruptionException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalSegmentTest {
    static {
        WalTestSupport.quietLogs();
    }

    @TempDir
    Path dir;

    /** Writes entries 1..n in random-sized batches (fixed seed) with a snapshot marker every 1000. */
    private List<Entry> fill(Wal w, int n) throws Exception {
        Random rnd = new Random(7);
        List<Entry> all = new ArrayList<>();
        long index = 1;
        while (index <= n) {
            long to = Math.min(n, index + rnd.nextInt(40));
            List<Entry> es = entries(index, to, 1 + index / 1000, 20 + rnd.nextInt(200));
            w.save(hs(1 + to / 1000, 1, Math.max(0, to - 5)), es);
            all.addAll(es);
            for (long i = index; i <= to; i++) {
                if (i % 1000 == 0) {
                    w.saveSnapshot(new WalSnapshot(i - 50, 1 + (i - 50) / 1000));
                }
            }
            index = to + 1;
        }
        return all;
    }

    @Test
    void thousandsOfRecordsAcrossManySegmentsReadBack() throws Exception {
        List<Entry> all;
        try (Wal w = Wal.create(dir, META, small())) {
            all = fill(w, 5000);
            assertThat(w.segmentFiles()).hasSizeGreaterThanOrEqualTo(8);
        }
        assertThat(dir.toFile().list((d, name) -> name.endsWith(".tmp"))).as("preallocated temp file removed").isEmpty();
        List<Path> files = WalTestSupport.segmentFiles(dir);
        for (int i = 0; i < files.size(); i++) {
            long[] name = RecordFormat.parseSegmentName(files.get(i).getFileName().toString());
            assertThat(name[0]).isEqualTo(i);
            if (i > 0) {
                // a segment is named after the index following the last one before it
                Entry firstInSegment = firstEntry(files.get(i));
                assertThat(firstInSegment.getIndex()).isEqualTo(name[1]);
            }
            if (i < files.size() - 1) {
                assertThat(Files.size(files.get(i))).as("sealed segments are truncated to their data")
                        .isGreaterThanOrEqualTo(SMALL_SEGMENT).isLessThan(SMALL_SEGMENT + 4096);
            } else {
                assertThat(Files.size(files.get(i))).isEqualTo(SMALL_SEGMENT);
            }
        }
        try (Wal w = Wal.open(dir, WalSnapshot.ZERO, small())) {
            ReadResult r = w.readAll();
            assertThat(r.entries()).isEqualTo(all);
            assertThat(r.hardState()).isEqualTo(hs(6, 1, 4995));
            assertThat(w.lastIndex()).isEqualTo(5000);
            // keep appending in the reopened tail
            w.save(hs(6, 1, 5000), entries(5001, 5100, 6, 100));
        }
        try (Wal w = Wal.open(dir, WalSnapshot.ZERO, small())) {
            assertThat(w.readAll().entries()).hasSize(5100);
        }
    }

    private static Entry firstEntry(Path segment) throws Exception {
        byte[] data = Files.readAllBytes(segment);
        for (WalTestSupport.Rec r : WalTestSupport.records(segment)) {
            if (r.type() == RecordFormat.TYPE_ENTRY) {
                return Entry.parser().parseFrom(data, (int) r.offset() + RecordFormat.HEADER_SIZE, r.payloadLength());
            }
        }
        throw new AssertionError("no entry in " + segment);
    }

    @Test
    void releaseLockToDeletesOldSegmentsAndReopenFromTheSnapshotWorks() throws Exception {
        List<Entry> all;
        WalSnapshot snap = new WalSnapshot(2950, 3); // marker written by fill()
        List<Path> before;
        try (Wal w = Wal.create(dir, META, small())) {
            all = fill(w, 5000);
            before = w.segmentFiles();
            int deleted = w.releaseLockTo(snap.index());
            assertThat(deleted).isPositive();
            assertThat(w.segmentFiles()).isEqualTo(before.subList(deleted, before.size()));
            // the first kept segment holds the snapshot index; the next starts after it
            long[] firstKept = RecordFormat.parseSegmentName(w.segmentFiles().get(0).getFileName().toString());
            long[] secondKept = RecordFormat.parseSegmentName(w.segmentFiles().get(1).getFileName().toString());
            assertThat(firstKept[1]).isLessThanOrEqualTo(snap.index());
            assertThat(secondKept[1]).isGreaterThan(snap.index());
            assertThat(w.releaseLockTo(snap.index())).isZero(); // idempotent
        }
        for (Path p : before) {
            assertThat(Files.exists(p)).isEqualTo(WalTestSupport.segmentFiles(dir).contains(p));
        }
        try (Wal w = Wal.open(dir, snap, small())) {
            ReadResult r = w.readAll();
            assertThat(r.entries()).isEqualTo(all.subList((int) snap.index(), all.size()));
            assertThat(r.metadata()).isEqualTo(META);
            assertThat(r.hardState()).isEqualTo(hs(6, 1, 4995));
        }
        WalCorruptionException e = catchThrowableOfType(() -> Wal.open(dir, WalSnapshot.ZERO, small()),
                WalCorruptionException.class);
        assertThat(e.reason()).isEqualTo(Reason.SNAPSHOT_NOT_FOUND);
        assertThat(e.getMessage()).contains("snapshot not found");
    }

    @Test
    void openingFromALaterSnapshotSkipsEarlierSegmentsWithoutDeletingThem() throws Exception {
        List<Entry> all;
        try (Wal w = Wal.create(dir, META, small())) {
            all = fill(w, 3000);
        }
        int files = WalTestSupport.segmentFiles(dir).size();
        try (Wal w = Wal.open(dir, new WalSnapshot(1950, 2), small())) {
            assertThat(w.readAll().entries()).isEqualTo(all.subList(1950, 3000));
            assertThat(w.segmentFiles()).hasSize(files);
        }
    }

    @Test
    void rolloverWithBackgroundPreallocationDisabledBehavesTheSame() throws Exception {
        WalOptions opts = WalOptions.builder().segmentSize(SMALL_SEGMENT).preallocateInBackground(false).build();
        List<Entry> all;
        try (Wal w = Wal.create(dir, META, opts)) {
            all = fill(w, 2000);
            assertThat(w.segmentFiles()).hasSizeGreaterThan(2);
        }
        try (Wal w = Wal.open(dir, WalSnapshot.ZERO, opts)) {
            assertThat(w.readAll().entries()).isEqualTo(all);
        }
    }

    @Test
    void aBatchLargerThanASegmentStillRollsOver() throws Exception {
        try (Wal w = Wal.create(dir, META, small())) {
            w.save(hs(1, 1, 0), entries(1, 300, 1, 1000)); // ~300 KB in one write
            w.save(hs(1, 1, 300), entries(301, 301, 1, 10));
            assertThat(w.segmentFiles()).hasSize(2);
        }
        try (Wal w = Wal.open(dir, WalSnapshot.ZERO, small())) {
            assertThat(w.readAll().entries()).hasSize(301);
        }
    }
}
