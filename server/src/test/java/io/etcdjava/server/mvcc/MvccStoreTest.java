package io.etcdjava.server.mvcc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.mvcc.backend.Backend;
import io.etcdjava.server.mvcc.backend.Batch;
import io.etcdjava.server.mvcc.backend.Schema;

@Timeout(30)
class MvccStoreTest {
    @TempDir
    Path dir;
    MvccStore store;
    long raftIndex;

    @BeforeEach
    void open() {
        store = MvccStore.open(dir);
        raftIndex = store.consistentIndex();
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(KeyValue kv) {
        return kv.getKey().toStringUtf8() + "=" + kv.getValue().toStringUtf8();
    }

    long put(String k, String v) {
        try (WriteTxn t = store.write(++raftIndex, 1)) {
            return t.put(b(k), b(v), 0);
        }
    }

    long delete(String k, String end) {
        try (WriteTxn t = store.write(++raftIndex, 1)) {
            return t.deleteRange(b(k), end == null ? null : b(end));
        }
    }

    RangeResult range(String k, String end, long rev) {
        try (ReadTxn r = store.read()) {
            return r.range(b(k), end == null ? null : b(end), new RangeOptions(0, rev, false));
        }
    }

    List<String> keys(RangeResult rr) {
        List<String> out = new ArrayList<>();
        rr.kvs().forEach(kv -> out.add(s(kv)));
        return out;
    }

    void reopen() {
        store.close();
        store = MvccStore.open(dir);
    }

    @Test
    void anEmptyStoreIsAtRevisionOne() {
        assertThat(store.currentRevision()).isEqualTo(1);
        assertThat(store.compactRevision()).isEqualTo(-1);
        assertThat(store.consistentIndex()).isZero();
        assertThat(range("a", null, 0).count()).isZero();
    }

    @Test
    void putsGetConsecutiveRevisionsAndVersions() {
        assertThat(put("foo", "1")).isEqualTo(2);
        assertThat(put("foo", "2")).isEqualTo(3);
        KeyValue kv = range("foo", null, 0).kvs().get(0);
        assertThat(kv.getCreateRevision()).isEqualTo(2);
        assertThat(kv.getModRevision()).isEqualTo(3);
        assertThat(kv.getVersion()).isEqualTo(2);
        assertThat(s(range("foo", null, 2).kvs().get(0))).isEqualTo("foo=1");
    }

    @Test
    void deleteThenRecreateStartsANewGeneration() {
        put("foo", "1");
        assertThat(delete("foo", null)).isEqualTo(1);
        assertThat(store.currentRevision()).isEqualTo(3);
        assertThat(range("foo", null, 0).kvs()).isEmpty();
        assertThat(delete("foo", null)).as("nothing left to delete").isZero();
        assertThat(store.currentRevision()).as("an empty delete does not bump").isEqualTo(3);
        put("foo", "2");
        KeyValue kv = range("foo", null, 0).kvs().get(0);
        assertThat(kv.getCreateRevision()).isEqualTo(4);
        assertThat(kv.getVersion()).isEqualTo(1);
        assertThat(store.describeKey(kv.getKey())).contains("revs=[2.0, 3.0]", "revs=[4.0]");
    }

    @Test
    void rangeFormsSingleBoundedAndFromKey() {
        for (String k : List.of("a", "b", "c", "d")) {
            put(k, k);
        }
        assertThat(keys(range("b", null, 0))).containsExactly("b=b");
        assertThat(keys(range("b", "d", 0))).containsExactly("b=b", "c=c");
        assertThat(keys(range("b", "", 0))).containsExactly("b=b", "c=c", "d=d");
        assertThat(keys(range("d", "b", 0))).as("end before key").isEmpty();
        try (ReadTxn r = store.read()) {
            RangeResult limited = r.range(b("a"), new byte[0], new RangeOptions(2, 0, false));
            assertThat(limited.kvs()).hasSize(2);
            assertThat(limited.count()).isEqualTo(4);
            RangeResult counted = r.range(b("a"), new byte[0], new RangeOptions(0, 0, true));
            assertThat(counted.kvs()).isEmpty();
            assertThat(counted.count()).isEqualTo(4);
            assertThat(counted.rev()).isEqualTo(5);
        }
    }

    @Test
    void keysCompareAsUnsignedBytes() {
        put("a", "1");
        try (WriteTxn t = store.write(++raftIndex, 1)) {
            t.put(new byte[] {(byte) 0xff}, b("hi"), 0);
            t.put(new byte[] {0x7f}, b("mid"), 0);
        }
        try (ReadTxn r = store.read()) {
            RangeResult rr = r.range(new byte[] {0x00}, new byte[0], RangeOptions.ALL);
            assertThat(rr.kvs()).extracting(kv -> kv.getKey().byteAt(0) & 0xff).containsExactly(0x61, 0x7f, 0xff);
        }
    }

    @Test
    void readsAtFutureOrCompactedRevisionsFail() throws Exception {
        put("a", "1");
        put("a", "2");
        put("a", "3");
        assertThatThrownBy(() -> range("a", null, 5)).isInstanceOf(EtcdException.class)
                .extracting(e -> ((EtcdException) e).error()).isEqualTo(EtcdError.FUTURE_REV);
        compact(3).get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> range("a", null, 2)).extracting(e -> ((EtcdException) e).error())
                .isEqualTo(EtcdError.COMPACTED);
        assertThat(s(range("a", null, 3).kvs().get(0))).as("the compaction revision itself is readable")
                .isEqualTo("a=2");
    }

