package io.etcdjava.raft.wal;

import static io.etcdjava.raft.wal.RecordFormat.FLAG_GROUP_START;
import static io.etcdjava.raft.wal.RecordFormat.HEADER_SIZE;
import static io.etcdjava.raft.wal.RecordFormat.MAX_PAYLOAD;
import static io.etcdjava.raft.wal.RecordFormat.MAX_TYPE;
import static io.etcdjava.raft.wal.RecordFormat.TYPE_SEGMENT_HEADER;

import io.etcdjava.raft.wal.WalCorruptionException.Reason;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Walks the records of one segment held in memory, validating each, and decides what a bad
 * record means: corruption (refuse to start) or a torn tail (cut it off).
 *
 * <p>The torn-tail rule: records are written in "sync groups" (everything written between two
 * fsyncs), and the first record of each group carries {@link RecordFormat#FLAG_GROUP_START}.
 * Only the last group can be incomplete after a crash, because the next group is written only
 * once the previous fsync returned. Within that group the disk may have persisted any subset of
 * pages, so intact records may follow the damaged one. Hence a bad record is a torn tail iff it
 * is in the last segment and no intact record that starts a later group follows it. Anything
 * else destroyed data that had already been reported durable, and we refuse to start.
 */
final class SegmentScanner {

    /** Receives each valid record after the segment header. */
    interface Visitor {
        void record(byte type, byte[] buf, int payloadOffset, int payloadLength, long fileOffset)
                throws WalCorruptionException;
    }

    /**
     * @param end where valid data ends: appends resume here
     * @param tornTail what was found past {@code end}, if it had to be cut off
     */
    record Outcome(long end, TornTail tornTail) {
    }

    private final Path file;
    private final byte[] data;
    private final int length;
    private final long seq;
    private final CRC32C crc = new CRC32C();
    private final byte[] scratch = new byte[16];

    private SegmentScanner(Path file, byte[] data, int length, long seq) {
        this.file = file;
        this.data = data;
        this.length = length;
        this.seq = seq;
    }

    /**
     * Scans a segment.
     *
     * @param last whether this is the newest segment, the only one that may have a torn tail
     */
    static Outcome scan(Path file, byte[] data, int length, long seq, long firstIndex, boolean last,
                        Visitor visitor) throws WalCorruptionException {
        return new SegmentScanner(file, data, length, seq).run(firstIndex, last, visitor);
    }

    private Outcome run(long firstIndex, boolean last, Visitor visitor) throws WalCorruptionException {
        int pos = checkSegmentHeader(firstIndex);
        while (pos < length) {
            String problem;
            int headerEnd = Math.min(pos + HEADER_SIZE, length);
            if (RecordFormat.allZero(data, pos, headerEnd)) {
                // Preallocated space: the normal end of data, unless something non-zero follows.
                if (RecordFormat.allZero(data, headerEnd, length)) {
                    return new Outcome(pos, null);
                }
                problem = "zero-filled record header followed by non-zero bytes";
            } else if (pos + HEADER_SIZE > length) {
                problem = "incomplete record header at end of file";
            } else {
                problem = validate(pos);
            }
            if (problem != null) {
                return badRecord(pos, problem, last);
            }
            int payloadLength = RecordFormat.getInt(data, pos);
            byte type = data[pos + 4];
            if (type == TYPE_SEGMENT_HEADER) {
                throw new WalCorruptionException(Reason.BAD_RECORD, file, pos,
                        "segment header record in the middle of a segment");
            }
            visitor.record(type, data, pos + HEADER_SIZE, payloadLength, pos);
            // A file may end inside the last record's padding; the record is still whole.
            pos += RecordFormat.recordSize(payloadLength);
        }
        return new Outcome(pos, null);
    }

    /** Returns the offset after the header record, or throws if the header is not right. */
    private int checkSegmentHeader(long firstIndex) throws WalCorruptionException {
        // The header is fsynced before the segment gets its final name, so it is never torn.
        String problem = length < HEADER_SIZE ? "file too short for a segment header" : validate(0);
        if (problem == null) {
            int payloadLength = RecordFormat.getInt(data, 0);
            int p = HEADER_SIZE;
            if (data[4] != TYPE_SEGMENT_HEADER || payloadLength != RecordFormat.SEGMENT_HEADER_PAYLOAD) {
                problem = "first record is not a segment header";
            } else if (!Arrays.equals(data, p, p + 8, RecordFormat.SEGMENT_MAGIC, 0, 8)) {
                problem = "bad segment magic";
            } else if (RecordFormat.getInt(data, p + 8) != RecordFormat.FORMAT_VERSION) {
                problem = "unsupported format version " + RecordFormat.getInt(data, p + 8);
            } else if (RecordFormat.getLong(data, p + 16) != seq
                    || RecordFormat.getLong(data, p + 24) != firstIndex) {
                problem = String.format("header says sequence %d, first index %d but the file name says %d, %d",
                        RecordFormat.getLong(data, p + 16), RecordFormat.getLong(data, p + 24), seq, firstIndex);
            }
        }
        if (problem != null) {
            throw new WalCorruptionException(Reason.BAD_SEGMENT_HEADER, file, 0, "bad segment header: " + problem);
        }
        return RecordFormat.recordSize(RecordFormat.SEGMENT_HEADER_PAYLOAD);
    }

    /** Null if a whole, valid record starts at {@code pos}; otherwise what is wrong with it. */
    private String validate(int pos) {
        int payloadLength = RecordFormat.getInt(data, pos);
        int type = data[pos + 4];
        int flags = data[pos + 5];
        if (type < TYPE_SEGMENT_HEADER || type > MAX_TYPE) {
            return "unknown record type " + type;
        }
        if ((flags & ~FLAG_GROUP_START) != 0 || data[pos + 6] != 0 || data[pos + 7] != 0) {
            return "unknown header flags";
        }
        if (payloadLength < 0 || payloadLength > MAX_PAYLOAD) {
            return "implausible record length " + Integer.toUnsignedString(payloadLength);
        }
        if (payloadLength > length - pos - HEADER_SIZE) {
            return "record length " + payloadLength + " runs past the end of the file ("
                    + (length - pos - HEADER_SIZE) + " bytes left)";
        }
        int stored = RecordFormat.getInt(data, pos + 8);
        int actual = RecordFormat.checksum(crc, scratch, seq, pos, data, pos, payloadLength);
        if (stored != actual) {
            return String.format("CRC32C mismatch (stored %08x, computed %08x)", stored, actual);
        }
        return null;
    }

    private Outcome badRecord(int pos, String problem, boolean last) throws WalCorruptionException {
        if (!last) {
            throw new WalCorruptionException(Reason.BAD_RECORD, file, pos,
                    "corrupt record in a sealed segment: " + problem);
        }
        int later = findLaterGroupStart(pos);
        if (later >= 0) {
            throw new WalCorruptionException(Reason.BAD_RECORD, file, pos, "corrupt record before the tail: "
                    + problem + "; intact data written after a later fsync starts at offset " + later);
        }
        int lastNonZero = length - 1;
        while (lastNonZero >= pos && data[lastNonZero] == 0) {
            lastNonZero--;
        }
        return new Outcome(pos, new TornTail(file, pos, lastNonZero + 1 - pos, problem));
    }

    /** Offset of an intact group-starting record after {@code pos}, or -1. */
    private int findLaterGroupStart(int pos) {
        for (int p = pos + RecordFormat.ALIGN; p + HEADER_SIZE <= length; p += RecordFormat.ALIGN) {
            if ((data[p + 5] & FLAG_GROUP_START) != 0 && validate(p) == null) {
                return p;
            }
        }
        return -1;
    }
}
