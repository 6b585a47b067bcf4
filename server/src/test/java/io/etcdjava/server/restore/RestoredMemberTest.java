package io.etcdjava.server.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.mvccpb.KeyValue;
import io.etcdjava.server.config.ServerConfig;
import io.etcdjava.server.embed.EmbeddedEtcd;
import io.etcdjava.server.membership.Member;
import io.etcdjava.server.membership.MemberIds;
import io.etcdjava.server.mvcc.Revision;
import io.etcdjava.server.testing.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A data dir written by restore, from a snapshot's key bucket, boots a member that serves those keys. */
@Timeout(180)
class RestoredMemberTest {
    private static final String TOKEN = "restore-test";

    @TempDir
    Path dir;

    private static byte[] kv(String key, String value, long create, long mod, long version) {
        return KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value))
                .setCreateRevision(create).setModRevision(mod).setVersion(version).build().toByteArray();
    }

    /** The snapshot as etcd's key bucket holds it: revision → KeyValue, in revision order. */
    private static void buckets(String bucket, BiConsumer<byte[], byte[]> sink) {
        if (bucket.equals("key")) {
            sink.accept(new Revision(2, 0).toBytes(), kv("a", "1", 2, 2, 1));
            sink.accept(new Revision(3, 0).toBytes(), kv("b", "2", 3, 3, 1));
            sink.accept(new Revision(4, 0).toBytes(), kv("a", "3", 2, 4, 2));
        }
    }


    private static RangeResponse get(EmbeddedEtcd m, String key) throws Exception {
        return m.server().range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build())
                .get(30, TimeUnit.SECONDS);
    }

    @Test
    void aRestoredMemberServesTheSnapshotsKeysAsTheOnlyMemberOfTheNewCluster() throws Exception {
        String peer = "http://127.0.0.1:" + FreePorts.next();
        Path dataDir = dir.resolve("m.etcd");
        RestoredMember.write("m", Map.of("m", List.of(peer)), TOKEN, dataDir, dataDir.resolve("member/wal"),
                RestoredMemberTest::buckets);
        assertThat(dataDir.resolve("member/snap")).isDirectory();
        try (var snaps = Files.list(dataDir.resolve("member/snap"))) {
            assertThat(snaps.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".snap"));
        }

        ServerConfig cfg = ServerConfig.builder().name("m").dataDir(dataDir.toString())
                .listenClientUrls("http://127.0.0.1:0").advertiseClientUrls("http://127.0.0.1:0")
                .listenPeerUrls(peer).initialAdvertisePeerUrls(peer).initialCluster("m=" + peer)
                .initialClusterToken(TOKEN).heartbeatIntervalMs(10).electionTimeoutMs(100).build();
        try (EmbeddedEtcd m = EmbeddedEtcd.start(cfg)) {
            m.server().ready().get(60, TimeUnit.SECONDS);
            RangeResponse a = get(m, "a");
            assertThat(a.getKvs(0).getValue().toString(StandardCharsets.UTF_8)).isEqualTo("3");
            assertThat(a.getKvs(0).getVersion()).isEqualTo(2);
            assertThat(a.getHeader().getRevision()).isEqualTo(4);
            assertThat(get(m, "b").getKvs(0).getValue().toStringUtf8()).isEqualTo("2");

            long id = MemberIds.memberId(List.of(peer), TOKEN, null);
            assertThat(m.server().memberId()).isEqualTo(id);
            assertThat(m.server().clusterId()).isEqualTo(MemberIds.clusterId(List.of(id)));
            assertThat(m.server().members().members()).extracting(Member::id).containsExactly(id);

            long rev = m.server().put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("c"))
                    .setValue(ByteString.copyFromUtf8("4")).build()).get(30, TimeUnit.SECONDS).getHeader().getRevision();
            assertThat(rev).isEqualTo(5);
        }
    }
}
