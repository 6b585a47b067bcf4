package io.etcdjava.testing.nemesis;

import io.etcdjava.testing.cluster.Cluster;
import java.util.Random;

/** One kind of fault: injected, held for a bounded time, and reverted before {@link #inject} returns. */
public interface Fault {
    String kind();

    /** Why this fault cannot run against this cluster, or null when it can. */
    default String unavailable(Cluster cluster) {
        return null;
    }

    /** Injects, holds and reverts; returns a line describing what was done. */
    String inject(Cluster cluster, Random rnd) throws Exception;
}
