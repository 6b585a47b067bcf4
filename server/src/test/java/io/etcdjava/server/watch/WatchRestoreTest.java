package io.etcdjava.server.watch;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.server.mvcc.MvccStore;
import io.etcdjava.server.mvcc.WriteTxn;
import io.etcdjava.server.mvcc.backend.BackendSnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Synced watchers across a store replaced by a leader's snapshot: they catch up, or are cancelled if compacted. */
@Timeout(60)
class WatchRestoreTest {
    @TempDir
    Path dir;
    MvccStore follower;
    WatchableStore watches;

    @AfterEach
    void close() {
        if (watches != null) {
            watches.close();
        }
        if (follower != null) {
            follower.close();
        }
    }

    private static void put(MvccStore s, String k, String v) {
        try (WriteTxn t = s.write(0, 0)) {
            t.put(k.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8), 0);
        }
    }

    /** Leader history: foo=1 (2), foo=2 (3), bar (4), foo=3 (5); compacted at {@code compactAt} if > 0. */
    private Path leaderSnapshot(long compactAt) throws Exception {
        Path received = BackendSnapshot.receivedPath(dir.resolve("snap"), 7);
        java.nio.file.Files.createDirectories(received.getParent());
        try (MvccStore leader = MvccStore.open(dir.resolve("leader"))) {
            put(leader, "foo", "1");
            put(leader, "foo", "2");
            put(leader, "bar", "x");
            put(leader, "foo", "3");
            if (compactAt > 0) {
                java.util.concurrent.CompletableFuture<Void> done;
                try (WriteTxn t = leader.write(0, 0)) {
                    done = t.compact(compactAt);
                }
                done.get(10, TimeUnit.SECONDS);
            }
            leader.backend().checkpoint(received);
        }
        return received;
    }

    private WatchableStoreTest.Reader watchFooAfterFirstPut() throws Exception {
        follower = MvccStore.open(dir.resolve("db"));
        watches = WatchableStore.open(follower, WatchableStore.Options.DEFAULT, null);
        WatchableStoreTest.Reader r = new WatchableStoreTest.Reader().open(watches);
        r.stream.watch(WatchSpec.key(ByteString.copyFromUtf8("foo"), 0));
        put(follower, "foo", "1");
        r.until(g -> g.stream().mapToInt(d -> d.events().size()).sum() == 1);
        return r;
    }

    @Test
    void aSyncedWatcherGetsTheRevisionsItMissedFromTheRestoredStoreWithoutDuplicates() throws Exception {
        Path received = leaderSnapshot(0);
        WatchableStoreTest.Reader r = watchFooAfterFirstPut();

        follower.restoreFrom(d -> BackendSnapshot.install(d, received, step -> { }));
        r.until(g -> g.stream().mapToInt(d -> d.events().size()).sum() == 3);
        assertThat(r.events()).extracting(e -> e.getKv().getModRevision()).containsExactly(2L, 3L, 5L);
        assertThat(r.events()).extracting(e -> e.getKv().getValue().toStringUtf8()).containsExactly("1", "2", "3");

        // And it is live again on the new store.
        put(follower, "foo", "4");
        r.until(g -> g.stream().mapToInt(d -> d.events().size()).sum() == 4);
        Event last = r.events().get(3);
        assertThat(last.getKv().getModRevision()).isEqualTo(6);
    }

    @Test
    void aSyncedWatcherWhoseNextRevisionWasCompactedAwayIsCancelledWithTheCompactRevision() throws Exception {
        Path received = leaderSnapshot(4);
        WatchableStoreTest.Reader r = watchFooAfterFirstPut();

        follower.restoreFrom(d -> BackendSnapshot.install(d, received, step -> { }));
        r.until(g -> g.stream().anyMatch(Delivery::isCompacted));
        Delivery cancelled = r.got.stream().filter(Delivery::isCompacted).findFirst().orElseThrow();
        assertThat(cancelled.compactRevision()).isEqualTo(4);
    }
}
