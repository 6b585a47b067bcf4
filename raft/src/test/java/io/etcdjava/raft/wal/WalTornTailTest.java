package io.etcdjava.raft.wal;

import static io.etcdjava.raft.wal.WalTestSupport.META;
import static io.etcdjava.raft.wal.WalTestSupport.entries;
import static io.etcdjava.raft.wal.WalTestSupport.entry;
import static io.etcdjava.raft.wal.WalTestSupport.flipByte;
import static io.etcdjava.raft.wal.WalTestSupport.hs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.HardState;
import io.etcdjava.raft.wal.WalCorruptionException.Reason;
import io.etcdjava.raft.wal.WalTestSupport.Rec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage at and before the tail. Layout built in {@link #setUp}: a sealed first segment with
 * entries 1..40, then a last segment holding batch X (entries 41-42, hard state HS_X) and the
 * final batch Y (entries 43-44, hard state HS_Y) — Y is the tail, X is before it.
 */
class WalTornTailTest {
    static {
        WalTestSupport.quietLogs();
    }

    private static final WalOptions OPTS = WalOptions.builder().segmentSize(WalOptions.MIN_SEGMENT_SIZE)
            .preallocateInBackground(false).build();
    private static final HardState HS_X = hs(3, 1, 40);
    private static final HardState HS_Y = hs(3, 1, 42);

    @TempDir
    Path dir;

    private Path last;
    private byte[] pristine;
    private List<Rec> batchX;
    private List<Rec> batchY;

    @BeforeEach
    void setUp() throws IOException {
        try (Wal w = Wal.create(dir, META, OPTS)) {
            for (long i = 1; i <= 40; i += 4) {
                w.save(hs(2, 1, i), entries(i, i + 3, 2, 100));
            }
            assertThat(w.segmentFiles()).hasSize(2);
            w.save(HS_X, entries(41, 42, 3, 61));
            w.save(HS_Y, entries(43, 44, 3, 61));
        }
        last = WalTestSupport.lastSegment(dir);
        pristine = Files.readAllBytes(last);
        List<Rec> recs = WalTestSupport.records(last);
        // prelude (metadata, hard state), then X (3 records), then Y (3 records)
        batchY = recs.subList(recs.size() - 3, recs.size());
        batchX = recs.subList(recs.size() - 6, recs.size() - 3);
        assertThat(batchY).extracting(Rec::type).containsExactly(
                RecordFormat.TYPE_ENTRY, RecordFormat.TYPE_ENTRY, RecordFormat.TYPE_HARD_STATE);
    }

    @Test
    void cutAnywhereInTheFinalWriteIsRepairedByTruncation() throws IOException {
        checkEveryCut(true);
    }

    @Test
    void zeroedSuffixOfTheFinalWriteIsRepaired() throws IOException {
        checkEveryCut(false);
    }

    /** Damages the final batch from every byte offset on, by truncating or zero-filling. */
    private void checkEveryCut(boolean truncate) throws IOException {
        long start = batchY.get(0).offset();
        long end = batchY.get(batchY.size() - 1).payloadEnd();
        for (long cut = start; cut < end; cut++) {
            restore();
            if (truncate) {
                try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
                    ch.truncate(cut);
                }
            } else {
                byte[] b = pristine.clone();
                Arrays.fill(b, (int) cut, (int) end, (byte) 0);
                Files.write(last, b);
            }
            List<Entry> want = new ArrayList<>(entries(1, 40, 2, 100));
            want.addAll(entries(41, 42, 3, 61));
            boolean torn = false;
            for (Rec r : batchY) {
                if (r.payloadEnd() <= cut) {
                    if (r.type() == RecordFormat.TYPE_ENTRY) {
                        want.add(entry(want.size() + 1, 3, 61));
                    }
                } else if (r.offset() < cut) {
                    torn = true;
                }
            }
            boolean hsWritten = batchY.get(2).payloadEnd() <= cut;
            String at = (truncate ? "truncated" : "zeroed") + " at " + cut;

            Entry appended = entry(want.size() + 1, 4, 33);
            try (Wal w = Wal.open(dir, WalSnapshot.ZERO, OPTS)) {
                ReadResult r = w.readAll();
                assertThat(r.entries()).as(at).isEqualTo(want);
                assertThat(r.hardState()).as(at).isEqualTo(hsWritten ? HS_Y : HS_X);
                assertThat(r.tornTailRepaired()).as(at).isEqualTo(torn);
                if (torn) {
                    TornTail t = r.tornTail().orElseThrow();
                    assertThat(t.file()).as(at).isEqualTo(last);
                    assertThat(t.discardedBytes()).as(at).isPositive();
                    assertThat(t.describe()).as(at).contains(last.toString());
                }
                w.save(hs(4, 0, 42), List.of(appended));
            }
            want.add(appended);
            try (Wal w = Wal.open(dir, WalSnapshot.ZERO, OPTS)) {
                ReadResult r = w.readAll();
                assertThat(r.entries()).as(at + ", after append").isEqualTo(want);
                assertThat(r.hardState()).as(at + ", after append").isEqualTo(hs(4, 0, 42));
                assertThat(r.tornTailRepaired()).as(at + ", after append").isFalse();
            }
        }
    }

    @Test
    void damageInsideTheFinalWriteWithIntactRecordsAfterItIsATornTail() throws IOException {
        // The disk persisted the final write's later pages but not an earlier one.
        Rec first = batchY.get(0);
        flipByte(last, first.offset() + RecordFormat.HEADER_SIZE + 20);
        try (Wal w = Wal.open(dir, WalSnapshot.ZERO, OPTS)) {
            ReadResult r = w.readAll();
            assertThat(r.entries()).hasSize(42);
            assertThat(r.hardState()).isEqualTo(HS_X);
            assertThat(r.tornTail().orElseThrow().offset()).isEqualTo(first.offset());
            assertThat(r.tornTail().orElseThrow().reason()).contains("CRC32C mismatch");
        }
    }

    @Test
    void flippedByteBeforeTheTailIsRefusedNamingFileAndOffset() throws IOException {
        Rec victim = batchX.get(1);
        flipByte(last, victim.offset() + RecordFormat.HEADER_SIZE + 30);
        WalCorruptionException e = refused();
        assertThat(e.reason()).isEqualTo(Reason.BAD_RECORD);
        assertThat(e.file()).contains(last);
        assertThat(e.offset()).isEqualTo(victim.offset());
        assertThat(e.getMessage()).contains(last.toString()).contains("offset " + victim.offset())
                .contains("CRC32C mismatch");
    }

    @Test
    void corruptLengthBeforeTheTailIsRefused() throws IOException {
        Rec victim = batchX.get(0);
        flipByte(last, victim.offset() + 2); // length now runs far past the end of the file
        WalCorruptionException e = refused();
        assertThat(e.offset()).isEqualTo(victim.offset());
        assertThat(e.getMessage()).contains("length");
    }

    @Test
    void zeroedRecordBeforeTheTailIsRefused() throws IOException {
        Rec victim = batchX.get(0);
        byte[] b = pristine.clone();
        Arrays.fill(b, (int) victim.offset(), (int) victim.payloadEnd(), (byte) 0);
        Files.write(last, b);
        WalCorruptionException e = refused();
        assertThat(e.offset()).isEqualTo(victim.offset());
        assertThat(e.getMessage()).contains("zero-filled");
    }

    @Test
    void corruptionInASealedSegmentIsRefused() throws IOException {
        Path first = WalTestSupport.segmentFiles(dir).get(0);
        Rec victim = WalTestSupport.records(first).get(7);
        flipByte(first, victim.payloadEnd() - 1);
        WalCorruptionException e = refused();
        assertThat(e.file()).contains(first);
        assertThat(e.offset()).isEqualTo(victim.offset());
        assertThat(e.getMessage()).contains("sealed segment");
    }

    @Test
    void badSegmentHeaderIsRefused() throws IOException {
        flipByte(last, RecordFormat.HEADER_SIZE + 17); // inside the header's sequence number
        WalCorruptionException e = refused();
        assertThat(e.reason()).isEqualTo(Reason.BAD_SEGMENT_HEADER);
        assertThat(e.offset()).isZero();
    }

    @Test
    void undecodableRecordWithValidChecksumIsRefused() throws IOException {
        // Rewrite entry 42's payload as invalid protobuf and give it a correct checksum.
        Rec victim = batchX.get(1);
        byte[] b = pristine.clone();
        int p = (int) victim.offset();
        Arrays.fill(b, p + RecordFormat.HEADER_SIZE, p + RecordFormat.HEADER_SIZE + 4, (byte) 0xff);
        long seq = RecordFormat.parseSegmentName(last.getFileName().toString())[0];
        int crc = RecordFormat.checksum(new java.util.zip.CRC32C(), new byte[16], seq, p, b, p, victim.payloadLength());
        RecordFormat.putInt(b, p + 8, crc);
        Files.write(last, b);
        WalCorruptionException e = refused();
        assertThat(e.offset()).isEqualTo(victim.offset());
        assertThat(e.getMessage()).contains("undecodable");
    }

    @Test
    void missingMiddleSegmentIsRefused() throws IOException {
        try (Wal w = Wal.open(dir, WalSnapshot.ZERO, OPTS)) {
            w.readAll();
            for (long i = 45; i <= 120; i++) {
                w.save(hs(3, 1, i), List.of(entry(i, 3, 100)));
            }
            assertThat(w.segmentFiles()).hasSizeGreaterThan(3);
        }
        Files.delete(WalTestSupport.segmentFiles(dir).get(2));
        WalCorruptionException e = refused();
        assertThat(e.reason()).isEqualTo(Reason.MISSING_SEGMENT);
    }

    /** Opening fails, changes nothing on disk, and releases the directory lock. */
    private WalCorruptionException refused() throws IOException {
        List<Path> files = WalTestSupport.segmentFiles(dir);
        List<byte[]> before = new ArrayList<>();
        for (Path f : files) {
            before.add(Files.readAllBytes(f));
        }
        WalCorruptionException e = catchThrowableOfType(
                () -> Wal.open(dir, WalSnapshot.ZERO, OPTS), WalCorruptionException.class);
        assertThat(e).isNotNull();
        for (int i = 0; i < files.size(); i++) {
            assertThat(Files.readAllBytes(files.get(i))).as("unchanged " + files.get(i)).isEqualTo(before.get(i));
        }
        WalCorruptionException again = catchThrowableOfType(
                () -> Wal.open(dir, WalSnapshot.ZERO, OPTS), WalCorruptionException.class);
        assertThat(again).as("lock released after refusal").isNotNull();
        return e;
    }

    private void restore() throws IOException {
        Files.write(last, pristine);
    }
}
