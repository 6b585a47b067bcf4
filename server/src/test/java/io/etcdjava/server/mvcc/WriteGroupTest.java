package io.etcdjava.server.mvcc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.api.mvccpb.KeyValue;

/** Write transactions grouped into one RocksDB batch ({@link MvccStore#beginGroup()}). */
@Timeout(30)
class WriteGroupTest {
    @TempDir
    Path dir;
    MvccStore store;
    long raftIndex;
    final List<String> notified = new ArrayList<>();

    @BeforeEach
    void open() {
        store = MvccStore.open(dir);
        store.setChangeListener(new KvChangeListener() {
            @Override
            public void onCommit(long revision, List<Event> events) {
                for (Event e : events) {
                    notified.add(revision + ":" + e.getType() + ":" + e.getKv().getKey().toStringUtf8()
                            + "@v" + e.getKv().getVersion());
                }
            }

            @Override
            public void onRestore(long currentRevision, long compactRevision) {
            }
        });
    }

    @AfterEach
    void close() {
        store.close();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    long put(String k, String v) {
        try (WriteTxn t = store.write(++raftIndex, 3)) {
            return t.put(b(k), b(v), 0);
        }
    }

    List<String> committedValues(String key) {
        try (ReadTxn r = store.read()) {
            List<String> out = new ArrayList<>();
            for (KeyValue kv : r.range(b(key), null, RangeOptions.ALL).kvs()) {
                out.add(kv.getValue().toStringUtf8() + "@" + kv.getModRevision());
            }
            return out;
        }
    }

    @Test
    void aGroupIsInvisibleUntilItCommitsThenAllOfItAppearsAtOnce() {
        put("a", "0");
        store.beginGroup();
        assertThat(put("a", "1")).isEqualTo(3);
        assertThat(put("b", "1")).isEqualTo(4);
        // Other threads read published state only: still revision 2, consistent index 1.
        assertThat(store.currentRevision()).isEqualTo(2);
        assertThat(store.consistentIndex()).isEqualTo(1);
        assertThat(committedValues("a")).containsExactly("0@2");
        assertThat(notified).containsExactly("2:PUT:a@v1");

        store.commitGroup();
        assertThat(store.currentRevision()).isEqualTo(4);
        assertThat(store.consistentIndex()).isEqualTo(3);
        assertThat(store.consistentTerm()).isEqualTo(3);
        assertThat(committedValues("a")).containsExactly("1@3");
        assertThat(committedValues("b")).containsExactly("1@4");
        assertThat(notified).containsExactly("2:PUT:a@v1", "3:PUT:a@v2", "4:PUT:b@v1");
    }

    @Test
    void laterTransactionsOfAGroupReadTheValuesOfEarlierOnes() {
        store.beginGroup();
        put("k", "first");
        try (WriteTxn t = store.write(++raftIndex, 3)) {
            assertThat(t.rev()).isEqualTo(2);
            KeyValue seen = t.range(b("k"), null, RangeOptions.ALL).kvs().get(0);
            assertThat(seen.getValue().toStringUtf8()).isEqualTo("first");
            t.put(b("k"), b("second"), 0);
        }
        try (WriteTxn t = store.write(++raftIndex, 3)) {
            assertThat(t.deleteRange(b("nothing"), null)).isZero();
        }
        store.commitGroup();
        assertThat(notified).containsExactly("2:PUT:k@v1", "3:PUT:k@v2");
    }

    @Test
    void aCommittedGroupSurvivesReopenWithTheLastConsistentIndex() {
        store.beginGroup();
        put("x", "1");
        put("y", "2");
        store.commitGroup();
        store.close();
        store = MvccStore.open(dir);
        assertThat(store.currentRevision()).isEqualTo(3);
        assertThat(store.consistentIndex()).isEqualTo(2);
        assertThat(committedValues("x")).containsExactly("1@2");
        assertThat(committedValues("y")).containsExactly("2@3");
    }

    @Test
    void aDiscardedGroupLeavesNoTraceInTheIndexOrTheBackend() {
        put("a", "0");
        store.beginGroup();
        put("a", "1");
        put("new", "1");
        store.discardGroup();
        assertThat(store.currentRevision()).isEqualTo(2);
        assertThat(store.consistentIndex()).isEqualTo(1);
        assertThat(committedValues("new")).isEmpty();
        // The next write reuses the discarded revision and sees the old value.
        try (WriteTxn t = store.write(2, 3)) {
            assertThat(t.rev()).isEqualTo(2);
            assertThat(t.range(b("a"), null, RangeOptions.ALL).kvs().get(0).getValue().toStringUtf8())
                    .isEqualTo("0");
            t.put(b("a"), b("2"), 0);
        }
        assertThat(committedValues("a")).containsExactly("2@3");
        assertThat(notified).containsExactly("2:PUT:a@v1", "3:PUT:a@v2");
    }

    @Test
    void anAbortedTransactionInAGroupKeepsTheTransactionsBeforeIt() {
        store.beginGroup();
        put("kept", "1");
        WriteTxn t = store.write(++raftIndex, 3);
        t.put(b("dropped"), b("1"), 0);
        t.abort();
        put("after", "1");
        store.commitGroup();
        assertThat(committedValues("kept")).containsExactly("1@2");
        assertThat(committedValues("dropped")).isEmpty();
        assertThat(committedValues("after")).containsExactly("1@3");
        assertThat(store.consistentIndex()).isEqualTo(3);
        assertThat(notified).containsExactly("2:PUT:kept@v1", "3:PUT:after@v1");
    }

    @Test
    void aCompactionInAGroupCommitsTheGroupAtOnce() throws Exception {
        store.beginGroup();
        put("a", "1");
        put("a", "2");
        java.util.concurrent.CompletableFuture<Void> physical;
        try (WriteTxn t = store.write(++raftIndex, 3)) {
            physical = t.compact(3);
        }
        physical.get(10, TimeUnit.SECONDS);
        assertThat(store.compactRevision()).isEqualTo(3);
        assertThat(store.currentRevision()).isEqualTo(3);
        assertThat(store.consistentIndex()).isEqualTo(3);
        assertThat(committedValues("a")).containsExactly("2@3");
        put("a", "3");
        assertThat(store.currentRevision()).isEqualTo(3);
        store.commitGroup();
        assertThat(committedValues("a")).containsExactly("3@4");
        assertThat(notified).containsExactly("2:PUT:a@v1", "3:PUT:a@v2", "4:PUT:a@v3");
    }

    @Test
    void groupBytesGrowWithTheWritesAndResetAtCommit() {
        assertThat(store.groupBytes()).isZero();
        store.beginGroup();
        put("k", "x".repeat(1000));
        long one = store.groupBytes();
        assertThat(one).isGreaterThan(1000);
        put("k", "x".repeat(1000));
        assertThat(store.groupBytes()).isGreaterThan(one + 1000);
        store.commitGroup();
        assertThat(store.groupBytes()).isZero();
    }
}
