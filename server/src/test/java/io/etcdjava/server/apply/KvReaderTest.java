package io.etcdjava.server.apply;

import static io.etcdjava.server.apply.KvFixture.bs;
import static io.etcdjava.server.apply.KvFixture.errorOf;
import static io.etcdjava.server.apply.KvFixture.opPut;
import static io.etcdjava.server.apply.KvFixture.opRange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.google.protobuf.ByteString;

import io.etcdjava.api.etcdserverpb.CompactionRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest.SortOrder;
import io.etcdjava.api.etcdserverpb.RangeRequest.SortTarget;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.server.errors.EtcdError;

@Timeout(30)
class KvReaderTest {
    @TempDir
    Path dir;
    KvFixture kv;

    /**
     * History: a@2 (v1), b@3, c@4, a@5 (v2), d@6, b@7 (v2), e@8. Values chosen so value order differs
     * from key order.
     */
    @BeforeEach
    void open() {
        kv = new KvFixture(dir, LeaseLookup.NONE);
        kv.put("a", "z1");
        kv.put("b", "y");
        kv.put("c", "x");
        kv.put("a", "z2");
        kv.put("d", "w");
        kv.put("b", "y2");
        kv.put("e", "v");
    }

    @AfterEach
    void close() {
        kv.close();
    }

    RangeResponse range(RangeRequest.Builder r) {
        var a = kv.reader.range(r.build());
        assertThat(a.response().hasHeader()).isFalse();
        return a.response();
    }

    static RangeRequest.Builder all() {
        return RangeRequest.newBuilder().setKey(bs("a")).setRangeEnd(ByteString.copyFrom(new byte[1]));
    }

    static List<String> keys(RangeResponse r) {
        return r.getKvsList().stream().map(kv -> kv.getKey().toStringUtf8()).toList();
    }

    @Test
    void singleKeyPrefixAndFromKey() {
        assertThat(keys(range(RangeRequest.newBuilder().setKey(bs("b"))))).containsExactly("b");
        assertThat(keys(range(RangeRequest.newBuilder().setKey(bs("b")).setRangeEnd(bs("d")))))
                .containsExactly("b", "c");
        assertThat(keys(range(all()))).containsExactly("a", "b", "c", "d", "e");
        assertThat(keys(range(RangeRequest.newBuilder().setKey(ByteString.copyFrom(new byte[1]))
                .setRangeEnd(ByteString.copyFrom(new byte[1]))))).as("etcdctl get \"\" --from-key").hasSize(5);
        var a = kv.reader.range(all().build());
        assertThat(a.revision()).isEqualTo(8);
    }

    @Test
    void limitSetsMoreAndCountIgnoresIt() {
        RangeResponse r = range(all().setLimit(2));
        assertThat(keys(r)).containsExactly("a", "b");
        assertThat(r.getMore()).isTrue();
        assertThat(r.getCount()).isEqualTo(5);
        RangeResponse exact = range(all().setLimit(5));
        assertThat(exact.getMore()).isFalse();
        assertThat(exact.getKvsCount()).isEqualTo(5);
    }

    @Test
    void countOnlyReturnsNoKvs() {
        RangeResponse r = range(all().setCountOnly(true).setLimit(1));
        assertThat(r.getKvsCount()).isZero();
        assertThat(r.getCount()).isEqualTo(5);
        assertThat(r.getMore()).isFalse();
    }

    @Test
    void keysOnlyDropsValues() {
        RangeResponse r = range(all().setKeysOnly(true));
        assertThat(r.getKvsList()).allSatisfy(kv -> assertThat(kv.getValue().isEmpty()).isTrue());
        assertThat(r.getKvs(0).getModRevision()).isEqualTo(5);
    }

    @Test
    void sortOrdersAndTargets() {
        assertThat(keys(range(all().setSortOrder(SortOrder.DESCEND)))).containsExactly("e", "d", "c", "b", "a");
        assertThat(keys(range(all().setSortOrder(SortOrder.ASCEND).setSortTarget(SortTarget.VALUE))))
                .containsExactly("e", "d", "c", "b", "a");
        assertThat(keys(range(all().setSortOrder(SortOrder.DESCEND).setSortTarget(SortTarget.MOD))))
                .containsExactly("e", "b", "d", "a", "c");
        assertThat(keys(range(all().setSortOrder(SortOrder.ASCEND).setSortTarget(SortTarget.CREATE))))
                .containsExactly("a", "b", "c", "d", "e");
        // ties keep key order, in both directions
        assertThat(keys(range(all().setSortOrder(SortOrder.ASCEND).setSortTarget(SortTarget.VERSION))))
                .containsExactly("c", "d", "e", "a", "b");
        assertThat(keys(range(all().setSortOrder(SortOrder.DESCEND).setSortTarget(SortTarget.VERSION))))
                .containsExactly("a", "b", "c", "d", "e");
    }