    java.util.concurrent.CompletableFuture<Void> compact(long rev) {
        try (WriteTxn t = store.write(++raftIndex, 1)) {
            return t.compact(rev);
        }
    }

    @Test
    void compactionErrors() throws Exception {
        put("a", "1");
        put("a", "2");
        assertThatThrownBy(() -> compact(4)).extracting(e -> ((EtcdException) e).error())
                .isEqualTo(EtcdError.FUTURE_REV);
        compact(2).get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> compact(2)).extracting(e -> ((EtcdException) e).error())
                .isEqualTo(EtcdError.COMPACTED);
        assertThatThrownBy(() -> compact(1)).extracting(e -> ((EtcdException) e).error())
                .isEqualTo(EtcdError.COMPACTED);
        assertThat(store.compactRevision()).isEqualTo(2);
    }

    int storedRevisions() {
        int[] n = {0};
        store.backend().forEach(Schema.KEY, null, null, (k, v) -> {
            n[0]++;
            return true;
        });
        return n[0];
    }

    @Test
    void physicalCompactionDeletesUnreachableRevisions() throws Exception {
        put("a", "1"); // 2
        put("a", "2"); // 3
        put("b", "1"); // 4
        delete("b", null); // 5
        put("c", "1"); // 6
        assertThat(storedRevisions()).isEqualTo(5);
        compact(5).get(10, TimeUnit.SECONDS);
        // kept: a@3 (newest <= 5) and c@6; a@2 and b's whole generation (ending in a tombstone) go
        assertThat(storedRevisions()).isEqualTo(2);
        assertThat(keys(range("a", "z", 0))).containsExactly("a=2", "c=1");
        assertThat(store.backend().get(Schema.META, Schema.META_FINISHED_COMPACT))
                .isEqualTo(new Revision(5, 0).toBytes());
    }

    @Test
    void restartRestoresIndexRevisionsAndConsistentIndex() {
        for (int i = 0; i < 50; i++) {
            put("k" + (i % 7), "v" + i);
            if (i % 10 == 9) {
                delete("k" + (i % 7), null);
            }
        }
        long rev = store.currentRevision();
        long ci = store.consistentIndex();
        List<String> before = keys(range("k", "l", 0));
        List<String> old = keys(range("k", "l", 20));
        long keys = store.keysTotal();
        reopen();
        assertThat(store.currentRevision()).isEqualTo(rev);
        assertThat(store.consistentIndex()).isEqualTo(ci).isEqualTo(raftIndex);
        assertThat(store.consistentTerm()).isEqualTo(1);
        assertThat(keys(range("k", "l", 0))).isEqualTo(before);
        assertThat(keys(range("k", "l", 20))).isEqualTo(old);
        assertThat(store.keysTotal()).isEqualTo(keys);
    }

    @Test
    void restartAfterCompactionKeepsVersionsAndCreateRevisions() throws Exception {
        put("a", "1");
        put("a", "2");
        put("a", "3");
        put("b", "1");
        delete("b", null); // rev 6
        compact(6).get(10, TimeUnit.SECONDS);
        reopen();
        assertThat(store.compactRevision()).isEqualTo(6);
        assertThat(store.currentRevision()).as("trailing deletion compacted away").isEqualTo(6);
        KeyValue a = range("a", null, 0).kvs().get(0);
        assertThat(a.getVersion()).isEqualTo(3);
        assertThat(a.getCreateRevision()).isEqualTo(2);
        assertThat(put("a", "4")).isEqualTo(7);
        assertThat(range("a", null, 0).kvs().get(0).getVersion()).isEqualTo(4);
    }

    @Test
    void anInterruptedCompactionIsFinishedAtOpen() throws Exception {
        put("a", "1");
        put("a", "2");
        put("a", "3");
        store.close();
        store = null;
        try (Backend backend = Backend.open(dir); Batch batch = backend.newBatch()) {
            batch.put(Schema.META, Schema.META_SCHEDULED_COMPACT, new Revision(3, 0).toBytes());
            backend.commit(batch);
        }
        store = MvccStore.open(dir);
        assertThat(store.compactRevision()).isEqualTo(3);
        store.resumedCompaction().get(10, TimeUnit.SECONDS);
        assertThat(storedRevisions()).isEqualTo(2);
        assertThat(store.backend().get(Schema.META, Schema.META_FINISHED_COMPACT))
                .isEqualTo(new Revision(3, 0).toBytes());
    }

    @Test
    void anUncommittedTransactionLeavesNoTrace() {
        put("a", "1");
        long ci = store.consistentIndex();
        WriteTxn t = store.write(++raftIndex, 1);
        t.put(b("a"), b("2"), 0);
        t.put(b("b"), b("1"), 0);
        // crash: the batch never reaches RocksDB
        store.close();
        store = MvccStore.open(dir);
        assertThat(store.consistentIndex()).isEqualTo(ci);
        assertThat(store.currentRevision()).isEqualTo(2);
        assertThat(keys(range("a", "z", 0))).containsExactly("a=1");
    }

    @Test
    void abortDiscardsChangesAndTheIndexFollows() {
        put("a", "1");
        WriteTxn t = store.write(++raftIndex, 1);
        t.put(b("a"), b("2"), 0);
        t.deleteRange(b("a"), null);
        t.abort();
        raftIndex--;
        assertThat(keys(range("a", null, 0))).containsExactly("a=1");
        assertThat(put("a", "3")).isEqualTo(3);
        assertThat(range("a", null, 0).kvs().get(0).getVersion()).isEqualTo(2);
    }

    @Test
    void aTransactionSeesItsOwnChangesAndUsesOneRevision() {
        put("a", "1");
        try (WriteTxn t = store.write(++raftIndex, 1)) {
            assertThat(t.readRev()).isEqualTo(2);
            t.put(b("b"), b("1"), 0);
            assertThat(t.readRev()).isEqualTo(3);
            assertThat(t.deleteRange(b("a"), null)).isEqualTo(1);
            RangeResult rr = t.range(b("a"), new byte[0], RangeOptions.ALL);
            assertThat(keys(rr)).containsExactly("b=1");
            assertThat(rr.rev()).isEqualTo(3);
            // readers do not see it yet
            assertThat(keys(range("a", "", 0))).containsExactly("a=1");
        }
        assertThat(store.currentRevision()).isEqualTo(3);
        assertThat(store.backend().get(Schema.KEY, new Revision(3, 0).toBytes())).isNotNull();
        assertThat(store.backend().get(Schema.KEY, new Revision(3, 1).toTombstoneBytes())).isNotNull();
    }

    @Test
    void consistentIndexMovesEvenWithoutChanges() {
        store.write(7, 2).close();
        assertThat(store.consistentIndex()).isEqualTo(7);
        assertThat(store.currentRevision()).isEqualTo(1);
        assertThatThrownBy(() -> store.write(7, 2)).isInstanceOf(IllegalStateException.class);
        reopen();
        assertThat(store.consistentIndex()).isEqualTo(7);
        assertThat(store.consistentTerm()).isEqualTo(2);
    }

    @Test
    void listenerGetsEventsInOrderWithPrevKvOnDeletesOnly() {
        List<Event> seen = new ArrayList<>();
        long[] revs = {0};
        store.setChangeListener((rev, evs) -> {
            revs[0] = rev;
            seen.addAll(evs);
        });
        put("a", "1");
        try (WriteTxn t = store.write(++raftIndex, 1)) {
            t.put(b("a"), b("2"), 0);
            t.put(b("b"), b("1"), 7);
            t.deleteRange(b("a"), null);
        }
        assertThat(revs[0]).isEqualTo(3);
        assertThat(seen).hasSize(4);
        assertThat(seen.get(0).hasPrevKv()).isFalse();
        Event p = seen.get(1);
        assertThat(p.getType()).isEqualTo(Event.EventType.PUT);
        assertThat(s(p.getKv())).isEqualTo("a=2");
        assertThat(p.hasPrevKv()).as("a put's prev_kv is read only for watchers that ask").isFalse();
        assertThat(p.getKv().getVersion()).isEqualTo(2);
        assertThat(seen.get(2).getKv().getLease()).isEqualTo(7);
        Event d = seen.get(3);
        assertThat(d.getType()).isEqualTo(Event.EventType.DELETE);
        assertThat(d.getKv().getModRevision()).isEqualTo(3);
        assertThat(d.getKv().getValue().isEmpty()).isTrue();
        assertThat(s(d.getPrevKv())).as("prev of a delete is the value written earlier in the txn")
                .isEqualTo("a=2");
        assertThat(store.events(2, 3)).extracting(Event::getType)
                .containsExactly(Event.EventType.PUT, Event.EventType.PUT, Event.EventType.PUT,
                        Event.EventType.DELETE);
    }

    @Test
    void hashKvIsStableAcrossRestartAndEqualForEqualHistories(@TempDir Path other) throws Exception {
        Runnable history = () -> {
            put("a", "1");
            put("b", "2");
            put("a", "3");
            delete("b", null);
            put("c", "4");
        };
        history.run();
        HashKV h1 = store.hashKV(0);
        assertThat(h1.hashRevision()).isEqualTo(6);
        assertThat(h1.compactRevision()).isEqualTo(-1);
        HashKV at4 = store.hashKV(4);
        reopen();
        assertThat(store.hashKV(0)).isEqualTo(h1);
        assertThat(store.hashKV(4)).isEqualTo(at4);

        MvccStore first = store;
        long firstIndex = raftIndex;
        store = MvccStore.open(other);
        raftIndex = 0;
        try {
            history.run();
            assertThat(store.hashKV(0).hash()).isEqualTo(h1.hash());
            put("d", "5");
            assertThat(store.hashKV(0).hash()).isNotEqualTo(h1.hash());
            assertThat(store.hashKV(6).hash()).isEqualTo(h1.hash());
        } finally {
            store.close();
            store = first;
            raftIndex = firstIndex;
        }
    }

    @Test
    void hashKvIgnoresWhetherPhysicalCompactionRan() throws Exception {
        put("a", "1");
        put("a", "2");
        put("b", "1");
        put("a", "3");
        HashKV before = store.hashKV(0);
        compact(3).get(10, TimeUnit.SECONDS);
        HashKV after = store.hashKV(0);
        assertThat(after.compactRevision()).isEqualTo(3);
        assertThat(store.hashKV(0)).isEqualTo(after);
        reopen();
        assertThat(store.hashKV(0)).isEqualTo(after);
        assertThat(after.hash()).isNotEqualTo(before.hash());
        assertThatThrownBy(() -> store.hashKV(3)).extracting(e -> ((EtcdException) e).error())
                .isEqualTo(EtcdError.COMPACTED);
        assertThatThrownBy(() -> store.hashKV(99)).extracting(e -> ((EtcdException) e).error())
                .isEqualTo(EtcdError.FUTURE_REV);
    }

    @Test
    void hashKvMatchesEtcdsAlgorithm() {
        put("foo", "bar");
        java.util.zip.CRC32C h = new java.util.zip.CRC32C();
        h.update(b("key"));
        h.update(new Revision(2, 0).toBytes());
        h.update(KeyValue.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8("foo"))
                .setValue(com.google.protobuf.ByteString.copyFromUtf8("bar"))
                .setCreateRevision(2).setModRevision(2).setVersion(1).build().toByteArray());
        assertThat(store.hashKV(0).hash()).isEqualTo((int) h.getValue());
    }

    @Test
    void metricsNumbers() {
        put("a", "1");
        put("b", "1");
        delete("a", null);
        assertThat(store.keysTotal()).isEqualTo(1);
        assertThat(store.dbSize()).isPositive();
        assertThat(store.dbSizeInUse()).isPositive().isLessThanOrEqualTo(store.dbSize());
        int h = store.hash();
        reopen();
        assertThat(store.hash()).isEqualTo(h);
    }

    @Test
    void readersSeeAStableRevisionWhileTheApplyThreadWrites() throws Exception {
        put("k", "0");
        java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                fs.add(readers.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        try (ReadTxn v = store.read()) {
                            RangeResult rr = v.range(b("k"), null, RangeOptions.ALL);
                            KeyValue kv = rr.kvs().get(0);
                            assertThat(kv.getModRevision()).isLessThanOrEqualTo(v.rev());
                            assertThat(kv.getVersion()).isEqualTo(kv.getModRevision() - 1);
                        }
                    }
                }));
            }
            for (int i = 1; i <= 300; i++) {
                put("k", Integer.toString(i));
            }
            for (var f : fs) {
                f.get(20, TimeUnit.SECONDS);
            }
        } finally {
            readers.shutdownNow();
        }
    }
}
