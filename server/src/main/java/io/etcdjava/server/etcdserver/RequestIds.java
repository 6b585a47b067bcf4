package io.etcdjava.server.etcdserver;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Unique request IDs as etcd makes them: the member ID's low 16 bits, then 40 bits of start-up
 * time in milliseconds and an 8-bit counter that carries into the time bits. Unique across
 * members and across restarts (as long as a restart takes more than a millisecond per 256 IDs).
 */
final class RequestIds {
    private static final int SUFFIX_BITS = 48;
    private static final int COUNTER_BITS = 8;
    private static final long SUFFIX_MASK = (1L << SUFFIX_BITS) - 1;
    private static final long TIME_MASK = (1L << (SUFFIX_BITS - COUNTER_BITS)) - 1;

    private final long prefix;
    private final AtomicLong suffix;

    RequestIds(long memberId, long nowMillis) {
        this.prefix = (memberId & 0xFFFF) << SUFFIX_BITS;
        this.suffix = new AtomicLong((nowMillis & TIME_MASK) << COUNTER_BITS);
    }

    long next() {
        return prefix | (suffix.incrementAndGet() & SUFFIX_MASK);
    }
}
