package io.etcdjava.server.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.ClusterGrpc;
import io.etcdjava.api.etcdserverpb.CompactionRequest;
import io.etcdjava.api.etcdserverpb.Compare;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.LeaseGrpc;
import io.etcdjava.api.etcdserverpb.MaintenanceGrpc;
import io.etcdjava.api.etcdserverpb.MemberListRequest;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.StatusRequest;
import io.etcdjava.api.etcdserverpb.StatusResponse;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import io.etcdjava.api.v3lockpb.LockGrpc;
import io.etcdjava.api.v3lockpb.LockRequest;
import io.etcdjava.server.api.testing.FakeKvService;
import io.etcdjava.server.api.testing.TestServer;
import io.etcdjava.server.errors.EtcdError;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class KvGrpcServiceTest {
    private static TestServer server;
    private static ManagedChannel channel;
    private static KVGrpc.KVBlockingStub kv;

    @BeforeAll
    static void start() {
        server = new TestServer();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    @Test
    void putThenRangeReturnsTheValueWithTheMembersHeader() {
        PutResponse put = kv.put(PutRequest.newBuilder().setKey(b("grpc/a")).setValue(b("1")).build());
        RangeResponse got = kv.range(RangeRequest.newBuilder().setKey(b("grpc/a")).build());

        assertThat(put.getHeader().getClusterId()).isEqualTo(FakeKvService.CLUSTER_ID);
        assertThat(got.getCount()).isEqualTo(1);
        assertThat(got.getKvs(0).getValue().toStringUtf8()).isEqualTo("1");
        assertThat(got.getHeader().getRevision()).isEqualTo(put.getHeader().getRevision());
    }

    @Test
    void deleteRangeCountsDeletedKeys() {
        kv.put(PutRequest.newBuilder().setKey(b("del/a")).setValue(b("1")).build());
        kv.put(PutRequest.newBuilder().setKey(b("del/b")).setValue(b("1")).build());

        long deleted = kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(b("del/")).setRangeEnd(b("del0")).build())
                .getDeleted();

        assertThat(deleted).isEqualTo(2);
    }

    @Test
    void txnTakesTheSuccessBranchWhenTheCompareHolds() {
        kv.put(PutRequest.newBuilder().setKey(b("txn/k")).setValue(b("v1")).build());
        TxnResponse txn = kv.txn(TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(b("txn/k")).setTarget(Compare.CompareTarget.VALUE)
                        .setResult(Compare.CompareResult.EQUAL).setValue(b("v1")))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b("txn/k")).setValue(b("v2"))))
                .build());

        assertThat(txn.getSucceeded()).isTrue();
        assertThat(kv.range(RangeRequest.newBuilder().setKey(b("txn/k")).build()).getKvs(0).getValue())
                .isEqualTo(b("v2"));
    }

    @Test
    void anEtcdErrorKeepsItsCodeAndMessage() {
        server.kv.failNext(EtcdError.COMPACTED.exception());

        assertThatThrownBy(() -> kv.range(RangeRequest.newBuilder().setKey(b("x")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
                    assertThat(e.getStatus().getDescription())
                            .isEqualTo("etcdserver: mvcc: required revision has been compacted");
                });
    }

    @Test
    void validationErrorsFromTheMemberSurfaceAsInvalidArgument() {
        assertThatThrownBy(() -> kv.put(PutRequest.newBuilder().setValue(b("v")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("etcdserver: key is not provided");
                });
    }

    @Test
    void anUnexpectedFailureIsUnknownWithItsMessageOnly() {
        server.kv.failNext(new IllegalStateException("disk on fire"));

        assertThatThrownBy(() -> kv.put(PutRequest.newBuilder().setKey(b("k")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
                    assertThat(e.getStatus().getDescription()).isEqualTo("disk on fire");
                    assertThat(e.getTrailers() == null ? "" : e.getTrailers().toString()).doesNotContain("at io.");
                });
    }

    @Test
    void compactionBelowTheCompactedRevisionIsRejected() {
        kv.put(PutRequest.newBuilder().setKey(b("c")).setValue(b("1")).build());
        long rev = server.kv.revision();
        kv.compact(CompactionRequest.newBuilder().setRevision(rev).build());

        assertThatThrownBy(() -> kv.compact(CompactionRequest.newBuilder().setRevision(rev).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE));
    }

    @Test
    void maintenanceStatusComesFromTheMember() {
        StatusResponse status = MaintenanceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .status(StatusRequest.getDefaultInstance());

        assertThat(status.getVersion()).isEqualTo("3.5.0");
        assertThat(status.getLeader()).isEqualTo(FakeKvService.MEMBER_ID);
    }

    @Test
    void servicesNotYetImplementedAnswerUnimplementedNotUnknownService() {
        assertThatThrownBy(() -> LeaseGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(10).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
                    assertThat(e.getStatus().getDescription()).contains("etcdserverpb.Lease/LeaseGrant");
                });
        assertThatThrownBy(() -> ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .memberList(MemberListRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
        assertThatThrownBy(() -> LockGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .lock(LockRequest.newBuilder().setName(b("l")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    }

    @Test
    void aMessageOverMaxRequestBytesPlusOverheadIsResourceExhausted() {
        int limit = server.server.maxInboundMessageBytes();
        ByteString big = ByteString.copyFrom(new byte[limit + 1]);

        assertThatThrownBy(() -> kv.put(PutRequest.newBuilder().setKey(b("big")).setValue(big).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription()).startsWith("grpc: received message larger than max (");
                });
    }

    @Test
    void aMessageJustUnderTheLimitReachesTheMember() {
        ByteString value = ByteString.copyFrom(new byte[ClientServer_DEFAULT() + 1000]);

        PutResponse put = kv.put(PutRequest.newBuilder().setKey(b("almost")).setValue(value).build());

        assertThat(put.getHeader().getRevision()).isPositive();
    }

    private static int ClientServer_DEFAULT() {
        return io.etcdjava.server.api.ClientServer.DEFAULT_MAX_REQUEST_BYTES;
    }

    @Test
    void theStandardGrpcHealthServiceSaysServing() {
        io.grpc.health.v1.HealthCheckResponse r = io.grpc.health.v1.HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance());

        assertThat(r.getStatus()).isEqualTo(io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
    }
}
