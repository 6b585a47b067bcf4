package io.etcdjava.server.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.LeaseCheckpoint;
import io.etcdjava.api.etcdserverpb.LeaseCheckpointRequest;
import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.server.apply.KvApplier;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.mvcc.MvccStore;
import io.etcdjava.server.mvcc.RangeOptions;
import io.etcdjava.server.mvcc.ReadTxn;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The applied lease state: grants, attachments following puts and deletes, revoke, restore. */
@Timeout(30)
class LeaseStoreTest {
    @TempDir
    Path dir;

    private MvccStore mvcc;
    private LeaseStore leases;
    private KvApplier kv;
    private long index;

    private void open() {
        mvcc = MvccStore.open(dir.resolve("db"));
        leases = LeaseStore.open(mvcc, 5, new LeaseMetrics());
        kv = new KvApplier(mvcc, leases);
    }

    @AfterEach
    void close() {
        if (mvcc != null) {
            mvcc.close();
        }
    }

    private long grant(long id, long ttl) {
        return leases.grant(LeaseGrantRequest.newBuilder().setID(id).setTTL(ttl).build(), ++index, 1).response().getTTL();
    }

    private void put(String key, long lease) {
        kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v"))
                .setLease(lease).build(), ++index, 1);
    }

    private long liveKeys() {
        try (ReadTxn r = mvcc.read()) {
            return r.range(new byte[] {0}, new byte[0], RangeOptions.ALL).kvs().size();
        }
    }

    private static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    @Test
    void aGrantBelowTheMinimumIsRaisedToIt() {
        open();
        assertThat(grant(1, 2)).isEqualTo(5);
        assertThat(grant(2, 60)).isEqualTo(60);
    }

    @Test
    void grantRejectsADuplicateIdATooLargeTtlAndIdZero() {
        open();
        grant(1, 10);
        assertThatThrownBy(() -> grant(1, 10)).isInstanceOf(EtcdException.class)
                .extracting(e -> ((EtcdException) e).error()).isEqualTo(EtcdError.LEASE_EXIST);
        assertThatThrownBy(() -> grant(2, LeaseStore.MAX_LEASE_TTL + 1))
                .extracting(e -> ((EtcdException) e).error()).isEqualTo(EtcdError.LEASE_TTL_TOO_LARGE);
        assertThatThrownBy(() -> grant(0, 10))
                .extracting(e -> ((EtcdException) e).error()).isEqualTo(EtcdError.LEASE_NOT_FOUND);
        // Failed grants still record their raft index as applied.
        assertThat(mvcc.consistentIndex()).isEqualTo(index);
    }

    @Test
    void keysFollowTheirLeaseAcrossPutsAndDeletes() {
        open();
        grant(1, 10);
        grant(2, 10);
        put("a", 1);
        put("b", 1);
        put("b", 2);
        put("c", 2);
        kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs("c")).build(), ++index, 1);
        put("a", 0);
        assertThat(leases.lookup(1).orElseThrow().keys()).isEmpty();
        assertThat(leases.lookup(2).orElseThrow().keys()).containsExactly(bs("b"));
    }

    @Test
    void aKeyLeavesItsLeaseAfterARevokeAndAReopenWithoutItsOldValue() {
        // A put's event carries no prev_kv: which lease a key leaves comes from the store's own map.
        open();
        grant(1, 10);
        grant(2, 10);
        grant(3, 10);
        put("a", 1);
        put("b", 1);
        leases.revoke(1, ++index, 1);
        put("a", 2);
        assertThat(leases.lookup(2).orElseThrow().keys()).containsExactly(bs("a"));
        mvcc.close();
        open();
        put("a", 3);
        put("b", 3);
        assertThat(leases.lookup(2).orElseThrow().keys()).isEmpty();
        assertThat(leases.lookup(3).orElseThrow().keys()).containsExactly(bs("a"), bs("b"));
        leases.revoke(2, ++index, 1);
        assertThat(liveKeys()).as("revoking the lease a key left deletes nothing").isEqualTo(2);
        leases.revoke(3, ++index, 1);
        assertThat(liveKeys()).isZero();
    }

    @Test
    void aPutWithAnUnknownLeaseIsRejected() {
        open();
        assertThatThrownBy(() -> put("a", 99)).extracting(e -> ((EtcdException) e).error())
                .isEqualTo(EtcdError.LEASE_NOT_FOUND);
    }

    @Test
    void aRevokeDeletesEveryAttachedKeyInOneRevision() {
        open();
        grant(1, 10);
        for (int i = 0; i < 50; i++) {
            put("k" + i, 1);
        }
        put("other", 0);
        long before = mvcc.currentRevision();
        long rev = leases.revoke(1, ++index, 1);
        assertThat(rev).isEqualTo(before + 1);
        assertThat(liveKeys()).isEqualTo(1);
        assertThat(leases.exists(1)).isFalse();
        assertThatThrownBy(() -> leases.revoke(1, ++index, 1)).extracting(e -> ((EtcdException) e).error())
                .isEqualTo(EtcdError.LEASE_NOT_FOUND);
    }

    @Test
    void leasesCheckpointsAndAttachmentsSurviveAReopen() {
        open();
        grant(1, 30);
        grant(2, 40);
        put("a", 1);
        put("b", 2);
        leases.checkpoint(LeaseCheckpointRequest.newBuilder()
                .addCheckpoints(LeaseCheckpoint.newBuilder().setID(1).setRemainingTTL(12))
                .addCheckpoints(LeaseCheckpoint.newBuilder().setID(77).setRemainingTTL(3)).build(), ++index, 1);
        leases.revoke(2, ++index, 1);
        mvcc.close();
        open();
        LeaseInfo l = leases.lookup(1).orElseThrow();
        assertThat(l.ttl()).isEqualTo(30);
        assertThat(l.remainingTtl()).isEqualTo(12);
        assertThat(l.startTtl()).isEqualTo(12);
        assertThat(l.keys()).containsExactly(bs("a"));
        assertThat(leases.exists(2)).isFalse();
        assertThat(leases.ids()).containsExactly(1L);
    }
}
