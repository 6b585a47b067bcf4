package io.etcdjava.raft.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exclusive ownership of a WAL directory: an OS file lock against other processes, plus a
 * JVM-wide set against other {@link Wal}s in this process. The set is checked first because
 * OS locks are per process, and opening and closing a second channel on the lock file from
 * the same JVM could drop the lock we hold (POSIX releases fcntl locks on any close).
 */
final class DirLock implements AutoCloseable {
    static final String LOCK_FILE = "wal.lock";

    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private DirLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    static DirLock acquire(Path dir) throws IOException {
        Path key = dir.toRealPath();
        if (!HELD.add(key)) {
            throw new WalLockedException("wal: directory " + dir + " is locked: another Wal in this process has it open");
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(key.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new WalLockedException("wal: directory " + dir + " is locked by another process (lock file "
                        + key.resolve(LOCK_FILE) + ")");
            }
            return new DirLock(key, channel, lock);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            HELD.remove(key);
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
            channel.close();
        } finally {
            HELD.remove(key);
        }
    }
}
