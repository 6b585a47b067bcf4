package io.etcdjava.raft.wal;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.etcdjava.raft.failpoint.Failpoints;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.HardState;
import io.etcdjava.raft.pb.SnapshotMetadata;
import io.etcdjava.raft.wal.SegmentFiles.Segment;
import io.etcdjava.raft.wal.WalCorruptionException.Reason;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Raft's write-ahead log: hard states, entries and snapshot markers in segmented, preallocated,
 * append-only files (format in {@code package-info.java}).
 *
 * <p>Not thread-safe: a Wal belongs to one thread, the raft loop that persists each Ready. The
 * only other thread is an internal one that preallocates the next segment.
 *
 * <p>After any I/O failure on the write path the Wal refuses further use: after a failed write
 * or fsync nobody knows what reached the disk, so the server must restart and re-read it.
 */
public final class Wal implements Closeable {
    private static final System.Logger LOG = System.getLogger(Wal.class.getName());

    private final Path dir;
    private final WalOptions options;
    private final DirLock lock;
    private final ByteString metadata;
    private final Preallocator preallocator;
    private final List<Segment> segments; // oldest first; the last one is the tail

    private FileChannel tail;
    private long tailSeq;
    private long writePos;     // end of data in the tail segment
    private boolean dirty;     // written but not yet fsynced
    private HardState state;   // last hard state written
    private long lastIndex;    // index of the last entry (or snapshot marker) written
    private ReadResult pendingRead;
    private IOException failure;
    private boolean closed;

    // Batch encoding: one reusable buffer, one positional write per batch.
    private final RecordBuffer records = new RecordBuffer();

    private Wal(Path dir, WalOptions options, DirLock lock, ByteString metadata, List<Segment> segments) {
        this.dir = dir;
        this.options = options;
        this.lock = lock;
        this.metadata = metadata;
        this.segments = segments;
        this.preallocator = new Preallocator(dir, options.segmentSize(), options.preallocateInBackground());
    }

    // ---------------------------------------------------------------- create / open

    /** Whether {@code dir} holds a WAL (at least one segment file). */
    public static boolean exists(Path dir) throws IOException {
        return Files.isDirectory(dir) && !SegmentFiles.list(dir).isEmpty();
    }

    public static Wal create(Path dir, ByteString metadata) throws IOException {
        return create(dir, metadata, WalOptions.defaults());
    }

