package io.etcdjava.testing.check;

/** What a client operation did; GET is a linearizable range of one key, CAS a one-key txn. */
public enum OpKind { PUT, GET, DELETE, CAS, LEASE_GRANT }
