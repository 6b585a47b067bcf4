package io.etcdjava.raft.wal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Supplies zero-filled, fsynced files of the segment size under temporary names, optionally one
 * step ahead on a background thread so a rollover does not wait for it.
 *
 * <p>Why zero-fill rather than set the length: writing into a sparse hole allocates blocks, so
 * every fdatasync would also have to commit filesystem metadata. Real zeros make the append
 * path's fdatasync a pure data flush, and zeros are also what marks the end of data.
 *
 * <p>Zeros go out one page per write: Linux (6.x ext4) caches a file in folios as large as the
 * writes that filled it, and an fdatasync writes back whole dirty folios, so a file filled 256 KiB
 * at a time made every 64-byte append cost a 256 KiB device write (seen: 262 KB per fsync).
 */
final class Preallocator implements AutoCloseable {
    static final String TMP_SUFFIX = ".tmp";
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(4096).asReadOnlyBuffer();

    private final Path dir;
    private final long size;
    private final ExecutorService executor;
    private Future<Path> next;
    private int counter;
    /** Set by close so an in-flight fill of a 64 MiB file stops early instead of delaying it. */
    private volatile boolean closing;

    Preallocator(Path dir, long size, boolean background) {
        this.dir = dir;
        this.size = size;
        this.executor = background ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "wal-preallocate");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /** Starts preparing the file the next {@link #take()} returns (no-op in synchronous mode). */
    void prepareNext() {
        if (executor != null && next == null) {
            Path p = nextPath();
            next = executor.submit(() -> {
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    for (long pos = 0; pos < size; pos += ZEROS.capacity()) {
                        if (closing) {
                            throw new IOException("preallocation cancelled by close");
                        }
                        zeroFill(ch, pos, Math.min(size, pos + ZEROS.capacity()));
                    }
                    ch.force(true);
                }
                return p;
            });
        }
    }

    /** A fresh zero-filled file; the caller renames or deletes it. */
    Path take() throws IOException {
        if (next == null) {
            Path p = nextPath();
            allocate(p, size);
            return p;
        }
        Future<Path> f = next;
        next = null;
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for segment preallocation");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof IOException io ? io : new IOException("segment preallocation failed", c);
        }
    }

    private Path nextPath() {
        return dir.resolve("prealloc-" + (counter++) + TMP_SUFFIX);
    }

    /** Creates (or replaces) {@code p} as {@code size} zero bytes, durably. */
    static void allocate(Path p, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            zeroFill(ch, 0, size);
            ch.force(true);
        }
    }

    /** Writes zeros over [from, to) of {@code ch}. */
    static void zeroFill(FileChannel ch, long from, long to) throws IOException {
        long pos = from;
        while (pos < to) {
            ByteBuffer z = ZEROS.duplicate();
            z.limit((int) Math.min(z.capacity(), to - pos));
            pos += ch.write(z, pos);
        }
    }

    /** Waits for any pending preparation and deletes its file. */
    @Override
    public void close() throws IOException {
        if (executor == null) {
            return;
        }
        closing = true;
        try {
            if (next != null) {
                Files.deleteIfExists(take());
            }
        } catch (IOException ignored) {
            // cancelled or failed; a leftover temp file is removed on the next open anyway
        } finally {
            executor.shutdownNow();
        }
    }
}
