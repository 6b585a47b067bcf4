package io.etcdjava.server.rafthttp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.etcdjava.api.internal.RaftSnapshotGrpc;
import io.etcdjava.api.internal.SnapshotAck;
import io.etcdjava.api.internal.SnapshotChunk;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import io.etcdjava.raft.pb.Snapshot;
import io.etcdjava.raft.pb.SnapshotMetadata;
import io.etcdjava.server.mvcc.backend.BackendSnapshot;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A database travels between two peer ports in chunks and arrives whole and verified, or not at all. */
@Timeout(60)
class SnapshotTransferTest {
    private static final long CLUSTER = 0x1234;
    private static final long LEADER = 0xa;
    private static final long FOLLOWER = 0xb;

    @TempDir
    Path dir;
    private PeerServer server;
    private final LinkedBlockingQueue<Message> stepped = new LinkedBlockingQueue<>();
    private final PeerMetrics followerMetrics = new PeerMetrics();
    private String url;

    @BeforeEach
    void start() {
        server = PeerServer.start(List.of("http://127.0.0.1:0"), CLUSTER, FOLLOWER, stepped::add, followerMetrics,
                dir.resolve("follower-snap"));
        InetSocketAddress a = server.boundAddresses().get(0);
        url = "http://127.0.0.1:" + a.getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Message msgSnap(long index) {
        return Message.newBuilder().setType(MessageType.MsgSnap).setFrom(LEADER).setTo(FOLLOWER).setTerm(3)
                .setSnapshot(Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setIndex(index).setTerm(3)))
                .build();
    }

    /** Reports what the sender tells raft. */
    private static final class Reports implements PeerReports {
        final CompletableFuture<Boolean> outcome = new CompletableFuture<>();

        @Override
        public void unreachable(long peer) {
        }

        @Override
        public void snapshotFailed(long peer) {
            outcome.complete(false);
        }

        @Override
        public void snapshotSucceeded(long peer) {
            outcome.complete(true);
        }
    }

    @Test
    void aMultiChunkDatabaseArrivesByteForByteUnderItsIndexBeforeRaftSeesTheMessage() throws Exception {
        byte[] big = new byte[SnapshotSender.CHUNK_BYTES * 3 + 12345];
        new Random(7).nextBytes(big);
        Path scratch = dir.resolve("leader-snap");
        Files.createDirectories(scratch);
        SnapshotSource source = new SnapshotSource() {
            @Override
            public void checkpoint(Path target) throws Exception {
                Files.createDirectory(target);
                Files.write(target.resolve("000007.sst"), big);
                Files.writeString(target.resolve("CURRENT"), "MANIFEST-000005\n");
                Files.write(target.resolve("empty.log"), new byte[0]);
            }

            @Override
            public Path scratchDir() {
                return scratch;
            }
        };
        Reports reports = new Reports();
        PeerMetrics leaderMetrics = new PeerMetrics();
        try (SnapshotSender sender = new SnapshotSender(CLUSTER, LEADER, source, reports, leaderMetrics,
                peer -> peer == FOLLOWER ? List.of(url) : null)) {
            sender.send(msgSnap(42));
            assertThat(reports.outcome.get(30, TimeUnit.SECONDS)).isTrue();
        }

        Message m = stepped.poll(10, TimeUnit.SECONDS);
        assertThat(m).isNotNull();
        assertThat(m.getType()).isEqualTo(MessageType.MsgSnap);
        assertThat(m.getSnapshot().getMetadata().getIndex()).isEqualTo(42);
        Path got = BackendSnapshot.receivedPath(dir.resolve("follower-snap"), 42);
        assertThat(Files.readAllBytes(got.resolve("000007.sst"))).isEqualTo(big);
        assertThat(got.resolve("CURRENT")).hasContent("MANIFEST-000005");
        assertThat(got.resolve("empty.log")).isEmptyFile();
        try (Stream<Path> left = Files.list(scratch)) {
            assertThat(left).as("the leader's checkpoint is removed after the send").isEmpty();
        }
        assertThat(leaderMetrics.snapshotsSent(FOLLOWER)).isEqualTo(1);
        assertThat(followerMetrics.snapshotsReceived(LEADER)).isEqualTo(1);
        assertThat(leaderMetrics.sentBytes.labels("b").get()).isGreaterThanOrEqualTo(big.length);
    }

