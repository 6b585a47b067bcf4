package io.etcdjava.raft.wal;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The WAL cannot be trusted, so {@link Wal#open} refuses to start. The message always names
 * the file and byte offset when there is one, so an operator can inspect or restore it.
 */
public final class WalCorruptionException extends WalException {
    private static final long serialVersionUID = 1L;

    /** Why the WAL was refused. */
    public enum Reason {
        /** A record before the tail failed its length, type or CRC check, or did not decode. */
        BAD_RECORD,
        /** A segment does not start with a valid header matching its file name. */
        BAD_SEGMENT_HEADER,
        /** Segment sequence numbers have a hole, or a segment file is missing. */
        MISSING_SEGMENT,
        /** An entry's index leaves a hole after the entries read so far. */
        ENTRY_GAP,
        /** Two segments carry different metadata, or a segment carries none. */
        METADATA_CONFLICT,
        /** The snapshot marker to open from is not in the WAL ("wal: snapshot not found"). */
        SNAPSHOT_NOT_FOUND,
        /** A marker at the requested index has a different term ("wal: snapshot mismatch"). */
        SNAPSHOT_MISMATCH
    }

    private final Reason reason;
    private final transient Path file;
    private final long offset;

    public WalCorruptionException(Reason reason, Path file, long offset, String detail) {
        super(format(reason, file, offset, detail));
        this.reason = reason;
        this.file = file;
        this.offset = offset;
    }

    private static String format(Reason reason, Path file, long offset, String detail) {
        StringBuilder sb = new StringBuilder("wal: ").append(detail);
        if (file != null) {
            sb.append(" (file ").append(file);
            if (offset >= 0) {
                sb.append(", offset ").append(offset);
            }
            sb.append(')');
        }
        return sb.append(" [").append(reason).append(']').toString();
    }

    public Reason reason() {
        return reason;
    }

    /** The offending segment file, if the problem is in one. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** Byte offset in {@link #file()} of the offending record, or -1 when not applicable. */
    public long offset() {
        return offset;
    }
}
