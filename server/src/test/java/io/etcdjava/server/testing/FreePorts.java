package io.etcdjava.server.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for test servers. A port is chosen below the kernel's ephemeral range (32768 and
 * up on Linux): a port the kernel handed out for a moment (bind to 0) can be taken again by any
 * outgoing connection before the server binds it, which made a member refuse to start. Never
 * 2379/2380 (a user's etcd may live there) and never one this JVM handed out before.
 */
public final class FreePorts {
    private static final int LOW = 20000;
    private static final int HIGH = 32000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A loopback port nobody listens on now, fresh in this JVM. */
    public static int next() throws IOException {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // someone listens there; try another
            }
        }
        throw new IOException("no free loopback port in " + LOW + ".." + HIGH + " after 1000 attempts");
    }
}
