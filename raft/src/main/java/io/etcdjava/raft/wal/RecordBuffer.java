package io.etcdjava.raft.wal;

import static io.etcdjava.raft.wal.RecordFormat.HEADER_SIZE;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.etcdjava.raft.pb.HardState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Encodes a batch of records into one reusable buffer, written to the tail segment with one
 * positional write. Each record's checksum is bound to its segment and file offset, so the
 * caller passes the segment's sequence and the file position the batch will be written at.
 */
final class RecordBuffer {
    private static final int INITIAL_BUFFER = 64 * 1024;
    /** A buffer grown past this by a huge batch is dropped afterwards, not kept forever. */
    private static final int RETAINED_BUFFER_LIMIT = 8 * 1024 * 1024;

    private byte[] buf = new byte[INITIAL_BUFFER];
    private ByteBuffer bufView = ByteBuffer.wrap(buf);
    private int bufLen;
    private boolean groupStart = true;
    private final CRC32C crc = new CRC32C();
    private final byte[] crcScratch = new byte[16];

    boolean isEmpty() {
        return bufLen == 0;
    }

    /** Drops whatever is buffered (after a failed write nothing more is written). */
    void clear() {
        bufLen = 0;
    }

    /** The next record starts a new sync group: everything before it is fsynced. */
    void startGroup() {
        groupStart = true;
    }

    /** Header, metadata and current hard state: what makes a segment readable on its own. */
    void appendSegmentPrelude(long seq, long writePos, long firstIndex, ByteString metadata, HardState state) {
        int start = reserve(RecordFormat.SEGMENT_HEADER_PAYLOAD);
        int p = start + HEADER_SIZE;
        System.arraycopy(RecordFormat.SEGMENT_MAGIC, 0, buf, p, 8);
        RecordFormat.putInt(buf, p + 8, RecordFormat.FORMAT_VERSION);
        RecordFormat.putInt(buf, p + 12, 0);
        RecordFormat.putLong(buf, p + 16, seq);
        RecordFormat.putLong(buf, p + 24, firstIndex);
        finishRecord(seq, writePos, start, RecordFormat.TYPE_SEGMENT_HEADER, RecordFormat.SEGMENT_HEADER_PAYLOAD);

        start = reserve(metadata.size());
        metadata.copyTo(buf, start + HEADER_SIZE);
        finishRecord(seq, writePos, start, RecordFormat.TYPE_METADATA, metadata.size());

        if (!Wal.isEmpty(state)) {
            appendMessage(seq, writePos, RecordFormat.TYPE_HARD_STATE, state);
        }
    }

    void appendMessage(long seq, long writePos, byte type, MessageLite m) {
        int size = m.getSerializedSize();
        int start = reserve(size);
        CodedOutputStream out = CodedOutputStream.newInstance(buf, start + HEADER_SIZE, size);
        try {
            m.writeTo(out);
        } catch (IOException e) {
            throw new IllegalStateException("encoding into an exactly sized array failed", e);
        }
        out.checkNoSpaceLeft();
        finishRecord(seq, writePos, start, type, size);
    }

    /** Makes room for a record with this payload length; returns where the record starts. */
    private int reserve(int payloadLength) {
        if (payloadLength > RecordFormat.MAX_PAYLOAD) {
            throw new IllegalArgumentException("wal: record of " + payloadLength + " bytes exceeds the limit of "
                    + RecordFormat.MAX_PAYLOAD);
        }
        int need = bufLen + RecordFormat.recordSize(payloadLength);
        if (need > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(need, (int) Math.min(Integer.MAX_VALUE - 16, 2L * buf.length)));
            bufView = ByteBuffer.wrap(buf);
        }
        return bufLen;
    }

    /** Fills in the header (checksum bound to this segment and file offset) and the padding. */
    private void finishRecord(long seq, long writePos, int start, byte type, int payloadLength) {
        RecordFormat.putInt(buf, start, payloadLength);
        buf[start + 4] = type;
        buf[start + 5] = groupStart ? RecordFormat.FLAG_GROUP_START : 0;
        buf[start + 6] = 0;
        buf[start + 7] = 0;
        int crcValue = RecordFormat.checksum(crc, crcScratch, seq, writePos + start, buf, start, payloadLength);
        RecordFormat.putInt(buf, start + 8, crcValue);
        int end = start + RecordFormat.recordSize(payloadLength);
        Arrays.fill(buf, start + HEADER_SIZE + payloadLength, end, (byte) 0);
        bufLen = end;
        groupStart = false;
    }

    /**
     * Writes the buffered records to {@code ch} at {@code pos} and empties the buffer.
     *
     * @return the file position after the written records
     */
    long writeTo(FileChannel ch, long pos) throws IOException {
        ByteBuffer b = bufView;
        b.clear().limit(bufLen);
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
        bufLen = 0;
        if (buf.length > RETAINED_BUFFER_LIMIT) {
            buf = new byte[INITIAL_BUFFER];
            bufView = ByteBuffer.wrap(buf);
        }
        return pos;
    }
}
