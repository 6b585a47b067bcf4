package io.etcdjava.server.rafthttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.etcdjava.server.membership.Member;
import io.etcdjava.server.membership.MemberRegistry;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PeerTransportTest {
    private static final long CLUSTER = 0x1000;
    private static final long A = 0xa;
    private static final long B = 0xb;

    private static Message heartbeat(long from, long to, long term) {
        return Message.newBuilder().setType(MessageType.MsgHeartbeat).setFrom(from).setTo(to).setTerm(term).build();
    }

    @Test
    void messagesReachThePeerInTheOrderTheyWereSent() throws Exception {
        List<Message> received = new CopyOnWriteArrayList<>();
        try (PeerServer b = PeerServer.start(List.of("http://127.0.0.1:0"), CLUSTER, B, received::add);
             PeerTransport a = new PeerTransport(CLUSTER, A, Map.of(A, List.of("http://127.0.0.1:1"),
                     B, List.of(url(b))), reports(new AtomicInteger(), new AtomicInteger()))) {
            List<Message> sent = new ArrayList<>();
            for (int i = 1; i <= 1000; i++) {
                sent.add(heartbeat(A, B, i));
            }
            // Messages sent before the stream is up may be lost (raft retries); resend until one lands.
            awaitTrue(() -> {
                a.send(List.of(heartbeat(A, B, 0)));
                return !received.isEmpty();
            });
            a.send(sent);
            awaitTrue(() -> received.stream().filter(m -> m.getTerm() > 0).count() >= sent.size());
            assertThat(received.stream().filter(m -> m.getTerm() > 0)).containsExactlyElementsOf(sent);
        }
    }

    @Test
    void messagesWrittenDirectlyAndThroughTheSenderThreadKeepTheirOrder() throws Exception {
        List<Message> received = new CopyOnWriteArrayList<>();
        try (PeerServer b = PeerServer.start(List.of("http://127.0.0.1:0"), CLUSTER, B, received::add);
             PeerTransport a = new PeerTransport(CLUSTER, A, Map.of(A, List.of("http://127.0.0.1:1"),
                     B, List.of(url(b))), reports(new AtomicInteger(), new AtomicInteger()))) {
            awaitTrue(() -> {
                a.send(List.of(heartbeat(A, B, 0)));
                return !received.isEmpty();
            });
            // One message per call, as the raft loop sends one Ready after another: a call finding
            // the stream idle writes itself, the ones right behind it queue for the sender thread.
            List<Message> sent = new ArrayList<>();
            int sends = 0;
            for (int round = 0; round < 100; round++) {
                for (int i = 0; i < 30; i++) {
                    Message m = heartbeat(A, B, sent.size() + 1);
                    sent.add(m);
                    a.send(List.of(m));
                    sends++;
                }
                int expected = sent.size();
                awaitTrue(() -> received.stream().filter(m -> m.getTerm() > 0).count() >= expected);
            }
            assertThat(received.stream().filter(m -> m.getTerm() > 0)).containsExactlyElementsOf(sent);
            assertThat(a.directWrites(B)).as("direct writes").isPositive().isLessThan(sends);
        }
    }

    @Test
    void aMemberRefusesMessagesFromAnotherCluster() throws Exception {
        List<Message> received = new CopyOnWriteArrayList<>();
        AtomicInteger unreachable = new AtomicInteger();
        try (PeerServer b = PeerServer.start(List.of("http://127.0.0.1:0"), CLUSTER, B, received::add);
             PeerTransport stranger = new PeerTransport(CLUSTER + 1, A, Map.of(B, List.of(url(b))),
                     reports(unreachable, new AtomicInteger()))) {
            awaitTrue(() -> {
                stranger.send(List.of(heartbeat(A, B, 1)));
                return unreachable.get() >= 2;
            });
            assertThat(received).isEmpty();
        }
    }

    @Test
    void aMemberRefusesMessagesMeantForAnotherMember() throws Exception {
        List<Message> received = new CopyOnWriteArrayList<>();
        AtomicInteger unreachable = new AtomicInteger();
        long c = 0xc;
        try (PeerServer b = PeerServer.start(List.of("http://127.0.0.1:0"), CLUSTER, B, received::add);
             PeerTransport a = new PeerTransport(CLUSTER, A, Map.of(c, List.of(url(b))),
                     reports(unreachable, new AtomicInteger()))) {
            awaitTrue(() -> {
                a.send(List.of(heartbeat(A, c, 1)));
                return unreachable.get() >= 2;
            });
            assertThat(received).isEmpty();
        }
    }

    @Test
    void anUnreachablePeerIsReportedToRaftAndItsMessagesAreDroppedNotQueuedForever() throws Exception {
        AtomicInteger unreachable = new AtomicInteger();
        // Nobody listens on port 1.
        try (PeerTransport a = new PeerTransport(CLUSTER, A, Map.of(B, List.of("http://127.0.0.1:1")),
                reports(unreachable, new AtomicInteger()))) {
            List<Message> burst = new ArrayList<>();
            for (int i = 0; i < PeerSender.QUEUE_CAPACITY * 2; i++) {
                burst.add(heartbeat(A, B, i));
            }
            long start = System.nanoTime();
            a.send(burst);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            awaitTrue(() -> unreachable.get() >= 1 && a.dropped(B) >= 1);
        }
    }

    @Test
    void messagesToUnknownMembersOrToSelfAreIgnored() throws Exception {
        try (PeerTransport a = new PeerTransport(CLUSTER, A, Map.of(A, List.of("http://127.0.0.1:1")), reports(new AtomicInteger(), new AtomicInteger()))) {
            a.send(List.of(heartbeat(A, A, 1), heartbeat(A, 0x99, 1)));
            assertThat(a.dropped(0x99)).isZero();
        }
    }

    @Test
    void aSnapshotIsNeverShippedWithoutItsDataRaftIsToldItFailed() throws Exception {
        List<Message> received = new CopyOnWriteArrayList<>();
        AtomicInteger failedSnapshots = new AtomicInteger();
        try (PeerServer b = PeerServer.start(List.of("http://127.0.0.1:0"), CLUSTER, B, received::add);
             PeerTransport a = new PeerTransport(CLUSTER, A, Map.of(B, List.of(url(b))),
                     reports(new AtomicInteger(), failedSnapshots))) {
            a.send(List.of(Message.newBuilder().setType(MessageType.MsgSnap).setFrom(A).setTo(B).setTerm(1).build()));
            assertThat(failedSnapshots.get()).isEqualTo(1);
            awaitTrue(() -> {
                a.send(List.of(heartbeat(A, B, 2)));
                return !received.isEmpty();
            });
            assertThat(received).noneMatch(m -> m.getType() == MessageType.MsgSnap);
        }
    }

    @Test
    void aMemberRemovedFromTheClusterIsToldSoWhenItsStreamOpensAndNothingItSendsIsStepped() throws Exception {
        List<Message> received = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> told = new CompletableFuture<>();
        // B's registry remembers A as removed (A was down when it happened and restarts unaware).
        MembershipPeer bKnowsARemoved = new MembershipPeer() {
            public long clusterId() { return CLUSTER; }
            public long memberId() { return B; }
            public String clusterToken() { return "t"; }
            public MemberRegistry.View members() { return new MemberRegistry.View(Map.of(), Set.of(A)); }
            public void removedByLeader() { }
            public CompletableFuture<List<Member>> promote(long id) { return new CompletableFuture<>(); }
        };
        AtomicInteger unreachable = new AtomicInteger();
        try (PeerServer b = PeerServer.start(List.of("http://127.0.0.1:0"), CLUSTER, B, received::add, bKnowsARemoved,
                new PeerMetrics(), null);
             PeerTransport a = new PeerTransport(CLUSTER, A, Map.of(B, List.of(url(b))), new PeerReports() {
                 @Override
                 public void unreachable(long peer) {
                     unreachable.incrementAndGet();
                 }

                 @Override
                 public void snapshotFailed(long peer) {
                 }

                 @Override
                 public void removedFromCluster() {
                     told.complete(null);
                 }
             })) {
            // Before raft sends anything: the stream's opening is enough (etcd's stream dial gets 410 Gone).
            told.get(20, TimeUnit.SECONDS);
            awaitTrue(() -> {
                a.send(List.of(heartbeat(A, B, 1)));
                return unreachable.get() >= 2;
            });
            assertThat(received).isEmpty();
        }
    }

    static PeerReports reports(AtomicInteger unreachable, AtomicInteger snapshotFailed) {
        return new PeerReports() {
            @Override
            public void unreachable(long peer) {
                unreachable.incrementAndGet();
            }

            @Override
            public void snapshotFailed(long peer) {
                snapshotFailed.incrementAndGet();
            }
        };
    }

    static String url(PeerServer s) {
        return "http://127.0.0.1:" + s.boundAddresses().get(0).getPort();
    }

    static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 20 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
