package io.etcdjava.raft.wal;

import java.nio.file.Path;

/**
 * What {@link Wal#open} cut off the end of the last segment: a record whose write never
 * completed (the process or machine died before its fsync returned), so it was never
 * acknowledged and dropping it loses nothing raft relied on.
 *
 * @param file the last segment
 * @param offset where the torn record started; the WAL now ends (and appends resume) here
 * @param discardedBytes bytes from {@code offset} up to the last non-zero byte that were dropped
 * @param reason what was wrong with the record (short CRC, incomplete header, ...)
 */
public record TornTail(Path file, long offset, long discardedBytes, String reason) {
    public String describe() {
        return "cut torn tail of " + file + " at offset " + offset + " (" + discardedBytes
                + " bytes discarded): " + reason;
    }
}
