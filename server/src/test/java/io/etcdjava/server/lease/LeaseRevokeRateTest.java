package io.etcdjava.server.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.LeaseGrantResponse;
import io.etcdjava.api.etcdserverpb.LeaseGrpc;
import io.etcdjava.api.etcdserverpb.LeaseLeasesRequest;
import io.etcdjava.server.config.ServerConfig;
import io.etcdjava.server.embed.EmbeddedEtcd;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** --experimental-lease-revoke-rate bounds how fast a member's leader revokes expired leases. */
@Timeout(120)
class LeaseRevokeRateTest {
    private static final int RATE = 20;
    private static final int LEASES = 100;
    private static final long TTL_SECONDS = 2;

    @TempDir
    Path dir;

    private EmbeddedEtcd member;
    private ManagedChannel channel;

    @AfterEach
    void tearDown() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (member != null) {
            member.close();
        }
    }

    @Test
    void leasesExpiringTogetherAreRevokedNoFasterThanTheConfiguredRate() throws Exception {
        member = EmbeddedEtcd.start(ServerConfig.builder()
                .dataDir(dir.resolve("m.etcd").toString())
                .listenClientUrls("http://127.0.0.1:0")
                .advertiseClientUrls("http://127.0.0.1:0")
                .set("heartbeat-interval", 10L)
                .set("election-timeout", 100L)
                .set("experimental-lease-revoke-rate", (long) RATE)
                .build());
        channel = NettyChannelBuilder.forAddress("127.0.0.1", member.clientAddresses().get(0).getPort())
                .usePlaintext().build();
        LeaseGrpc.LeaseFutureStub async = LeaseGrpc.newFutureStub(channel);

        // The leader starts a lease's clock when it takes in the applied grant, so no lease can
        // expire (and no revoke can be proposed) before this instant plus the TTL.
        long grantsSent = System.nanoTime();
        List<com.google.common.util.concurrent.ListenableFuture<LeaseGrantResponse>> grants = new ArrayList<>();
        for (int i = 0; i < LEASES; i++) {
            grants.add(async.withDeadlineAfter(30, TimeUnit.SECONDS)
                    .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(TTL_SECONDS).build()));
        }
        for (var g : grants) {
            assertThat(g.get(30, TimeUnit.SECONDS).getTTL()).isEqualTo(TTL_SECONDS);
        }
        long earliestDeadline = grantsSent + TimeUnit.SECONDS.toNanos(TTL_SECONDS);

        // Sample the number of revoked leases until none is left. A sample is dated after its
        // answer came back, which only loosens the bound: load can slow revokes, never speed them.
        LeaseGrpc.LeaseBlockingStub stub = LeaseGrpc.newBlockingStub(channel);
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int revoked = 0;
        int samples = 0;
        int partialSamples = 0;
        while (revoked < LEASES) {
            assertThat(System.nanoTime()).as("every lease revoked within 60 s").isLessThan(giveUp);
            int left = stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .leaseLeases(LeaseLeasesRequest.getDefaultInstance()).getLeasesCount();
            long at = System.nanoTime();
            revoked = LEASES - left;
            samples++;
            if (revoked > 0 && revoked < LEASES) {
                partialSamples++;
            }
            double secondsOfRevoking = Math.max(0, at - earliestDeadline) / 1e9;
            // One token may be banked when the first lease expires; two more for tick rounding.
            assertThat((double) revoked).as("revoked after %.2f s of possible revoking (sample %d)",
                    secondsOfRevoking, samples).isLessThanOrEqualTo(3 + RATE * secondsOfRevoking);
            Thread.sleep(20);
        }
        // 100 leases at 20 a second take about 5 s: polling every 20 ms must have caught them
        // part-way, or the bound above was never put to the test.
        assertThat(partialSamples).as("samples taken while revoking").isGreaterThan(10);
    }
}