    @Test
    void sortOrderNoneWithANonKeyTargetSortsAscendingAfterTheLimit() {
        // etcd: NONE + target != KEY means ASCEND, but only limit+1 keys (in key order) get sorted
        RangeResponse r = range(all().setSortTarget(SortTarget.VALUE).setLimit(2));
        assertThat(keys(r)).containsExactly("c", "b");
        assertThat(r.getMore()).isTrue();
        // with an explicit order, everything is sorted before truncation
        assertThat(keys(range(all().setSortOrder(SortOrder.ASCEND).setSortTarget(SortTarget.VALUE).setLimit(2))))
                .containsExactly("e", "d");
        // NONE + KEY: plain key order
        assertThat(keys(range(all().setSortTarget(SortTarget.KEY).setLimit(2)))).containsExactly("a", "b");
    }

    @Test
    void revisionFiltersPruneKvsButNotCount() {
        RangeResponse r = range(all().setMinModRevision(5));
        assertThat(keys(r)).containsExactly("a", "b", "d", "e");
        assertThat(r.getCount()).as("count is the range size before filters").isEqualTo(5);
        assertThat(keys(range(all().setMaxModRevision(5)))).containsExactly("a", "c");
        assertThat(keys(range(all().setMinCreateRevision(4)))).containsExactly("c", "d", "e");
        assertThat(keys(range(all().setMaxCreateRevision(3)))).containsExactly("a", "b");
        RangeResponse limited = range(all().setMinModRevision(5).setLimit(3));
        assertThat(keys(limited)).containsExactly("a", "b", "d");
        assertThat(limited.getMore()).isTrue();
        RangeResponse exactlyLimit = range(all().setMinModRevision(6).setLimit(3));
        assertThat(keys(exactlyLimit)).containsExactly("b", "d", "e");
        assertThat(exactlyLimit.getMore()).as("more counts filtered kvs only").isFalse();
        assertThat(exactlyLimit.getCount()).isEqualTo(5);
    }

    @Test
    void readingAnOldRevision() {
        RangeResponse r = range(all().setRevision(4));
        assertThat(keys(r)).containsExactly("a", "b", "c");
        assertThat(r.getKvs(0).getValue().toStringUtf8()).isEqualTo("z1");
        assertThat(kv.reader.range(all().setRevision(4).build()).revision()).as("header has the current revision")
                .isEqualTo(8);
        assertThat(range(all().setRevision(-3)).getKvsCount()).as("negative = current").isEqualTo(5);
    }

    @Test
    void futureAndCompactedRevisions() throws Exception {
        assertThatThrownBy(() -> kv.reader.range(all().setRevision(9).build()))
                .satisfies(e -> assertThat(errorOf(e)).isEqualTo(EtcdError.FUTURE_REV));
        kv.applier.compact(CompactionRequest.newBuilder().setRevision(5).build(), ++kv.index, 1)
                .physical().get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> kv.reader.range(all().setRevision(4).build()))
                .satisfies(e -> assertThat(errorOf(e)).isEqualTo(EtcdError.COMPACTED));
        assertThat(keys(range(all().setRevision(5)))).containsExactly("a", "b", "c");
    }

    @Test
    void readOnlyTxnAtOneRevision() {
        TxnRequest t = TxnRequest.newBuilder().addSuccess(opRange("a", null)).addSuccess(opRange("b", "d")).build();
        assertThat(KvReader.isReadOnly(t)).isTrue();
        assertThat(KvReader.isSerializable(t)).isFalse();
        var a = kv.reader.txn(t);
        assertThat(a.revision()).isEqualTo(8);
        assertThat(a.response().getResponses(1).getResponseRange().getKvsCount()).isEqualTo(2);
        assertThat(a.response().getResponses(1).getResponseRange().getHeader().getRevision()).isEqualTo(8);
        TxnRequest w = t.toBuilder().addFailure(opPut("x", "1")).build();
        assertThat(KvReader.isReadOnly(w)).isFalse();
        assertThatThrownBy(() -> kv.reader.txn(w)).isInstanceOf(IllegalArgumentException.class);
    }
}
