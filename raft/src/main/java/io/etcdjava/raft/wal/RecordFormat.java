package io.etcdjava.raft.wal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The on-disk framing of WAL records. See {@code package-info.java} for the layout; this class
 * holds the constants and the byte-level helpers shared by the writer and the scanner.
 */
final class RecordFormat {
    static final int HEADER_SIZE = 12;
    /** Records start at multiples of 8, so the tail scan only probes every 8th offset. */
    static final int ALIGN = 8;

    // Type 0 is never used, so a zero-filled (preallocated) header can never look like a record.
    static final byte TYPE_SEGMENT_HEADER = 1;
    static final byte TYPE_METADATA = 2;
    static final byte TYPE_ENTRY = 3;
    static final byte TYPE_HARD_STATE = 4;
    static final byte TYPE_SNAPSHOT = 5;
    static final byte MAX_TYPE = TYPE_SNAPSHOT;

    /** Set on the first record written after an fsync: marks the start of a "sync group". */
    static final byte FLAG_GROUP_START = 1;

    /** Refuse absurd lengths outright; a single raft entry is never anywhere near this. */
    static final int MAX_PAYLOAD = 256 * 1024 * 1024;

    static final byte[] SEGMENT_MAGIC = "ejwalseg".getBytes(StandardCharsets.US_ASCII);
    static final int FORMAT_VERSION = 1;
    /** magic(8) version(4) reserved(4) seq(8) firstIndex(8). */
    static final int SEGMENT_HEADER_PAYLOAD = 32;

    static final String SEGMENT_SUFFIX = ".wal";
    private static final Pattern SEGMENT_NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.wal");

    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private RecordFormat() {
    }

    /** Bytes a record with this payload occupies, header and padding included. */
    static int recordSize(int payloadLength) {
        return (HEADER_SIZE + payloadLength + ALIGN - 1) & -ALIGN;
    }

    /**
     * The record checksum. It also covers the segment sequence and the record's file offset, so
     * a record is only valid where it was written: stale bytes, a copied segment, or a WAL record
     * that happens to sit inside an entry's payload cannot pass for a real record elsewhere.
     */
    static int checksum(CRC32C crc, byte[] scratch16, long seq, long offset,
                        byte[] buf, int recordStart, int payloadLength) {
        crc.reset();
        putLong(scratch16, 0, seq);
        putLong(scratch16, 8, offset);
        crc.update(scratch16, 0, 16);
        crc.update(buf, recordStart, 8); // length, type, flags, reserved
        crc.update(buf, recordStart + HEADER_SIZE, payloadLength);
        return (int) crc.getValue();
    }

    static String segmentName(long seq, long firstIndex) {
        return String.format("%016x-%016x%s", seq, firstIndex, SEGMENT_SUFFIX);
    }

    /** {seq, firstIndex}, or null if the name is not a segment name. */
    static long[] parseSegmentName(String name) {
        Matcher m = SEGMENT_NAME.matcher(name);
        if (!m.matches()) {
            return null;
        }
        return new long[] {Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16)};
    }

    static int getInt(byte[] b, int off) {
        return (int) INT_LE.get(b, off);
    }

    static void putInt(byte[] b, int off, int v) {
        INT_LE.set(b, off, v);
    }

    static long getLong(byte[] b, int off) {
        return (long) LONG_LE.get(b, off);
    }

    static void putLong(byte[] b, int off, long v) {
        LONG_LE.set(b, off, v);
    }

    static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
