package io.etcdjava.raft.failpoint;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test-only crash points around persistence steps, so a fault suite can stop a member at an
 * exact instant (between a WAL write and its fsync, between apply and the backend commit, ...).
 * Inert unless the member was started with {@code -Detcdjava.failpoints=name:crash@N,...}: then
 * the N-th time {@code name} is reached the JVM halts at once, like a power cut — no shutdown
 * hooks, no flushing.
 */
public final class Failpoints {
    /** Reaching a crash point exits with this status, so a harness can tell it from other deaths. */
    public static final int CRASH_EXIT_STATUS = 86;

    private static final Map<String, Arm> ARMED = parse(System.getProperty("etcdjava.failpoints"));

    private record Arm(long at, AtomicLong hits) {
    }

    private Failpoints() {
    }

    /** Marks that {@code name} was reached; halts the JVM when it is armed for this hit. */
    public static void hit(String name) {
        if (ARMED.isEmpty()) {
            return;
        }
        Arm a = ARMED.get(name);
        if (a != null && a.hits().incrementAndGet() == a.at()) {
            System.err.println("{\"level\":\"warn\",\"msg\":\"failpoint crash\",\"failpoint\":\"" + name
                    + "\",\"hit\":" + a.at() + "}");
            System.err.flush();
            Runtime.getRuntime().halt(CRASH_EXIT_STATUS);
        }
    }

    static Map<String, Arm> parse(String spec) {
        Map<String, Arm> out = new HashMap<>();
        if (spec == null || spec.isBlank()) {
            return Map.of();
        }
        for (String part : spec.split(",")) {
            String[] nameAndAction = part.trim().split(":", 2);
            if (nameAndAction.length != 2 || !nameAndAction[1].startsWith("crash@")) {
                throw new IllegalArgumentException("etcdjava.failpoints: expected name:crash@N, got " + part);
            }
            long at = Long.parseLong(nameAndAction[1].substring("crash@".length()));
            out.put(nameAndAction[0], new Arm(Math.max(1, at), new AtomicLong()));
        }
        return Map.copyOf(out);
    }
}
