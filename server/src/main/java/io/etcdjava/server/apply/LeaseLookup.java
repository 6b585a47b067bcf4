package io.etcdjava.server.apply;

/** Answers whether a lease exists, so puts can reject unknown leases (etcd's lessor.Lookup). */
@FunctionalInterface
public interface LeaseLookup {
    /** No leases exist: every non-zero lease is unknown. Until the lessor lands. */
    LeaseLookup NONE = id -> false;

    boolean exists(long leaseId);
}
