package io.etcdjava.server.apply;

import io.etcdjava.api.mvccpb.Event;
import java.util.List;

/**
 * Answers whether a lease exists, so puts can reject unknown leases (etcd's lessor.Lookup), and
 * hears which keys a KV write changed so leases can follow their keys (etcd's Attach/Detach).
 */
@FunctionalInterface
public interface LeaseLookup {
    /** No leases exist: every non-zero lease is unknown. */
    LeaseLookup NONE = id -> false;

    boolean exists(long leaseId);

    /**
     * The changes of one applied KV write, in order (see {@code KvChangeListener} for their shape),
     * called on the apply thread before the write commits. Must not throw or block.
     */
    default void applied(List<Event> events) {
    }
}
