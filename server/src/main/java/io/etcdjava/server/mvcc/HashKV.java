package io.etcdjava.server.mvcc;

/**
 * Result of {@link MvccStore#hashKV(long)}: etcd's crc32c over the key family up to
 * {@code hashRevision}, skipping revisions a compaction at {@code compactRevision} drops.
 * {@code currentRevision} goes in the response header.
 */
public record HashKV(int hash, long compactRevision, long currentRevision, long hashRevision) {
    /** The hash as the unsigned 32-bit value the wire carries. */
    public long unsignedHash() {
        return Integer.toUnsignedLong(hash);
    }
}
