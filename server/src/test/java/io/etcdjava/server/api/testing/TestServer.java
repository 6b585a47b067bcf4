package io.etcdjava.server.api.testing;

import io.etcdjava.server.api.ClientServer;
import io.etcdjava.server.metrics.Metrics;

/** A client server on a free 127.0.0.1 port over the fakes; close() stops it. */
public final class TestServer implements AutoCloseable {
    public final FakeKvService kv = new FakeKvService();
    public final FakeMemberStatus member = new FakeMemberStatus(kv);
    public final Metrics metrics = Metrics.create();
    public final ClientServer server;

    public TestServer() {
        this(ClientServer.DEFAULT_MAX_REQUEST_BYTES);
    }

    public TestServer(int maxRequestBytes) {
        server = ClientServer.builder()
                .listen("127.0.0.1", 0)
                .kvService(kv)
                .memberStatus(member)
                .metrics(metrics)
                .maxRequestBytes(maxRequestBytes)
                .serverVersion("3.5.0")
                .clusterVersion(() -> "3.5.0")
                .ioThreads(2)
                .build();
        server.start();
    }

    public int port() {
        return server.port();
    }

    public String endpoint() {
        return "127.0.0.1:" + port();
    }

    public String url() {
        return "http://" + endpoint();
    }

    @Override
    public void close() {
        server.stop();
    }
}
