package io.etcdjava.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.LeaseGrpc;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.etcdjava.api.etcdserverpb.MaintenanceGrpc;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.StatusRequest;
import io.etcdjava.api.etcdserverpb.StatusResponse;
import io.etcdjava.api.etcdserverpb.WatchCreateRequest;
import io.etcdjava.api.etcdserverpb.WatchGrpc;
import io.etcdjava.api.etcdserverpb.WatchRequest;
import io.etcdjava.api.etcdserverpb.WatchResponse;
import io.etcdjava.api.mvccpb.Event;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 6: {@code kill -9} the leader of three member processes while leases are live. From what
 * the client observed — when each grant or keep-alive was sent and answered, the TTL, when a
 * surviving member first reported a new leader, and when a watcher on a survivor saw each lease's
 * key deleted — no lease expires before its deadline, none restarts its TTL at full, and none
 * lives more than one election timeout (plus a second of checkpoint rounding) past its deadline (or
 * past the new leader's arrival, if its deadline fell while there was no leader). Keep-alives sent
 * to the survivors — on a stream opened before the kill and on a new one at the surviving follower
 * — keep renewing leases once the new leader is in place.
 */
@Timeout(300)
class LeaseLeaderKillIT {
    /** The members' --election-timeout (the default). */
    private static final long ELECTION_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);
    /**
     * Checkpoints carry whole seconds, rounded up so that no lease expires early: a survivor's idea
     * of a deadline may lie up to a second past the old leader's.
     */
    private static final long ROUNDING_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Scheduling, rate limiting, apply and watch delivery on a loaded two-core machine. */
    private static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);
    /** How long past its deadline (or the new leader's arrival) a lease may live. */
    private static final long OVERSTAY_NANOS = ELECTION_NANOS + ROUNDING_NANOS + SLACK_NANOS;
    private static final long SEC = 1_000_000_000L;

    /** One lease: its deadline lies between sentAt + ttl and ackedAt + ttl on the client's clock. */
    private static final class Tracked {
        final long id;
        final long ttl;
        volatile long sentAt;
        volatile long ackedAt;
        volatile long deletedAt;

        Tracked(long id, long ttl, long sentAt, long ackedAt) {
            this.id = id;
            this.ttl = ttl;
            this.sentAt = sentAt;
            this.ackedAt = ackedAt;
        }
    }

    @Test
    void leasesNeitherExpireEarlyNorResetNorOverstayWhenTheLeaderIsKilled() throws Exception {
        Path dir = EtcdProcess.workDir("LeaseLeaderKillIT");
        List<ManagedChannel> channels = new ArrayList<>();
        long started = System.nanoTime();
        try (ProcessCluster cluster = ProcessCluster.start(dir, 3, "lease-kill-it")) {
            List<EtcdProcess> members = cluster.members();
            for (EtcdProcess m : members) {
                channels.add(NettyChannelBuilder.forAddress("127.0.0.1", m.clientPort).usePlaintext().build());
            }
            int leader = awaitLeader(channels, List.of(0, 1, 2), 0);
            phase("cluster ready", started);
            long oldLeaderId = status(channels.get(leader)).getLeader();
            int client = (leader + 1) % 3;
            int watcher = (leader + 2) % 3;
            ManagedChannel via = channels.get(client);

            Map<String, Long> deletedAt = new ConcurrentHashMap<>();
            CountDownLatch watching = new CountDownLatch(1);
            WatchGrpc.newStub(channels.get(watcher)).watch(new StreamObserver<>() {
                @Override
                public void onNext(WatchResponse r) {
                    long now = System.nanoTime();
                    if (r.getCreated()) {
                        watching.countDown();
                    }
                    for (Event e : r.getEventsList()) {
                        if (e.getType() == Event.EventType.DELETE) {
                            deletedAt.putIfAbsent(e.getKv().getKey().toStringUtf8(), now);
                        }
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            }).onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                    .setKey(bs("lease/")).setRangeEnd(bs("lease0"))).build());
            assertThat(watching.await(20, TimeUnit.SECONDS)).isTrue();

            List<Tracked> leases = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                long ttl = 5 + (i % 6);
                long sent = System.nanoTime();
                long id = LeaseGrpc.newBlockingStub(via).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(ttl).build()).getID();
                leases.add(new Tracked(id, ttl, sent, System.nanoTime()));
                KVGrpc.newBlockingStub(via).withDeadlineAfter(20, TimeUnit.SECONDS).put(PutRequest.newBuilder()
                        .setKey(bs("lease/" + id)).setValue(bs("x")).setLease(id).build());
            }
            // Half are renewed once, through the follower, so their deadlines moved since the grant.
            Thread.sleep(1500);
            // The stream stays open across the kill: it must keep working through the follower.
            LeaseKeepAlives ka = new LeaseKeepAlives(via);
            for (int i = 0; i < leases.size(); i += 2) {
                renew(ka, leases.get(i));
            }
            Thread.sleep(1500);
            phase("leases granted and renewed", started);

            members.get(leader).kill9();
            long killedAt = System.nanoTime();
            List<Integer> survivors = List.of(client, watcher);
            int newLeader = awaitLeader(channels, survivors, oldLeaderId);
            long newLeaderAt = System.nanoTime();
            int follower = newLeader == client ? watcher : client;
            phase(String.format("new leader seen %.2f s after the kill", (newLeaderAt - killedAt) / 1e9), started);

            // Not reset to full: remaining TTLs on the new leader's clock, asked through a survivor.
            for (Tracked t : leases) {
                long remaining = LeaseGrpc.newBlockingStub(via).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(t.id).build()).getTTL();
                long now = System.nanoTime();
                long latest = Math.max(t.ackedAt + t.ttl * SEC, now) + OVERSTAY_NANOS;
                if (remaining >= 0) {
                    assertThat(remaining * SEC).as("lease %x remaining %d s, TTL %d", t.id, remaining, t.ttl)
                            .isLessThanOrEqualTo(latest - now);
                }
            }

            // Keep-alives sent to members that follow the new leader keep working: the stream opened
            // before the kill, and a new one on the surviving follower. Only long leases, so none
            // has expired yet; their deadlines move to these renewals.
            LeaseKeepAlives onFollower = new LeaseKeepAlives(channels.get(follower));
            for (int i = 0; i < leases.size(); i++) {
                Tracked t = leases.get(i);
                if (t.ttl >= 9) {
                    renew(i % 2 == 0 ? ka : onFollower, t);
                }
            }
            ka.close();
            onFollower.close();
            phase("renewed through the survivors", started);

            long waitUntil = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (deletedAt.size() < leases.size() && System.nanoTime() < waitUntil) {
                Thread.sleep(50);
            }
            assertThat(deletedAt).as("every lease expired").hasSize(leases.size());
            for (Tracked t : leases) {
                long deleted = deletedAt.get("lease/" + t.id);
                long earliest = t.sentAt + t.ttl * SEC;
                long latest = Math.max(t.ackedAt + t.ttl * SEC, newLeaderAt) + OVERSTAY_NANOS;
                String facts = String.format("lease %x ttl %d: deleted %.2f s after the last send, %.2f s after the "
                        + "kill, new leader seen %.2f s after the kill", t.id, t.ttl, (deleted - t.sentAt) / 1e9,
                        (deleted - killedAt) / 1e9, (newLeaderAt - killedAt) / 1e9);
                System.out.println(facts);
                assertThat(deleted).as("not early: " + facts).isGreaterThanOrEqualTo(earliest);
                assertThat(deleted).as("not late: " + facts).isLessThanOrEqualTo(latest);
            }
            phase("all leases expired in time", started);
        } finally {
            for (ManagedChannel ch : channels) {
                ch.shutdownNow();
            }
        }
    }

    private static void renew(LeaseKeepAlives stream, Tracked t) throws InterruptedException {
        long sent = System.nanoTime();
        assertThat(stream.renew(t.id).getTTL()).as("keep-alive of lease %x", t.id).isEqualTo(t.ttl);
        t.sentAt = sent;
        t.ackedAt = System.nanoTime();
    }

    private static void phase(String what, long started) {
        System.out.printf("LeaseLeaderKillIT: %s at %.2f s%n", what, (System.nanoTime() - started) / 1e9);
    }

    /** Index (into {@code channels}) of the member all of {@code among} agree leads, not {@code notId}. */
    private static int awaitLeader(List<ManagedChannel> channels, List<Integer> among, long notId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                long lead = -1;
                boolean agreed = true;
                int index = -1;
                for (int i : among) {
                    StatusResponse s = status(channels.get(i));
                    lead = lead == -1 ? s.getLeader() : lead;
                    agreed &= s.getLeader() == lead;
                    if (s.getHeader().getMemberId() == s.getLeader()) {
                        index = i;
                    }
                }
                if (agreed && lead != 0 && lead != notId && index >= 0) {
                    return index;
                }
            } catch (RuntimeException busy) {
                // A member without a leader may refuse; ask again.
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no agreed leader within 30 s");
    }

    private static StatusResponse status(ManagedChannel ch) {
        return MaintenanceGrpc.newBlockingStub(ch).withDeadlineAfter(3, TimeUnit.SECONDS)
                .status(StatusRequest.getDefaultInstance());
    }

    private static ByteString bs(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }

    /** A keep-alive stream driven one request at a time. */
    private static final class LeaseKeepAlives {
        private final LinkedBlockingQueue<Object> replies = new LinkedBlockingQueue<>();
        private final StreamObserver<LeaseKeepAliveRequest> requests;

        LeaseKeepAlives(ManagedChannel ch) {
            requests = LeaseGrpc.newStub(ch).leaseKeepAlive(new StreamObserver<>() {
                @Override
                public void onNext(LeaseKeepAliveResponse r) {
                    replies.add(r);
                }

                @Override
                public void onError(Throwable t) {
                    replies.add(t);
                }

                @Override
                public void onCompleted() {
                }
            });
        }

        LeaseKeepAliveResponse renew(long id) throws InterruptedException {
            requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(id).build());
            Object r = replies.poll(20, TimeUnit.SECONDS);
            assertThat(r).as("keep-alive answer").isInstanceOf(LeaseKeepAliveResponse.class);
            return (LeaseKeepAliveResponse) r;
        }

        void close() {
            requests.onCompleted();
        }
    }
}
