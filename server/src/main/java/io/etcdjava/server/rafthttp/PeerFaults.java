package io.etcdjava.server.rafthttp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Test-only network faults between members: raft messages to or from chosen peers are dropped,
 * as a partition or a one-way link failure would. Inert unless the member was started with
 * {@code -Detcdjava.test.faults=<file>}; then a daemon thread ("peer-faults") re-reads that file
 * every 50 ms. Each line is {@code drop-to <member-id-hex>} or {@code drop-from <member-id-hex>};
 * an empty or missing file heals everything.
 */
public final class PeerFaults {
    private static final String FILE = System.getProperty("etcdjava.test.faults");
    private static volatile Set<Long> dropTo = Set.of();
    private static volatile Set<Long> dropFrom = Set.of();

    static {
        if (FILE != null && !FILE.isBlank()) {
            Thread t = new Thread(PeerFaults::poll, "peer-faults");
            t.setDaemon(true);
            t.start();
        }
    }

    private PeerFaults() {
    }

    /** Whether messages to {@code peer} are to be dropped now. */
    static boolean dropsTo(long peer) {
        return FILE != null && dropTo.contains(peer);
    }

    /** Whether messages from {@code peer} are to be dropped now. */
    static boolean dropsFrom(long peer) {
        return FILE != null && dropFrom.contains(peer);
    }

    private static void poll() {
        Path file = Path.of(FILE);
        String last = "";
        while (true) {
            String text;
            try {
                text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            } catch (IOException beingRewritten) {
                text = last;
            }
            if (!text.equals(last)) {
                last = text;
                Set<Long> to = new HashSet<>();
                Set<Long> from = new HashSet<>();
                for (String line : text.split("\n")) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length == 2 && f[0].equals("drop-to")) {
                        to.add(Long.parseUnsignedLong(f[1], 16));
                    } else if (f.length == 2 && f[0].equals("drop-from")) {
                        from.add(Long.parseUnsignedLong(f[1], 16));
                    }
                }
                dropTo = Set.copyOf(to);
                dropFrom = Set.copyOf(from);
                System.err.println("{\"level\":\"warn\",\"msg\":\"test peer faults\",\"drop-to\":\"" + to
                        + "\",\"drop-from\":\"" + from + "\"}");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
