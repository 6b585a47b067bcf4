package io.etcdjava.server.mvcc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdjava.api.mvccpb.KeyValue;
import io.etcdjava.server.mvcc.backend.BackendException;
import io.etcdjava.server.mvcc.backend.BackendSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A follower's database replaced by a leader's checkpoint, live and across crashes. */
@Timeout(60)
class SnapshotInstallTest {
    @TempDir
    Path dir;

    /** Writes {@code n} keys "prefix-i" as raft entries 1..n of term 2. */
    private static void fill(MvccStore s, String prefix, int n) {
        for (int i = 1; i <= n; i++) {
            try (WriteTxn t = s.write(i, 2)) {
                t.put((prefix + "-" + i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8), 0);
            }
        }
    }

    private static List<String> keys(MvccStore s) {
        try (ReadTxn r = s.read()) {
            return r.range(new byte[] {0}, new byte[0], RangeOptions.ALL).kvs().stream()
                    .map(KeyValue::getKey).map(b -> b.toStringUtf8()).toList();
        }
    }

    /** The leader's state at index 10 (keys b-1..b-10), checkpointed where a receiver puts it. */
    private Path leaderCheckpoint(Path snapDir) throws IOException {
        Files.createDirectories(snapDir);
        Path received = BackendSnapshot.receivedPath(snapDir, 10);
        try (MvccStore leader = MvccStore.open(dir.resolve("leader"))) {
            fill(leader, "b", 10);
            leader.backend().checkpoint(received);
        }
        return received;
    }

    @Test
    void aRestoredStoreHoldsExactlyTheLeadersStateAndConsistentIndexAndKeepsApplying() throws Exception {
        Path snapDir = dir.resolve("snap");
        Path received = leaderCheckpoint(snapDir);
        int leaderHash;
        long leaderRev;
        try (MvccStore copy = MvccStore.open(dir.resolve("leader"))) {
            leaderHash = copy.hash();
            leaderRev = copy.currentRevision();
        }
        try (MvccStore follower = MvccStore.open(dir.resolve("db"))) {
            fill(follower, "a", 4);
            follower.restoreFrom(d -> BackendSnapshot.install(d, received, step -> { }));

            assertThat(keys(follower)).hasSize(10).allMatch(k -> k.startsWith("b-"));
            assertThat(follower.consistentIndex()).isEqualTo(10);
            assertThat(follower.currentRevision()).isEqualTo(leaderRev);
            assertThat(follower.hash()).isEqualTo(leaderHash);
            assertThat(received).doesNotExist();
            try (WriteTxn t = follower.write(11, 2)) {
                t.put("c".getBytes(StandardCharsets.UTF_8), "after".getBytes(StandardCharsets.UTF_8), 0);
            }
            assertThat(follower.currentRevision()).isEqualTo(leaderRev + 1);
        }
        try (MvccStore reopened = MvccStore.open(dir.resolve("db"))) {
            assertThat(reopened.consistentIndex()).isEqualTo(11);
            assertThat(keys(reopened)).contains("b-1", "b-10", "c").doesNotContain("a-1");
        }
    }

    @ParameterizedTest
    @EnumSource(BackendSnapshot.Step.class)
    void aCrashAtAnyStepOfTheInstallLeavesTheNewDatabaseAfterRecovery(BackendSnapshot.Step crashAt) throws Exception {
        Path snapDir = dir.resolve("snap");
        Path received = leaderCheckpoint(snapDir);
        Path db = dir.resolve("db");
        MvccStore follower = MvccStore.open(db);
        fill(follower, "a", 4);
        try {
            assertThatThrownBy(() -> follower.restoreFrom(d -> BackendSnapshot.install(d, received, step -> {
                if (step == crashAt) {
                    throw new IOException("crash after " + step);
                }
            }))).isInstanceOf(BackendException.class);
        } finally {
            follower.close();
        }

        BackendSnapshot.recover(db);
        try (MvccStore restarted = MvccStore.open(db)) {
            assertThat(restarted.consistentIndex()).isEqualTo(10);
            assertThat(keys(restarted)).hasSize(10).allMatch(k -> k.startsWith("b-"));
        }
        assertThat(received).doesNotExist();
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("db", "snap", "leader");
        }
    }

    @Test
    void aCrashBeforeTheMarkerKeepsTheOldDatabaseAndTheReceivedOneIsPurgedOnceApplied() throws Exception {
        Path snapDir = dir.resolve("snap");
        Path received = leaderCheckpoint(snapDir);
        Path db = dir.resolve("db");
        try (MvccStore follower = MvccStore.open(db)) {
            fill(follower, "a", 4);
        }
        // A marker being written but never renamed into place.
        Files.writeString(dir.resolve("db.install.tmp"), received.toString());

        BackendSnapshot.recover(db);
        try (MvccStore restarted = MvccStore.open(db)) {
            assertThat(restarted.consistentIndex()).isEqualTo(4);
            assertThat(keys(restarted)).allMatch(k -> k.startsWith("a-"));
        }
        assertThat(dir.resolve("db.install.tmp")).doesNotExist();
        assertThat(received).isDirectory();

        // left by a receive an earlier run of the member cut short
        Path partial = snapDir.resolve(String.format("%016x", 12) + BackendSnapshot.SUFFIX + ".partial-123456");
        Files.createDirectories(partial);
        assertThat(BackendSnapshot.purge(snapDir, 4)).containsExactly(partial);
        assertThat(BackendSnapshot.purge(snapDir, 10)).containsExactly(received);
    }

    /**
     * Regression (fault suite, issue 8): an install's purge ran while the next snapshot was
     * streaming in, deleted its partial directory under the receiver and failed the apply.
     */
    @Test
    void aPurgeKeepsTheSnapshotsThisProcessIsStillReceivingOrSending() throws Exception {
        Path snapDir = Files.createDirectories(dir.resolve("snap-inflight"));
        Path receiving = Files.createDirectories(BackendSnapshot.partialPath(snapDir, 700));
        Files.writeString(receiving.resolve("000001.sst"), "chunk");
        Path sending = Files.createDirectories(snapDir.resolve(BackendSnapshot.sendScratchName("peer")));
        Path leftover = Files.createDirectories(snapDir.resolve(BackendSnapshot.SEND_SCRATCH_PREFIX + "peer-1"));

        assertThat(BackendSnapshot.purge(snapDir, 692)).containsExactly(leftover);
        assertThat(receiving.resolve("000001.sst")).exists();
        assertThat(sending).isDirectory();
    }
}
