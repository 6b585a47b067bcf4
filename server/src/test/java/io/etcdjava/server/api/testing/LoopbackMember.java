package io.etcdjava.server.api.testing;

import io.etcdjava.server.config.ServerConfig;
import io.etcdjava.server.embed.EmbeddedEtcd;
import java.nio.file.Path;

/** A lone embedded member on free loopback ports, as the API tests start it. */
public final class LoopbackMember {
    private LoopbackMember() {
    }

    /** Client and peer URLs on 127.0.0.1 port 0: never 2379/2380, and a lone member binds its peer port too. */
    public static ServerConfig.Builder config(Path dataDir) {
        return ServerConfig.builder()
                .listenPeerUrls("http://127.0.0.1:0")
                .dataDir(dataDir.toString())
                .listenClientUrls("http://127.0.0.1:0")
                .advertiseClientUrls("http://127.0.0.1:0");
    }

    /** {@link #config} with a 10 ms heartbeat and 100 ms election timeout, so it leads at once. */
    public static EmbeddedEtcd startFast(Path dataDir) throws Exception {
        return EmbeddedEtcd.start(config(dataDir).set("heartbeat-interval", 10L).set("election-timeout", 100L).build());
    }
}