    @Test
    void aCheckpointPastRaftsSnapshotTravelsUnderTheMetadataOfWhatItHolds() throws Exception {
        Path scratch = dir.resolve("leader-snap");
        Files.createDirectories(scratch);
        // The copy holds index 57 with a configuration that names the follower (added after raft's snapshot at 42).
        SnapshotMetadata applied = SnapshotMetadata.newBuilder().setIndex(57).setTerm(3)
                .setConfState(io.etcdjava.raft.pb.ConfState.newBuilder().addVoters(LEADER).addVoters(FOLLOWER)).build();
        SnapshotSource source = new SnapshotSource() {
            @Override
            public void checkpoint(Path target) {
                throw new AssertionError("the metadata-returning checkpoint is the one used");
            }

            @Override
            public SnapshotMetadata checkpoint(Path target, SnapshotMetadata raftSnapshot) throws Exception {
                assertThat(raftSnapshot.getIndex()).isEqualTo(42);
                Files.createDirectory(target);
                Files.writeString(target.resolve("CURRENT"), "MANIFEST-000009\n");
                return applied;
            }

            @Override
            public Path scratchDir() {
                return scratch;
            }
        };
        Reports reports = new Reports();
        try (SnapshotSender sender = new SnapshotSender(CLUSTER, LEADER, source, reports, new PeerMetrics(),
                peer -> peer == FOLLOWER ? List.of(url) : null)) {
            sender.send(msgSnap(42));
            assertThat(reports.outcome.get(30, TimeUnit.SECONDS)).isTrue();
        }
        Message m = stepped.poll(10, TimeUnit.SECONDS);
        assertThat(m).isNotNull();
        assertThat(m.getSnapshot().getMetadata()).isEqualTo(applied);
        assertThat(BackendSnapshot.receivedPath(dir.resolve("follower-snap"), 57).resolve("CURRENT"))
                .hasContent("MANIFEST-000009");
        assertThat(BackendSnapshot.receivedPath(dir.resolve("follower-snap"), 42)).doesNotExist();
    }

    @Test
    void aFailedCheckpointIsReportedToRaftAsAFailedSnapshot() throws Exception {
        SnapshotSource broken = new SnapshotSource() {
            @Override
            public void checkpoint(Path target) {
                throw new IllegalStateException("disk full");
            }

            @Override
            public Path scratchDir() {
                return dir;
            }
        };
        Reports reports = new Reports();
        PeerMetrics leaderMetrics = new PeerMetrics();
        try (SnapshotSender sender = new SnapshotSender(CLUSTER, LEADER, broken, reports, leaderMetrics,
                peer -> List.of(url))) {
            sender.send(msgSnap(5));
            assertThat(reports.outcome.get(30, TimeUnit.SECONDS)).isFalse();
        }
        assertThat(leaderMetrics.snapshotSendFailures.labels("b").get()).isEqualTo(1);
        assertThat(stepped).isEmpty();
    }

    @Test
    void aCorruptOrTruncatedStreamIsRefusedWithDataLossAndLeavesNothingBehind() throws Exception {
        SnapshotChunk header = SnapshotChunk.newBuilder().setClusterId(CLUSTER).setFrom(LEADER).setTo(FOLLOWER)
                .setRaftMessage(msgSnap(9).toByteString()).setTotalBytes(4).build();
        SnapshotChunk data = SnapshotChunk.newBuilder().setFile("CURRENT").setData(ByteString.copyFromUtf8("abcd")).build();

        Status badCrc = send(header, data, SnapshotChunk.newBuilder().setLast(true).setFileCount(1).setCrc32C(1).build());
        assertThat(badCrc.getCode()).isEqualTo(Status.Code.DATA_LOSS);
        assertThat(badCrc.getDescription()).contains("checksum");

        Status shortStream = send(header.toBuilder().setTotalBytes(8).build(), data,
                SnapshotChunk.newBuilder().setLast(true).setFileCount(1).build());
        assertThat(shortStream.getCode()).isEqualTo(Status.Code.DATA_LOSS);
        assertThat(shortStream.getDescription()).contains("size mismatch");

        Status otherCluster = send(header.toBuilder().setClusterId(99).build());
        assertThat(otherCluster.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);

        assertThat(stepped).isEmpty();
        assertThat(followerMetrics.snapshotReceiveFailures.labels("a").get()).isEqualTo(3);
        try (Stream<Path> left = Files.list(dir.resolve("follower-snap"))) {
            assertThat(left).isEmpty();
        }
    }

    private Status send(SnapshotChunk... chunks) throws Exception {
        RaftSnapshotGrpc.RaftSnapshotStub stub = GrpcClients.newClient(url, RaftSnapshotGrpc.RaftSnapshotStub.class);
        CompletableFuture<Status> done = new CompletableFuture<>();
        StreamObserver<SnapshotChunk> out = stub.send(new StreamObserver<SnapshotAck>() {
            @Override
            public void onNext(SnapshotAck value) {
            }

            @Override
            public void onError(Throwable t) {
                done.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                done.complete(Status.OK);
            }
        });
        for (SnapshotChunk c : chunks) {
            out.onNext(c);
        }
        out.onCompleted();
        // The receiver deletes its partial copy and counts the failure before it answers.
        return done.get(20, TimeUnit.SECONDS);
    }
}
