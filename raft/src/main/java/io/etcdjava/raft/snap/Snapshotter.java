package io.etcdjava.raft.snap;

import io.etcdjava.raft.pb.Snapshot;
import io.etcdjava.raft.pb.SnapshotMetadata;
import io.etcdjava.raft.wal.WalSnapshot;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Raft snapshot files in one directory, one per snapshot, named {@code %016x-%016x.snap} from
 * the snapshot's term and index.
 *
 * <p>File layout (little-endian): magic {@code ejsnap01} (8 bytes), u32 CRC32C of the payload,
 * u32 reserved (0), u64 payload length, payload (a protobuf raftpb Snapshot). The exact length
 * check catches truncation; the checksum catches the rest.
 *
 * <p>Files are written to a {@code .tmp} name, fsynced, renamed and the directory fsynced, so
 * a crash leaves either the complete file or none. Loading skips invalid files, renaming them
 * to {@code .broken} (as etcd does) so they are kept for inspection but never tried again.
 *
 * <p>Not thread-safe; owned by the raft driver like the WAL.
 */
public final class Snapshotter {
    private static final System.Logger LOG = System.getLogger(Snapshotter.class.getName());

    static final String SUFFIX = ".snap";
    static final String TMP_SUFFIX = ".tmp";
    static final String BROKEN_SUFFIX = ".broken";
    static final byte[] MAGIC = "ejsnap01".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_SIZE = 24;

    private static final Pattern NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.snap");
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Newest first: by index, then term (in a consistent log both grow together). */
    private static final Comparator<SnapshotFile> NEWEST_FIRST =
            Comparator.comparingLong(SnapshotFile::index).thenComparingLong(SnapshotFile::term).reversed();

    private final Path dir;

    /** Uses {@code dir} (created if missing) and removes temp files left by an interrupted save. */
    public Snapshotter(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX + TMP_SUFFIX)) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
            }
        }
    }

    public Path dir() {
        return dir;
    }

    public static String fileName(long term, long index) {
        return String.format("%016x-%016x%s", term, index, SUFFIX);
    }

    /**
     * Durably writes {@code snap} as {@code <term>-<index>.snap}, replacing a file of the same
     * name. An empty snapshot (index 0) is ignored, as etcd does.
     *
     * @return the file written, or empty for an empty snapshot
     */
    public Optional<Path> save(Snapshot snap) throws IOException {
        SnapshotMetadata md = snap.getMetadata();
        if (md.getIndex() == 0) {
            return Optional.empty();
        }
        byte[] payload = snap.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(payload);
        byte[] header = new byte[HEADER_SIZE];
        System.arraycopy(MAGIC, 0, header, 0, MAGIC.length);
        INT_LE.set(header, 8, (int) crc.getValue());
        LONG_LE.set(header, 16, (long) payload.length);

        Path target = dir.resolve(fileName(md.getTerm(), md.getIndex()));
        Path tmp = dir.resolve(target.getFileName() + TMP_SUFFIX);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer[] bufs = {ByteBuffer.wrap(header), ByteBuffer.wrap(payload)};
                long total = HEADER_SIZE + (long) payload.length;
                long written = 0;
                while (written < total) {
                    written += ch.write(bufs);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        fsyncDir(dir);
        return Optional.of(target);
    }

    /** The newest valid snapshot; invalid newer files are renamed to {@code .broken} and skipped. */
    public Optional<Snapshot> loadNewest() throws IOException {
        return loadMatching(s -> true);
    }

    /**
     * The newest valid snapshot that the WAL also has a marker for, so the WAL can be opened
     * from it (a snapshot saved just before a crash may lack its WAL marker).
     */
    public Optional<Snapshot> loadNewestAvailable(Collection<WalSnapshot> walSnapshots) throws IOException {
        return loadMatching(s -> walSnapshots.contains(
                new WalSnapshot(s.getMetadata().getIndex(), s.getMetadata().getTerm())));
    }

    private Optional<Snapshot> loadMatching(Predicate<Snapshot> accept) throws IOException {
        for (SnapshotFile f : list()) {
            Snapshot s;
            try {
                s = read(f.path());
                SnapshotMetadata md = s.getMetadata();
                if (md.getTerm() != f.term() || md.getIndex() != f.index()) {
                    throw new SnapshotCorruptionException(f.path(), "content is for term " + md.getTerm()
                            + ", index " + md.getIndex() + ", which does not match the file name");
                }
            } catch (SnapshotCorruptionException e) {
                quarantine(f.path(), e);
                continue;
            }
            if (accept.test(s)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    private static void quarantine(Path file, SnapshotCorruptionException why) {
        Path broken = file.resolveSibling(file.getFileName() + BROKEN_SUFFIX);
        try {
            Files.move(file, broken, StandardCopyOption.REPLACE_EXISTING);
            LOG.log(System.Logger.Level.WARNING, why.getMessage() + "; renamed to " + broken.getFileName());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, why.getMessage() + "; could not rename it to "
                    + broken.getFileName() + ": " + e);
        }
    }

    /** Snapshot files by name, newest first, without reading them. */
    public List<SnapshotFile> list() throws IOException {
        List<SnapshotFile> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches()) {
                    out.add(new SnapshotFile(p, Long.parseUnsignedLong(m.group(1), 16),
                            Long.parseUnsignedLong(m.group(2), 16)));
                } else {
                    LOG.log(System.Logger.Level.WARNING, "snap: skipping file with unexpected name " + p);
                }
            }
        }
        out.sort(NEWEST_FIRST);
        return out;
    }

    /**
     * Deletes all but the newest {@code keep} snapshot files.
     *
     * @return how many files were deleted
     */
    public int purgeOlderThan(int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be at least 1, got " + keep);
        }
        List<SnapshotFile> files = list();
        int deleted = 0;
        for (SnapshotFile f : files.subList(Math.min(keep, files.size()), files.size())) {
            if (Files.deleteIfExists(f.path())) {
                deleted++;
            }
        }
        if (deleted > 0) {
            fsyncDir(dir);
        }
        return deleted;
    }

    /** Reads and fully validates one snapshot file. */
    public static Snapshot read(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        if (b.length < HEADER_SIZE) {
            throw new SnapshotCorruptionException(file, b.length == 0 ? "empty file"
                    : "truncated: " + b.length + " bytes is shorter than the header");
        }
        if (!Arrays.equals(b, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new SnapshotCorruptionException(file, "not a snapshot file (bad magic)");
        }
        long length = (long) LONG_LE.get(b, 16);
        if (length != b.length - HEADER_SIZE) {
            throw new SnapshotCorruptionException(file, "truncated or overlong: header says " + length
                    + " payload bytes, file has " + (b.length - HEADER_SIZE));
        }
        CRC32C crc = new CRC32C();
        crc.update(b, HEADER_SIZE, b.length - HEADER_SIZE);
        int stored = (int) INT_LE.get(b, 8);
        if (stored != (int) crc.getValue()) {
            throw new SnapshotCorruptionException(file, String.format(
                    "CRC32C mismatch (stored %08x, computed %08x)", stored, (int) crc.getValue()));
        }
        Snapshot s;
        try {
            s = Snapshot.parser().parseFrom(b, HEADER_SIZE, b.length - HEADER_SIZE);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new SnapshotCorruptionException(file, "undecodable snapshot: " + e.getMessage());
        }
        if (s.getMetadata().getIndex() == 0) {
            throw new SnapshotCorruptionException(file, "snapshot has index 0");
        }
        return s;
    }

    private static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
