package io.etcdjava.testing.check;

/**
 * What a client operation did; GET is a linearizable range of one key, CAS a one-key txn,
 * LEASE_KEEPALIVE one round trip on a LeaseKeepAlive stream.
 */
public enum OpKind { PUT, GET, DELETE, CAS, LEASE_GRANT, LEASE_KEEPALIVE }
