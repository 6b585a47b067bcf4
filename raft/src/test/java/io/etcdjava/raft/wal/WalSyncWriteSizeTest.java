package io.etcdjava.raft.wal;

import static io.etcdjava.raft.wal.WalTestSupport.META;
import static io.etcdjava.raft.wal.WalTestSupport.entries;
import static io.etcdjava.raft.wal.WalTestSupport.hs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one small append costs the device. A segment zero-filled in large writes is cached in large
 * folios on Linux 6.x ext4, and each fdatasync then wrote a whole 256 KiB folio back; filled a page
 * at a time, a synced append writes a page or two. Measured with this thread's write_bytes, so it
 * only runs where /proc/thread-self/io exists (on tmpfs it reads 0 and proves nothing, but passes).
 */
class WalSyncWriteSizeTest {
    static {
        WalTestSupport.quietLogs();
    }

    @TempDir
    Path dir;

    private static long writeBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/io"))) {
            if (line.startsWith("write_bytes:")) {
                return Long.parseLong(line.substring("write_bytes:".length()).trim());
            }
        }
        throw new IllegalStateException("no write_bytes in /proc/thread-self/io");
    }

    @Test
    void aSyncedSmallAppendWritesPagesNotFolios() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/thread-self/io")), "needs Linux per-thread I/O accounting");
        WalOptions options = WalOptions.builder().segmentSize(WalOptions.DEFAULT_SEGMENT_SIZE)
                .preallocateInBackground(false).build();
        try (Wal w = Wal.create(dir, META, options)) {
            int rounds = 200;
            long before = writeBytes();
            for (int i = 1; i <= rounds; i++) {
                w.save(hs(1, 1, i - 1), entries(i, i, 1, 40)); // one ~64-byte record, fsynced
            }
            long perSync = (writeBytes() - before) / rounds;
            assertThat(perSync).as("device bytes written per synced 64-byte append").isLessThan(32 * 1024);
        }
    }
}
