package io.etcdjava.raft.snap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.pb.Snapshot;
import io.etcdjava.raft.pb.SnapshotMetadata;
import io.etcdjava.raft.wal.WalSnapshot;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotterTest {
    /** Held so JUL keeps the level; the test renames broken files on purpose. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.etcdjava.raft.snap");

    static {
        QUIET.setLevel(java.util.logging.Level.SEVERE);
    }

    @TempDir
    Path dir;

    private static Snapshot snap(long term, long index) {
        return Snapshot.newBuilder()
                .setData(ByteString.copyFromUtf8("state machine at " + index))
                .setMetadata(SnapshotMetadata.newBuilder().setTerm(term).setIndex(index)
                        .setConfState(ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3)))
                .build();
    }

    private Path file(long term, long index) {
        return dir.resolve(Snapshotter.fileName(term, index));
    }

    @Test
    void emptyDirectoryHasNoSnapshot() throws IOException {
        Snapshotter s = new Snapshotter(dir.resolve("snap")); // created on demand
        assertThat(s.loadNewest()).isEmpty();
        assertThat(s.list()).isEmpty();
        assertThat(Files.isDirectory(dir.resolve("snap"))).isTrue();
    }

    @Test
    void savesAtomicallyAndLoadsTheNewest() throws IOException {
        Snapshotter s = new Snapshotter(dir);
        assertThat(s.save(snap(1, 10))).contains(file(1, 10));
        s.save(snap(2, 250));
        s.save(snap(2, 30));
        assertThat(file(2, 250).getFileName().toString()).isEqualTo("0000000000000002-00000000000000fa.snap");
        assertThat(s.loadNewest()).contains(snap(2, 250));
        assertThat(s.list()).extracting(SnapshotFile::index).containsExactly(250L, 30L, 10L);
        try (var files = Files.list(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
        }
        assertThat(Snapshotter.read(file(1, 10))).isEqualTo(snap(1, 10));
    }

    @Test
    void emptySnapshotIsNotSaved() throws IOException {
        Snapshotter s = new Snapshotter(dir);
        assertThat(s.save(Snapshot.getDefaultInstance())).isEmpty();
        assertThat(s.list()).isEmpty();
    }

    @Test
    void corruptNewestFallsBackToTheOlderOneAndIsMarkedBroken() throws IOException {
        Snapshotter s = new Snapshotter(dir);
        s.save(snap(1, 10));
        s.save(snap(1, 20));
        byte[] b = Files.readAllBytes(file(1, 20));
        b[b.length - 3] ^= 1;
        Files.write(file(1, 20), b);
        assertThat(s.loadNewest()).contains(snap(1, 10));
        assertThat(file(1, 20)).doesNotExist();
        assertThat(dir.resolve(file(1, 20).getFileName() + ".broken")).exists();
        assertThatThrownBy(() -> Snapshotter.read(dir.resolve(file(1, 20).getFileName() + ".broken")))
                .isInstanceOf(SnapshotCorruptionException.class).hasMessageContaining("CRC32C mismatch");
        assertThat(s.loadNewest()).contains(snap(1, 10)); // stable on a second load
    }

    @Test
    void truncatedAndEmptyFilesAreSkipped() throws IOException {
        Snapshotter s = new Snapshotter(dir);
        s.save(snap(1, 10));
        s.save(snap(1, 20));
        s.save(snap(1, 30));
        long size = Files.size(file(1, 30));
        for (long cut : new long[] {size - 1, 30, 10}) {
            byte[] b = Files.readAllBytes(file(1, 10));
            Files.write(file(1, 10), b); // keep the oldest intact
            s.save(snap(1, 30));
            try (FileChannel ch = FileChannel.open(file(1, 30), StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            assertThatThrownBy(() -> Snapshotter.read(file(1, 30)))
                    .isInstanceOf(SnapshotCorruptionException.class).hasMessageContaining("truncated");
            assertThat(s.loadNewest()).as("cut at " + cut).contains(snap(1, 20));
        }
        Files.write(file(1, 20), new byte[0]);
        assertThat(s.loadNewest()).contains(snap(1, 10));
        assertThat(dir.resolve(file(1, 20).getFileName() + ".broken")).exists();
    }

    @Test
    void fileWhoseContentDoesNotMatchItsNameIsSkipped() throws IOException {
        Snapshotter s = new Snapshotter(dir);
        s.save(snap(1, 10));
        s.save(snap(1, 20));
        Files.copy(file(1, 10), file(1, 40));
        assertThat(s.loadNewest()).contains(snap(1, 20));
        assertThat(file(1, 40)).doesNotExist();
    }

    @Test
    void loadNewestAvailablePicksTheNewestWithAWalMarker() throws IOException {
        Snapshotter s = new Snapshotter(dir);
        s.save(snap(1, 10));
        s.save(snap(2, 20));
        s.save(snap(2, 30)); // saved just before a crash: its WAL marker never made it
        assertThat(s.loadNewestAvailable(List.of(WalSnapshot.ZERO, new WalSnapshot(10, 1), new WalSnapshot(20, 2))))
                .contains(snap(2, 20));
        assertThat(s.loadNewestAvailable(List.of(new WalSnapshot(20, 1)))).isEmpty(); // term must match too
        assertThat(file(2, 30)).exists(); // valid but unmatched files are left alone
    }

    @Test
    void purgeKeepsTheNewestN() throws IOException {
        Snapshotter s = new Snapshotter(dir);
        for (long i = 1; i <= 6; i++) {
            s.save(snap(1, i * 100));
        }
        assertThat(s.purgeOlderThan(2)).isEqualTo(4);
        assertThat(s.list()).extracting(SnapshotFile::index).containsExactly(600L, 500L);
        assertThat(s.purgeOlderThan(5)).isZero();
        assertThatThrownBy(() -> s.purgeOlderThan(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void leftoverTempFilesAreRemovedAndStrangeFilesIgnored() throws IOException {
        Files.write(dir.resolve(Snapshotter.fileName(1, 5) + ".tmp"), new byte[] {1, 2, 3});
        Files.write(dir.resolve("notes.snap"), new byte[] {1});
        Snapshotter s = new Snapshotter(dir);
        assertThat(dir.resolve(Snapshotter.fileName(1, 5) + ".tmp")).doesNotExist();
        assertThat(s.loadNewest()).isEmpty();
        s.save(snap(3, 7));
        assertThat(s.loadNewest()).contains(snap(3, 7));
    }

    @Test
    void overwritingTheSameSnapshotReplacesIt() throws IOException {
        Snapshotter s = new Snapshotter(dir);
        s.save(snap(1, 10));
        Snapshot other = snap(1, 10).toBuilder().setData(ByteString.copyFromUtf8("redo")).build();
        s.save(other);
        assertThat(s.loadNewest()).contains(other);
    }
}
