package io.etcdjava.server.etcdserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.CompactionRequest;
import io.etcdjava.api.etcdserverpb.Compare;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class EtcdServerTest {
    @TempDir
    Path dir;

    private MemberSettings settings() {
        // etcd's defaults: the member and cluster IDs must come out as etcd's well-known ones.
        return new MemberSettings("default", dir.resolve("default.etcd"), null,
                List.of("http://localhost:2379"), List.of("http://localhost:2380"),
                Map.of("default", List.of("http://localhost:2380")), "etcd-cluster",
                Duration.ofMillis(100), 10, 100_000, 128, 1_572_864, true);
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static EtcdError errorOf(CompletableFuture<?> f) {
        try {
            f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EtcdException ee) {
                return ee.error();
            }
            throw new AssertionError("unexpected failure", e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void writesGoThroughRaftAndReadsSeeThemWithEtcdsHeader() throws Exception {
        try (EtcdServer s = EtcdServer.start(settings())) {
            get(s.ready());
            var put = get(s.put(PutRequest.newBuilder().setKey(b("greeting")).setValue(b("Hello, etcd")).build()));
            assertThat(put.getHeader().getMemberId()).isEqualTo(0x8e9e05c52164694dL);
            assertThat(put.getHeader().getClusterId()).isEqualTo(0xcdf818194e3a8c32L);
            assertThat(put.getHeader().getRevision()).isEqualTo(2);
            assertThat(put.getHeader().getRaftTerm()).isGreaterThanOrEqualTo(2);

            RangeResponse r = get(s.range(RangeRequest.newBuilder().setKey(b("greeting")).build()));
            assertThat(r.getKvsList()).singleElement().satisfies(kv -> {
                assertThat(kv.getValue().toStringUtf8()).isEqualTo("Hello, etcd");
                assertThat(kv.getCreateRevision()).isEqualTo(2);
                assertThat(kv.getVersion()).isEqualTo(1);
            });
            RangeResponse serializable = get(s.range(RangeRequest.newBuilder().setKey(b("greeting"))
                    .setSerializable(true).build()));
            assertThat(serializable.getCount()).isEqualTo(1);

            var del = get(s.deleteRange(DeleteRangeRequest.newBuilder().setKey(b("greeting")).build()));
            assertThat(del.getDeleted()).isEqualTo(1);
            assertThat(del.getHeader().getRevision()).isEqualTo(3);
        }
    }

    @Test
    void txnCompareAndSwapTakesTheRightBranch() throws Exception {
        try (EtcdServer s = EtcdServer.start(settings())) {
            get(s.ready());
            get(s.put(PutRequest.newBuilder().setKey(b("k")).setValue(b("v1")).build()));
            TxnRequest cas = TxnRequest.newBuilder()
                    .addCompare(Compare.newBuilder().setKey(b("k")).setTarget(Compare.CompareTarget.VALUE)
                            .setResult(Compare.CompareResult.EQUAL).setValue(b("v1")))
                    .addSuccess(RequestOp.newBuilder().setRequestPut(
                            PutRequest.newBuilder().setKey(b("k")).setValue(b("v2"))))
                    .build();
            TxnResponse first = get(s.txn(cas));
            TxnResponse second = get(s.txn(cas));
            assertThat(first.getSucceeded()).isTrue();
            assertThat(second.getSucceeded()).isFalse();
            assertThat(get(s.range(RangeRequest.newBuilder().setKey(b("k")).build())).getKvs(0).getValue())
                    .isEqualTo(b("v2"));
        }
    }

    @Test
    void badRequestsGetEtcdsErrors() throws Exception {
        try (EtcdServer s = EtcdServer.start(settings())) {
            get(s.ready());
            assertThat(errorOf(s.put(PutRequest.newBuilder().setValue(b("x")).build()))).isEqualTo(EtcdError.EMPTY_KEY);
            assertThat(errorOf(s.put(PutRequest.newBuilder().setKey(b("x")).setLease(42).build())))
                    .isEqualTo(EtcdError.LEASE_NOT_FOUND);
            get(s.put(PutRequest.newBuilder().setKey(b("a")).setValue(b("1")).build()));
            get(s.put(PutRequest.newBuilder().setKey(b("a")).setValue(b("2")).build()));
            get(s.compact(CompactionRequest.newBuilder().setRevision(3).setPhysical(true).build()));
            assertThat(errorOf(s.range(RangeRequest.newBuilder().setKey(b("a")).setRevision(2).build())))
                    .isEqualTo(EtcdError.COMPACTED);
            assertThat(errorOf(s.range(RangeRequest.newBuilder().setKey(b("a")).setRevision(99).build())))
                    .isEqualTo(EtcdError.FUTURE_REV);
            ByteString huge = ByteString.copyFrom(new byte[2 * 1024 * 1024]);
            assertThat(errorOf(s.put(PutRequest.newBuilder().setKey(b("big")).setValue(huge).build())))
                    .isEqualTo(EtcdError.REQUEST_TOO_LARGE);
        }
    }

    @Test
    void aRestartedMemberKeepsEveryAcknowledgedWrite() throws Exception {
        try (EtcdServer s = EtcdServer.start(settings())) {
            get(s.ready());
            for (int i = 0; i < 50; i++) {
                get(s.put(PutRequest.newBuilder().setKey(b("key" + i)).setValue(b("v" + i)).build()));
            }
        }
        try (EtcdServer s = EtcdServer.start(settings())) {
            get(s.ready());
            RangeResponse all = get(s.range(RangeRequest.newBuilder().setKey(b("key")).setRangeEnd(b("kez")).build()));
            assertThat(all.getCount()).isEqualTo(50);
            assertThat(all.getHeader().getRevision()).isEqualTo(51);
            assertThat(s.memberId()).isEqualTo(0x8e9e05c52164694dL);
        }
    }

    @Test
    void statusReportsLeaderAndRaftIndexes() throws Exception {
        try (EtcdServer s = EtcdServer.start(settings())) {
            get(s.ready());
            var st = get(s.status());
            assertThat(st.getVersion()).isEqualTo(EtcdServer.VERSION);
            assertThat(st.getLeader()).isEqualTo(s.memberId());
            assertThat(st.getRaftIndex()).isGreaterThan(0);
            assertThat(st.getDbSize()).isGreaterThan(0);
            get(s.checkHealth());
        }
    }

    @Test
    void whatRunsBeforeRaftSeesTheServerOpenButRaftNotYetTicking() throws Exception {
        CompletableFuture<Void> readyAsSeenBeforeRaft = new CompletableFuture<>();
        try (EtcdServer s = EtcdServer.start(settings(), nanos -> { }, io.etcdjava.server.raftnode.Transport.NONE, null,
                srv -> {
                    // A lone member elects itself at raft's first loop turn; while this runs it must not.
                    CompletableFuture<Void> ready = srv.ready();
                    assertThatThrownBy(() -> ready.get(500, TimeUnit.MILLISECONDS))
                            .isInstanceOf(java.util.concurrent.TimeoutException.class);
                    assertThat(srv.raftStatus().term()).isZero();
                    ready.whenComplete((v, e) -> readyAsSeenBeforeRaft.complete(null));
                })) {
            readyAsSeenBeforeRaft.get(30, TimeUnit.SECONDS);
            assertThat(s.raftStatus().leader()).isEqualTo(s.memberId());
        }
    }

    @Test
    void aFailureBeforeRaftStartsLeavesTheDataDirReusable() throws Exception {
        assertThatThrownBy(() -> EtcdServer.start(settings(), nanos -> { }, io.etcdjava.server.raftnode.Transport.NONE,
                null, srv -> {
                    throw new IllegalStateException("cannot listen for peers");
                })).hasMessage("cannot listen for peers");
        // The WAL, the store and their locks were released: the same member starts again.
        try (EtcdServer s = EtcdServer.start(settings())) {
            s.ready().get(30, TimeUnit.SECONDS);
            assertThat(s.raftStatus().leader()).isEqualTo(s.memberId());
        }
    }
}
