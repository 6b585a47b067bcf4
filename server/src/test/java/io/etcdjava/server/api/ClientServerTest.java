package io.etcdjava.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdjava.server.api.testing.FakeKvService;
import io.etcdjava.server.api.testing.FakeMemberStatus;
import io.etcdjava.server.metrics.Metrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ClientServerTest {
    private final FakeKvService kv = new FakeKvService();

    private ClientServer.Builder builder() {
        return ClientServer.builder().kvService(kv).memberStatus(new FakeMemberStatus(kv))
                .metrics(Metrics.createWithoutJvm()).ioThreads(1);
    }

    @Test
    void eachListenUrlGetsItsOwnPortServingEverything() throws Exception {
        ClientServer server = builder().listen(URI.create("http://127.0.0.1:0"))
                .listen(URI.create("http://127.0.0.1:0")).build();
        server.start();
        try {
            List<InetSocketAddress> bound = server.boundAddresses();
            assertThat(bound).hasSize(2);
            assertThat(bound.get(0).getPort()).isNotEqualTo(bound.get(1).getPort()).isPositive();
            for (InetSocketAddress a : bound) {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + a.getPort() + "/version")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
            }
        } finally {
            server.stop();
        }
    }

    @Test
    void stopReleasesThePortAndTheNamedThreads() throws Exception {
        ClientServer server = builder().listen("127.0.0.1", 0).build();
        server.start();
        int port = server.port();
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        List<Thread> ours = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("etcd-client-")).toList();
        assertThat(ours).anyMatch(t -> t.getName().startsWith("etcd-client-io"))
                .anyMatch(t -> t.getName().startsWith("etcd-client-blocking"));

        server.stop();

        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
        for (Thread t : ours) {
            t.join(10_000);
            assertThat(t.isAlive()).as(t.getName()).isFalse();
        }
        server.stop(); // idempotent
    }

    @Test
    void aPortInUseFailsStartWithTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ClientServer server = builder().listen("127.0.0.1", taken.getLocalPort()).build();
            assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(String.valueOf(taken.getLocalPort()));
        }
    }

    @Test
    void theBuilderRejectsBadSettingsAtOnce() {
        assertThatThrownBy(() -> builder().build()).hasMessageContaining("listen");
        assertThatThrownBy(() -> builder().listen(URI.create("https://127.0.0.1:0")))
                .hasMessageContaining("scheme");
        assertThatThrownBy(() -> builder().maxRequestBytes(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClientServer.builder().listen("127.0.0.1", 0).build())
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void theGrpcLimitIsMaxRequestBytesPlusEtcdsOverhead() {
        assertThat(builder().listen("127.0.0.1", 0).maxRequestBytes(1024).build().maxInboundMessageBytes())
                .isEqualTo(1024 + 512 * 1024);
    }
}