    /**
     * Creates a new WAL in {@code dir} (created if missing), holding {@code metadata} and the
     * zero snapshot marker. Fails if the directory already holds a WAL.
     */
    public static Wal create(Path dir, ByteString metadata, WalOptions options) throws IOException {
        Objects.requireNonNull(metadata, "metadata");
        Files.createDirectories(dir);
        DirLock lock = DirLock.acquire(dir);
        try {
            if (!SegmentFiles.list(dir).isEmpty()) {
                throw new WalException("wal: " + dir + " already contains a WAL; open it instead");
            }
            SegmentFiles.deleteTempFiles(dir);
            Wal w = new Wal(dir, options, lock, metadata, new ArrayList<>());
            try {
                w.writeFirstSegment();
                w.pendingRead = new ReadResult(metadata, HardState.getDefaultInstance(), List.of(), Optional.empty());
                w.preallocator.prepareNext();
                return w;
            } catch (IOException | RuntimeException e) {
                w.closeQuietly(e);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            closeLockQuietly(lock, e);
            throw e;
        }
    }

    public static Wal open(Path dir, WalSnapshot from) throws IOException {
        return open(dir, from, WalOptions.defaults());
    }

    /**
     * Opens the WAL in {@code dir} for appending and reads it from the snapshot marker
     * {@code from} (use {@link WalSnapshot#ZERO} before any snapshot exists); the result is
     * returned by {@link #readAll()}. A torn final write is cut off and reported there.
     *
     * @throws WalCorruptionException if a record before the tail is damaged, segments are missing,
     *     or the WAL has no marker for {@code from}; nothing on disk is changed in that case
     * @throws WalLockedException if another process or Wal holds the directory
     */
    public static Wal open(Path dir, WalSnapshot from, WalOptions options) throws IOException {
        Objects.requireNonNull(from, "from");
        if (!Files.isDirectory(dir)) {
            throw new WalException("wal: directory " + dir + " does not exist");
        }
        DirLock lock = DirLock.acquire(dir);
        try {
            SegmentFiles.deleteTempFiles(dir);
            List<Segment> all = SegmentFiles.list(dir);
            if (all.isEmpty()) {
                throw new WalException("wal: no WAL segment files in " + dir);
            }
            int start = SegmentFiles.startSegment(all, from.index());
            if (start < 0) {
                throw new WalCorruptionException(Reason.SNAPSHOT_NOT_FOUND, null, -1, String.format(
                        "snapshot not found: marker (index %d, term %d) is older than the oldest segment %s in %s",
                        from.index(), from.term(), all.get(0).path().getFileName(), dir));
            }
            for (int i = start + 1; i < all.size(); i++) {
                if (all.get(i).seq() != all.get(i - 1).seq() + 1) {
                    throw new WalCorruptionException(Reason.MISSING_SEGMENT, all.get(i).path(), -1,
                            "segment sequence jumps from " + all.get(i - 1).seq() + " to " + all.get(i).seq());
                }
            }
            WalReader reader = new WalReader(from);
            SegmentScanner.Outcome outcome = null;
            for (int i = start; i < all.size(); i++) {
                outcome = reader.read(all.get(i), i == all.size() - 1);
            }
            ReadResult result = reader.finish(dir, outcome.tornTail());

            // Validation passed: only now touch the files.
            Wal w = new Wal(dir, options, lock, result.metadata(), new ArrayList<>(all));
            try {
                w.openTail(outcome);
                w.state = result.hardState();
                w.lastIndex = reader.lastIndex();
                w.pendingRead = result;
                w.preallocator.prepareNext();
            } catch (IOException | RuntimeException e) {
                w.closeQuietly(e);
                throw e;
            }
            if (outcome.tornTail() != null) {
                LOG.log(System.Logger.Level.WARNING, "wal: " + outcome.tornTail().describe());
            }
            return w;
        } catch (IOException | RuntimeException e) {
            closeLockQuietly(lock, e);
            throw e;
        }
    }

    /**
     * The snapshot markers in the WAL at {@code dir} that are safe to restart from, oldest first:
     * those at or below the commit index of the last hard state (like etcd's
     * ValidSnapshotEntries). Pass them to {@code Snapshotter.loadNewestAvailable} to pick a
     * snapshot this WAL can be opened from. Read-only: a torn tail is ignored, not repaired.
     *
     * @throws WalCorruptionException on corruption before the tail or missing segments
     */
    public static List<WalSnapshot> validSnapshots(Path dir) throws IOException {
        List<Segment> all = SegmentFiles.list(dir);
        if (all.isEmpty()) {
            throw new WalException("wal: no WAL segment files in " + dir);
        }
        return WalReader.validSnapshots(all);
    }

    /** Opens the newest segment for appending at the end of its valid data. */
    private void openTail(SegmentScanner.Outcome outcome) throws IOException {
        Segment last = segments.get(segments.size() - 1);
        tail = FileChannel.open(last.path(), StandardOpenOption.READ, StandardOpenOption.WRITE);
        tailSeq = last.seq();
        writePos = outcome.end();
        long size = tail.size();
        boolean changed = false;
        if (outcome.tornTail() != null) {
            // Drop the torn bytes: a later append that covers only part of them must not leave
            // stale fragments that could be mistaken for records after it.
            tail.truncate(writePos);
            size = writePos;
            changed = true;
        }
        if (size < options.segmentSize()) {
            Preallocator.zeroFill(tail, size, options.segmentSize());
            changed = true;
        }
        if (changed) {
            force(true);
        }
    }

    private void writeFirstSegment() throws IOException {
        Path tmp = dir.resolve(RecordFormat.segmentName(0, 0) + Preallocator.TMP_SUFFIX);
        Preallocator.allocate(tmp, options.segmentSize());
        tail = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE);
        tailSeq = 0;
        writePos = 0;
        state = HardState.getDefaultInstance();
        appendSegmentPrelude(0);
        appendSnapshot(WalSnapshot.ZERO);
        writeBuffer();
        force(false);
        Path path = dir.resolve(RecordFormat.segmentName(0, 0));
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
        SegmentFiles.fsyncDir(dir);
        segments.add(new Segment(0, 0, path));
    }

