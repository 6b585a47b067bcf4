package io.etcdjava.testing.client;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One plaintext gRPC channel per member endpoint, shared by the workload's threads; closed by its owner. */
public final class Channels implements AutoCloseable {
    private final List<String> endpoints;
    private final List<ManagedChannel> channels = new ArrayList<>();

    public Channels(List<String> endpoints) {
        this.endpoints = List.copyOf(endpoints);
        for (String e : endpoints) {
            channels.add(ManagedChannelBuilder.forTarget(e).usePlaintext()
                    .keepAliveTime(5, TimeUnit.SECONDS).keepAliveTimeout(2, TimeUnit.SECONDS).build());
        }
    }

    int size() {
        return channels.size();
    }

    ManagedChannel get(int i) {
        return channels.get(Math.floorMod(i, channels.size()));
    }

    String endpoint(int i) {
        return endpoints.get(Math.floorMod(i, endpoints.size()));
    }

    @Override
    public void close() throws InterruptedException {
        channels.forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel c : channels) {
            c.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
