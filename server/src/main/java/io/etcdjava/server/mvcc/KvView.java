package io.etcdjava.server.mvcc;

import io.etcdjava.server.errors.EtcdException;

/**
 * Reads the key space as of one revision. Implemented by {@link ReadTxn} (gRPC threads) and
 * {@link WriteTxn} (apply thread, which also sees its own uncommitted changes).
 *
 * <p>Ranges: {@code end == null} reads the single key, an empty {@code end} every key {@code >= key},
 * otherwise {@code [key, end)}; keys compare as unsigned bytes.
 */
public interface KvView {
    /** Compaction revision when the view was opened (-1 if never compacted). */
    long firstRev();

    /** Revision the view reads at by default. */
    long rev();

    /**
     * Keys in the range at {@code opts.rev()} (or {@link #rev()}).
     *
     * @throws EtcdException FUTURE_REV if the revision is newer than {@link #rev()}, COMPACTED if it
     *     is older than the compaction revision
     */
    RangeResult range(byte[] key, byte[] end, RangeOptions opts);
}
