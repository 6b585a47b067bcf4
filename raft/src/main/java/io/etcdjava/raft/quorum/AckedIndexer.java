package io.etcdjava.raft.quorum;

/** Supplies the highest log index a voter is known to have durably appended. */
@FunctionalInterface
public interface AckedIndexer {
    /**
     * Returns the index acknowledged by {@code voterId}, or 0 if nothing is known about that voter
     * (an unknown voter and a voter that acked nothing are indistinguishable for commitment).
     */
    long ackedIndex(long voterId);
}
