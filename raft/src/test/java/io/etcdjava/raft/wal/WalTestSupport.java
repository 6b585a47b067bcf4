package io.etcdjava.raft.wal;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.HardState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builders and a record-level view of segments for the WAL tests. */
final class WalTestSupport {
    static final ByteString META = ByteString.copyFromUtf8("member=1,cluster=42");
    static final long SMALL_SEGMENT = 64 * 1024;

    /** Strong references: JUL forgets the level of a logger nobody holds. */
    private static final java.util.logging.Logger[] QUIET = {
        java.util.logging.Logger.getLogger("io.etcdjava.raft.wal"),
        java.util.logging.Logger.getLogger("io.etcdjava.raft.snap"),
    };

    private WalTestSupport() {
    }

    /** Silences the WARNINGs (torn tails cut, broken snapshots renamed) that tests provoke on purpose. */
    static void quietLogs() {
        for (java.util.logging.Logger l : QUIET) {
            l.setLevel(java.util.logging.Level.SEVERE);
        }
    }

    static WalOptions small() {
        return WalOptions.builder().segmentSize(SMALL_SEGMENT).build();
    }

    static Entry entry(long index, long term, int dataSize) {
        byte[] data = new byte[dataSize];
        for (int i = 0; i < dataSize; i++) {
            data[i] = (byte) (index * 31 + i);
        }
        return Entry.newBuilder().setIndex(index).setTerm(term).setData(ByteString.copyFrom(data)).build();
    }

    static List<Entry> entries(long from, long to, long term, int dataSize) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(entry(i, term, dataSize));
        }
        return out;
    }

    static HardState hs(long term, long vote, long commit) {
        return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(commit).build();
    }

    /** A record as found on disk. */
    record Rec(long offset, byte type, int payloadLength) {
        long payloadEnd() {
            return offset + RecordFormat.HEADER_SIZE + payloadLength;
        }
    }

    /** The records of a segment after its header record, in order. */
    static List<Rec> records(Path segment) throws IOException {
        long[] name = RecordFormat.parseSegmentName(segment.getFileName().toString());
        byte[] data = Files.readAllBytes(segment);
        List<Rec> out = new ArrayList<>();
        SegmentScanner.Outcome o = SegmentScanner.scan(segment, data, data.length, name[0], name[1], false,
                (type, buf, off, len, fileOffset) -> out.add(new Rec(fileOffset, type, len)));
        if (o.tornTail() != null) {
            throw new AssertionError("unexpected torn tail in " + segment);
        }
        return out;
    }

    static Path lastSegment(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".wal")).sorted().reduce((a, b) -> b)
                    .orElseThrow();
        }
    }

    static List<Path> segmentFiles(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".wal")).sorted().toList();
        }
    }

    static void flipByte(Path file, long offset) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[(int) offset] ^= 0x5a;
        Files.write(file, b);
    }
}
