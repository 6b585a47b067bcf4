package io.etcdjava.server.raftnode;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.MemoryStorage;
import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.HardState;
import io.etcdjava.raft.pb.Snapshot;
import io.etcdjava.raft.snap.Snapshotter;
import io.etcdjava.raft.wal.ReadResult;
import io.etcdjava.raft.wal.Wal;
import io.etcdjava.raft.wal.WalOptions;
import io.etcdjava.raft.wal.WalSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A member's durable raft state: WAL, snapshot files and the in-memory log raft reads from.
 * Owned by the raft loop thread; every write here happens before the loop sends what depends
 * on it.
 */
final class RaftStorage implements AutoCloseable {
    /** Snapshot files kept besides the newest, like etcd's --max-snapshots default. */
    private static final int KEEP_SNAPSHOTS = 5;

    final MemoryStorage memory = new MemoryStorage();
    private final Wal wal;
    private final Snapshotter snapshotter;
    private final boolean fresh;
    private final ByteString metadata;
    private long snapshotIndex;

    private RaftStorage(Wal wal, Snapshotter snapshotter, boolean fresh, ByteString metadata) {
        this.wal = wal;
        this.snapshotter = snapshotter;
        this.fresh = fresh;
        this.metadata = metadata;
    }

    /**
     * Opens the WAL in {@code walDir} (replaying it over the newest usable snapshot) or creates a
     * new one holding {@code newMetadata}.
     */
    static RaftStorage openOrCreate(Path walDir, Path snapDir, ByteString newMetadata, WalOptions options)
            throws IOException {
        Files.createDirectories(snapDir);
        Snapshotter snapshotter = new Snapshotter(snapDir);
        if (!Wal.exists(walDir)) {
            Wal wal = Wal.create(walDir, newMetadata, options);
            return new RaftStorage(wal, snapshotter, true, newMetadata);
        }
        // The newest snapshot the WAL knows of; a snapshot file without its WAL marker is unusable.
        List<WalSnapshot> marks = Wal.validSnapshots(walDir);
        Optional<Snapshot> snap = snapshotter.loadNewestAvailable(marks);
        WalSnapshot from = snap.map(s -> new WalSnapshot(s.getMetadata().getIndex(), s.getMetadata().getTerm()))
                .orElse(WalSnapshot.ZERO);
        Wal wal = Wal.open(walDir, from, options);
        ReadResult read = wal.readAll();
        RaftStorage rs = new RaftStorage(wal, snapshotter, false, read.metadata());
        rs.tornTail = read.tornTail().map(t -> t.describe()).orElse(null);
        if (snap.isPresent()) {
            rs.memory.applySnapshot(snap.get());
            rs.snapshotIndex = snap.get().getMetadata().getIndex();
        }
        rs.memory.setHardState(read.hardState());
        rs.memory.append(read.entries());
        return rs;
    }

    private String tornTail;

    /** What opening cut off a torn WAL tail, for the log; null if the WAL ended cleanly. */
    String tornTail() {
        return tornTail;
    }

    boolean isFresh() {
        return fresh;
    }

    ByteString metadata() {
        return metadata;
    }

    long snapshotIndex() {
        return snapshotIndex;
    }

    /** Persists a Ready's snapshot, hard state and entries; fsyncs when raft says it must. */
    void save(HardState hs, List<Entry> entries, Snapshot snap) throws IOException {
        if (snap != null) {
            // The file first, then its WAL marker: a marker never points at a missing snapshot.
            snapshotter.save(snap);
            wal.saveSnapshot(new WalSnapshot(snap.getMetadata().getIndex(), snap.getMetadata().getTerm()));
        }
        wal.save(hs, entries);
        if (snap != null) {
            memory.applySnapshot(snap);
            snapshotIndex = snap.getMetadata().getIndex();
        }
        memory.append(entries);
        if (hs != null) {
            memory.setHardState(hs);
        }
    }

    /**
     * Takes a raft snapshot at {@code index}, whose state the backend already holds durably, then
     * releases log entries older than {@code index - catchUpEntries} (kept so slow followers can
     * catch up without a full snapshot) and WAL segments before the snapshot.
     */
    void snapshot(long index, ConfState cs, long catchUpEntries) throws IOException {
        if (index <= snapshotIndex) {
            return;
        }
        Snapshot snap = memory.createSnapshot(index, cs, ByteString.EMPTY);
        snapshotter.save(snap);
        wal.saveSnapshot(new WalSnapshot(index, snap.getMetadata().getTerm()));
        snapshotIndex = index;
        long compactTo = index - catchUpEntries;
        if (compactTo > memory.firstIndex()) {
            memory.compact(compactTo);
        }
        wal.releaseLockTo(index);
        snapshotter.purgeOlderThan(KEEP_SNAPSHOTS);
    }

    @Override
    public void close() throws IOException {
        wal.close();
    }
}
