package io.etcdjava.raft.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The segment files of a WAL directory: listing, choosing where to read from, directory fsync. */
final class SegmentFiles {
    // Logs under Wal's name: these lines belonged to Wal before it was split.
    private static final System.Logger LOG = System.getLogger(Wal.class.getName());

    /** One segment file, as named on disk. */
    record Segment(long seq, long firstIndex, Path path) {
    }

    private SegmentFiles() {
    }

    /** The segment files in {@code dir}, in sequence order; misnamed files are logged and skipped. */
    static List<Segment> list(Path dir) throws IOException {
        List<Segment> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + RecordFormat.SEGMENT_SUFFIX)) {
            for (Path p : ds) {
                long[] parsed = RecordFormat.parseSegmentName(p.getFileName().toString());
                if (parsed != null) {
                    out.add(new Segment(parsed[0], parsed[1], p));
                } else {
                    LOG.log(System.Logger.Level.WARNING, "wal: ignoring file with unexpected name " + p);
                }
            }
        }
        out.sort(Comparator.comparingLong(Segment::seq));
        return out;
    }

    /** The newest segment whose first index is at or below {@code index}: reading starts there. */
    static int startSegment(List<Segment> segments, long index) {
        for (int i = segments.size() - 1; i >= 0; i--) {
            if (segments.get(i).firstIndex() <= index) {
                return i;
            }
        }
        return -1;
    }

    /** Leftovers of preallocation or of a create/rollover interrupted by a crash. */
    static void deleteTempFiles(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + Preallocator.TMP_SUFFIX)) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Makes creations, renames and deletions in {@code dir} durable. */
    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
