package io.etcdjava.raft.wal;

import static io.etcdjava.raft.wal.WalTestSupport.META;
import static io.etcdjava.raft.wal.WalTestSupport.entries;
import static io.etcdjava.raft.wal.WalTestSupport.hs;

import io.etcdjava.raft.pb.Entry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput on the real disk, with an fsync per batch. Opt-in, since timing assertions on
 * shared machines are flaky: {@code mvn test -Dtest=WalBenchmarkTest -Dwal.bench=true}
 * (optionally {@code -Dwal.bench.dir=/some/fs}).
 */
@EnabledIfSystemProperty(named = "wal.bench", matches = "true")
class WalBenchmarkTest {
    @TempDir
    Path dir;

    @Test
    void throughput() throws Exception {
        // -Dwal.bench.dir=/dev/shm separates our overhead from the disk's fsync latency
        String base = System.getProperty("wal.bench.dir");
        Path dir = base == null ? this.dir : java.nio.file.Files.createTempDirectory(Path.of(base), "walbench");
        AtomicLong fsyncNanos = new AtomicLong();
        AtomicLong fsyncs = new AtomicLong();
        WalOptions opts = WalOptions.builder().fsyncNanosObserver(n -> {
            fsyncNanos.addAndGet(n);
            fsyncs.incrementAndGet();
        }).build();
        try (Wal w = Wal.create(dir, META, opts)) {
            long index = 1;
            // warm-up
            for (int i = 0; i < 2000; i++, index++) {
                w.save(hs(1, 1, index - 1), List.of(WalTestSupport.entry(index, 1, 64)));
            }
            // sequential single-entry batches, each fsynced
            int n = 5000;
            fsyncNanos.set(0);
            fsyncs.set(0);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++, index++) {
                w.save(hs(1, 1, index - 1), List.of(WalTestSupport.entry(index, 1, 64)));
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("single-entry batches: %.0f batches/s (avg fsync %.3f ms)%n", n / secs,
                    fsyncNanos.get() / 1e6 / fsyncs.get());

            // batches of 100 entries of 256 bytes
            int batches = 500;
            t0 = System.nanoTime();
            for (int i = 0; i < batches; i++) {
                List<Entry> es = entries(index, index + 99, 1, 256);
                index += 100;
                w.save(hs(1, 1, index - 1), es);
            }
            secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("100-entry batches: %.0f entries/s, %d segments%n", batches * 100 / secs,
                    w.segmentFiles().size());
        }
    }
}