    // ---------------------------------------------------------------- reading

    /**
     * What {@link #open} read: metadata, last hard state, entries after the snapshot index, and
     * the torn tail it cut, if any. Available once, to let the entries be garbage collected once
     * the caller has loaded them; for a freshly created WAL it is empty.
     */
    public ReadResult readAll() {
        if (pendingRead == null) {
            throw new IllegalStateException("wal: readAll() was already called");
        }
        ReadResult r = pendingRead;
        pendingRead = null;
        return r;
    }

    // ---------------------------------------------------------------- writing

    /**
     * Appends {@code entries} then {@code hardState} (null or empty means none) with a single
     * write, then fsyncs once if raft requires it: when there are entries or the term or vote
     * changed. A commit-index-only change is not synced, as raft can recover the commit index.
     *
     * @throws IllegalArgumentException if the entries are not contiguous or would leave a gap
     *     after the last index written (the WAL would be unreadable)
     */
    public void save(HardState hardState, List<Entry> entries) throws IOException {
        ensureUsable();
        boolean hasState = hardState != null && !isEmpty(hardState);
        boolean hasEntries = entries != null && !entries.isEmpty();
        if (!hasState && !hasEntries) {
            return;
        }
        if (hasEntries) {
            checkEntries(entries);
        }
        boolean mustSync = hasEntries
                || (hasState && (hardState.getTerm() != state.getTerm() || hardState.getVote() != state.getVote()));
        try {
            if (hasEntries) {
                for (Entry e : entries) {
                    appendMessage(RecordFormat.TYPE_ENTRY, e);
                }
                lastIndex = entries.get(entries.size() - 1).getIndex();
            }
            if (hasState && !hardState.equals(state)) {
                appendMessage(RecordFormat.TYPE_HARD_STATE, hardState);
                state = hardState;
            }
            if (records.isEmpty()) {
                return;
            }
            writeBuffer();
            if (writePos >= options.segmentSize()) {
                cut();
            } else if (mustSync) {
                Failpoints.hit("walBeforeFsync");
                force(false);
                Failpoints.hit("walAfterFsync");
            }
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /**
     * Records that a snapshot at {@code snap} exists, so the WAL can later be opened from it,
     * and fsyncs. Save the snapshot file itself first.
     */
    public void saveSnapshot(WalSnapshot snap) throws IOException {
        Objects.requireNonNull(snap, "snap");
        ensureUsable();
        try {
            appendSnapshot(snap);
            lastIndex = Math.max(lastIndex, snap.index());
            writeBuffer();
            force(false);
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /** Forces everything written so far to disk. */
    public void sync() throws IOException {
        ensureUsable();
        try {
            force(false);
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /**
     * Deletes segment files that only hold entries at or below {@code index}, keeping the
     * segment that contains {@code index} (the one a later {@code open} from a snapshot at
     * {@code index} starts reading at) and everything after it. Call after a snapshot at
     * {@code index} is durable in both the snapshot directory and this WAL.
     *
     * @return the number of segment files deleted
     */
    public int releaseLockTo(long index) throws IOException {
        ensureUsable();
        int keepFrom = SegmentFiles.startSegment(segments, index);
        if (keepFrom <= 0) {
            return 0;
        }
        for (int i = 0; i < keepFrom; i++) {
            Files.deleteIfExists(segments.get(i).path());
        }
        segments.subList(0, keepFrom).clear();
        SegmentFiles.fsyncDir(dir);
        return keepFrom;
    }

    /** Seals the tail segment and continues in a new one. */
    private void cut() throws IOException {
        // Seal: drop the unused preallocated space so a sealed segment ends exactly at its data.
        tail.truncate(writePos);
        force(true);

        long seq = tailSeq + 1;
        long firstIndex = lastIndex + 1;
        Path tmp = preallocator.take();
        FileChannel next = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel old = tail;
        tail = next;
        tailSeq = seq;
        writePos = 0;
        old.close();
        appendSegmentPrelude(firstIndex);
        writeBuffer();
        force(false);
        // The segment gets its real name only once its prelude is durable, so a segment file
        // never lacks a valid header and the state needed to read on from it alone.
        Path path = dir.resolve(RecordFormat.segmentName(seq, firstIndex));
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
        SegmentFiles.fsyncDir(dir);
        segments.add(new Segment(seq, firstIndex, path));
        preallocator.prepareNext();
    }

    private void appendSnapshot(WalSnapshot snap) {
        appendMessage(RecordFormat.TYPE_SNAPSHOT,
                SnapshotMetadata.newBuilder().setIndex(snap.index()).setTerm(snap.term()).build());
    }

    /** Header, metadata and current hard state: what makes a segment readable on its own. */
    private void appendSegmentPrelude(long firstIndex) {
        records.appendSegmentPrelude(tailSeq, writePos, firstIndex, metadata, state);
    }

    private void appendMessage(byte type, MessageLite m) {
        records.appendMessage(tailSeq, writePos, type, m);
    }

    private void writeBuffer() throws IOException {
        writePos = records.writeTo(tail, writePos);
        dirty = true;
    }

    private void force(boolean metadataToo) throws IOException {
        long t0 = System.nanoTime();
        tail.force(metadataToo);
        options.fsyncNanosObserver().accept(System.nanoTime() - t0);
        dirty = false;
        records.startGroup();
    }

    private void checkEntries(List<Entry> entries) {
        long first = entries.get(0).getIndex();
        if (first > lastIndex + 1 || first == 0) {
            throw new IllegalArgumentException(String.format(
                    "wal: first entry index %d would leave a gap after last index %d", first, lastIndex));
        }
        long expect = first;
        for (Entry e : entries) {
            if (e.getIndex() != expect) {
                throw new IllegalArgumentException(String.format(
                        "wal: entries not contiguous: index %d where %d was expected", e.getIndex(), expect));
            }
            if (e.getSerializedSize() > RecordFormat.MAX_PAYLOAD) {
                throw new IllegalArgumentException("wal: entry " + e.getIndex() + " is too large");
            }
            expect++;
        }
    }

    static boolean isEmpty(HardState hs) {
        return hs.getTerm() == 0 && hs.getVote() == 0 && hs.getCommit() == 0;
    }

    // ---------------------------------------------------------------- state & lifecycle

    public Path dir() {
        return dir;
    }

    public ByteString metadata() {
        return metadata;
    }

    /** Index of the last entry or snapshot marker written (or read on open). */
    public long lastIndex() {
        return lastIndex;
    }

    /** The segment files currently making up the WAL, oldest first. */
    public List<Path> segmentFiles() {
        return segments.stream().map(Segment::path).toList();
    }

    private void ensureUsable() throws IOException {
        if (closed) {
            throw new WalException("wal: " + dir + " is closed");
        }
        if (failure != null) {
            throw new WalException("wal: " + dir + " is unusable after an earlier I/O failure; restart and reopen it",
                    failure);
        }
    }

    private IOException fail(IOException e) {
        failure = e;
        records.clear();
        return e;
    }

    /** Syncs anything unsynced, then releases the files and the directory lock. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        IOException error = null;
        try {
            if (failure == null && dirty && tail != null) {
                force(false);
            }
        } catch (IOException e) {
            error = e;
        }
        closed = true;
        for (AutoCloseable c : new AutoCloseable[] {tail, preallocator, lock}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                if (error == null) {
                    error = e instanceof IOException io ? io : new IOException(e);
                } else {
                    error.addSuppressed(e);
                }
            }
        }
        if (error != null) {
            throw error;
        }
    }

    /** Cleanup on a failed create/open; the caller still owns (and closes) the lock. */
    private void closeQuietly(Exception cause) {
        closed = true;
        for (AutoCloseable c : new AutoCloseable[] {tail, preallocator}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                cause.addSuppressed(e);
            }
        }
    }

    private static void closeLockQuietly(DirLock lock, Exception cause) {
        try {
            lock.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
