package io.etcdjava.raft.wal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.HardState;
import io.etcdjava.raft.pb.SnapshotMetadata;
import io.etcdjava.raft.wal.SegmentFiles.Segment;
import io.etcdjava.raft.wal.WalCorruptionException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** Decodes records in order and rebuilds what {@link Wal#readAll()} returns. */
final class WalReader implements SegmentScanner.Visitor {
    private final WalSnapshot from;
    private final List<Entry> entries = new ArrayList<>();
    private ByteString metadata;
    private HardState hardState = HardState.getDefaultInstance();
    private boolean snapshotFound;
    private long lastIndex;
    private Path file;

    WalReader(WalSnapshot from) {
        this.from = from;
    }

    SegmentScanner.Outcome read(Segment s, boolean last) throws IOException {
        file = s.path();
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16) {
            throw new WalException("wal: segment " + file + " is too large (" + size + " bytes)");
        }
        byte[] data = Files.readAllBytes(file);
        return SegmentScanner.scan(file, data, data.length, s.seq(), s.firstIndex(), last, this);
    }

    @Override
    public void record(byte type, byte[] buf, int off, int len, long fileOffset) throws WalCorruptionException {
        try {
            switch (type) {
                case RecordFormat.TYPE_ENTRY -> entry(Entry.parser().parseFrom(buf, off, len), fileOffset);
                case RecordFormat.TYPE_HARD_STATE -> hardState = HardState.parser().parseFrom(buf, off, len);
                case RecordFormat.TYPE_METADATA -> {
                    ByteString m = ByteString.copyFrom(buf, off, len);
                    if (metadata != null && !metadata.equals(m)) {
                        throw new WalCorruptionException(Reason.METADATA_CONFLICT, file, fileOffset,
                                "metadata differs from the metadata of earlier segments");
                    }
                    metadata = m;
                }
                case RecordFormat.TYPE_SNAPSHOT -> marker(SnapshotMetadata.parser().parseFrom(buf, off, len), fileOffset);
                default -> throw new WalCorruptionException(Reason.BAD_RECORD, file, fileOffset,
                        "unexpected record type " + type);
            }
        } catch (InvalidProtocolBufferException e) {
            throw new WalCorruptionException(Reason.BAD_RECORD, file, fileOffset,
                    "undecodable record of type " + type + ": " + e.getMessage());
        }
    }

    private void entry(Entry e, long fileOffset) throws WalCorruptionException {
        long index = e.getIndex();
        if (Long.compareUnsigned(index, from.index()) > 0) {
            // Position in the result; a lower index than before means a new leader overwrote
            // an uncommitted suffix, which the later write supersedes.
            long pos = index - from.index() - 1;
            if (pos > entries.size()) {
                throw new WalCorruptionException(Reason.ENTRY_GAP, file, fileOffset, String.format(
                        "entry index %d leaves a gap: entries read so far end at %d",
                        index, from.index() + entries.size()));
            }
            entries.subList((int) pos, entries.size()).clear();
            entries.add(e);
        }
        lastIndex = index;
    }

    private void marker(SnapshotMetadata m, long fileOffset) throws WalCorruptionException {
        if (m.getIndex() == from.index()) {
            if (m.getTerm() != from.term()) {
                throw new WalCorruptionException(Reason.SNAPSHOT_MISMATCH, file, fileOffset, String.format(
                        "snapshot mismatch: marker at index %d has term %d, expected term %d",
                        m.getIndex(), m.getTerm(), from.term()));
            }
            snapshotFound = true;
        }
        lastIndex = Math.max(lastIndex, m.getIndex());
    }

    ReadResult finish(Path dir, TornTail torn) throws WalCorruptionException {
        if (!snapshotFound) {
            throw new WalCorruptionException(Reason.SNAPSHOT_NOT_FOUND, null, -1, String.format(
                    "snapshot not found: no marker for index %d, term %d in %s", from.index(), from.term(), dir));
        }
        if (metadata == null) {
            throw new WalCorruptionException(Reason.METADATA_CONFLICT, null, -1, "no metadata record in " + dir);
        }
        return new ReadResult(metadata, hardState, Collections.unmodifiableList(entries), Optional.ofNullable(torn));
    }

    /** Index of the last entry or snapshot marker read. */
    long lastIndex() {
        return lastIndex;
    }

    /**
     * The snapshot markers in {@code all} at or below the commit index of the last hard state;
     * see {@link Wal#validSnapshots}. Read-only: a torn tail is ignored, not repaired.
     */
    static List<WalSnapshot> validSnapshots(List<Segment> all) throws IOException {
        List<WalSnapshot> markers = new ArrayList<>();
        HardState[] last = {HardState.getDefaultInstance()};
        for (int i = 0; i < all.size(); i++) {
            Segment s = all.get(i);
            if (i > 0 && s.seq() != all.get(i - 1).seq() + 1) {
                throw new WalCorruptionException(Reason.MISSING_SEGMENT, s.path(), -1,
                        "segment sequence jumps from " + all.get(i - 1).seq() + " to " + s.seq());
            }
            byte[] data = Files.readAllBytes(s.path());
            SegmentScanner.scan(s.path(), data, data.length, s.seq(), s.firstIndex(), i == all.size() - 1,
                    (type, buf, off, len, fileOffset) -> {
                        try {
                            if (type == RecordFormat.TYPE_SNAPSHOT) {
                                SnapshotMetadata m = SnapshotMetadata.parser().parseFrom(buf, off, len);
                                markers.add(new WalSnapshot(m.getIndex(), m.getTerm()));
                            } else if (type == RecordFormat.TYPE_HARD_STATE) {
                                last[0] = HardState.parser().parseFrom(buf, off, len);
                            }
                        } catch (InvalidProtocolBufferException e) {
                            throw new WalCorruptionException(Reason.BAD_RECORD, s.path(), fileOffset,
                                    "undecodable record of type " + type + ": " + e.getMessage());
                        }
                    });
        }
        long commit = last[0].getCommit();
        markers.removeIf(m -> m.index() > commit);
        return markers;
    }
}
