package io.etcdjava.server.log;

import java.util.Locale;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * zap's levels on top of SLF4J's: dpanic, panic and fatal are ERROR events carrying one of
 * these markers. Ranks order all of them for --log-level filtering.
 */
public final class ZapLevel {
    private ZapLevel() {
    }

    public static final Marker DPANIC = MarkerFactory.getDetachedMarker("DPANIC");
    public static final Marker PANIC = MarkerFactory.getDetachedMarker("PANIC");
    public static final Marker FATAL = MarkerFactory.getDetachedMarker("FATAL");

    static final int DEBUG = 0;
    static final int INFO = 1;
    static final int WARN = 2;
    static final int ERROR = 3;
    static final int DPANIC_RANK = 4;
    static final int PANIC_RANK = 5;
    static final int FATAL_RANK = 6;

    /**
     * The rank of an etcd {@code --log-level} value.
     *
     * @throws IllegalArgumentException for anything else
     */
    static int rank(String level) {
        return switch (level.toLowerCase(Locale.ROOT)) {
            case "debug" -> DEBUG;
            case "info" -> INFO;
            case "warn" -> WARN;
            case "error" -> ERROR;
            case "dpanic" -> DPANIC_RANK;
            case "panic" -> PANIC_RANK;
            case "fatal" -> FATAL_RANK;
            default -> throw new IllegalArgumentException("unknown level \"" + level + "\"");
        };
    }

    static int rank(ch.qos.logback.classic.spi.ILoggingEvent e) {
        return switch (ZapJsonEncoder.levelName(e)) {
            case "debug" -> DEBUG;
            case "info" -> INFO;
            case "warn" -> WARN;
            case "error" -> ERROR;
            case "dpanic" -> DPANIC_RANK;
            case "panic" -> PANIC_RANK;
            default -> FATAL_RANK;
        };
    }
}
