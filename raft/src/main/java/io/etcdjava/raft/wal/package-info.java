/**
 * Raft's write-ahead log ({@link io.etcdjava.raft.wal.Wal}). Used by the server's raft driver;
 * the raft core never touches it.
 *
 * <h2>Files</h2>
 * A WAL directory holds {@code wal.lock} (an OS lock held while a Wal is open) and segment files
 * named {@code %016x-%016x.wal} from the segment's sequence number and the index of the first
 * entry it may hold. Segments are preallocated (zero-filled) to the segment size; the newest is
 * appended to and, once it grows past the size, truncated to its data, fsynced, and followed by
 * a new one. New segments are prepared under a {@code .tmp} name and only renamed once their
 * prelude is durable; {@code .tmp} files are deleted on open.
 *
 * <h2>Records</h2>
 * Every record starts at a multiple of 8 bytes:
 * <pre>
 *   u32 LE  payload length
 *   u8      type: 1 segment header, 2 metadata, 3 entry (raftpb Entry),
 *                 4 hard state (raftpb HardState), 5 snapshot marker (raftpb SnapshotMetadata:
 *                 index and term); 0 is never used, so zero-filled space is the end of data
 *   u8      flags: bit 0 = first record written since the last fsync ("group start")
 *   u16     reserved, 0
 *   u32 LE  CRC32C over (u64 LE segment sequence, u64 LE file offset of the record,
 *                        the 8 header bytes above, payload)
 *   payload, then zero padding up to the next multiple of 8
 * </pre>
 * Each segment starts with a header record (magic {@code ejwalseg}, format version, sequence,
 * first index: checked against the file name), then the metadata and the current hard state,
 * so a segment can be validated and read without its predecessors (older ones are deleted by
 * {@link io.etcdjava.raft.wal.Wal#releaseLockTo}). The first segment also holds the zero
 * snapshot marker.
 *
 * <h2>Recovery</h2>
 * A record that fails validation in a sealed segment is corruption. In the newest segment it is
 * a torn tail (cut off on open, reported in {@link io.etcdjava.raft.wal.ReadResult#tornTail()})
 * unless an intact group-start record follows it: writes after an fsync only begin once that
 * fsync returned, so only the final sync group can be incomplete; damage before it destroyed
 * acknowledged data and open refuses with a {@link io.etcdjava.raft.wal.WalCorruptionException}
 * naming the file and offset.
 *
 * <h2>Threading</h2>
 * A {@link io.etcdjava.raft.wal.Wal} is confined to one thread (the raft loop).
 */
package io.etcdjava.raft.wal;
