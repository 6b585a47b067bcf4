package io.etcdjava.server.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Logging with zap-style fields in one call:
 * {@code Log.info(log, "ready to serve client requests", "address", addr)}.
 * Fields are alternating key, value; values may be strings, numbers, booleans, Durations
 * (printed Go-style), collections, arrays or throwables (printed as their message).
 * Disabled levels cost a level check and nothing else for the fixed-arity forms.
 */
public final class Log {
    private Log() {
    }

    public static Logger get(Class<?> owner) {
        return LoggerFactory.getLogger(owner);
    }

    public static void debug(Logger log, String msg) {
        if (log.isDebugEnabled()) {
            log.atDebug().log(msg);
        }
    }

    public static void debug(Logger log, String msg, String k1, Object v1) {
        if (log.isDebugEnabled()) {
            log.atDebug().addKeyValue(k1, v1).log(msg);
        }
    }

    public static void debug(Logger log, String msg, String k1, Object v1, String k2, Object v2) {
        if (log.isDebugEnabled()) {
            log.atDebug().addKeyValue(k1, v1).addKeyValue(k2, v2).log(msg);
        }
    }

    public static void debug(Logger log, String msg, Object... kv) {
        if (log.isDebugEnabled()) {
            emit(log.atDebug(), msg, kv);
        }
    }

    public static void info(Logger log, String msg) {
        if (log.isInfoEnabled()) {
            log.atInfo().log(msg);
        }
    }

    public static void info(Logger log, String msg, String k1, Object v1) {
        if (log.isInfoEnabled()) {
            log.atInfo().addKeyValue(k1, v1).log(msg);
        }
    }

    public static void info(Logger log, String msg, String k1, Object v1, String k2, Object v2) {
        if (log.isInfoEnabled()) {
            log.atInfo().addKeyValue(k1, v1).addKeyValue(k2, v2).log(msg);
        }
    }

    public static void info(Logger log, String msg, Object... kv) {
        if (log.isInfoEnabled()) {
            emit(log.atInfo(), msg, kv);
        }
    }

    public static void warn(Logger log, String msg) {
        if (log.isWarnEnabled()) {
            log.atWarn().log(msg);
        }
    }

    public static void warn(Logger log, String msg, String k1, Object v1) {
        if (log.isWarnEnabled()) {
            log.atWarn().addKeyValue(k1, v1).log(msg);
        }
    }

    public static void warn(Logger log, String msg, Object... kv) {
        if (log.isWarnEnabled()) {
            emit(log.atWarn(), msg, kv);
        }
    }

    public static void error(Logger log, String msg, Object... kv) {
        if (log.isErrorEnabled()) {
            emit(log.atError(), msg, kv);
        }
    }

    /** An error with its cause as the {@code "error"} field (and a stack trace). */
    public static void error(Logger log, String msg, Throwable cause, Object... kv) {
        if (log.isErrorEnabled()) {
            emit(log.atError().setCause(cause), msg, kv);
        }
    }

    /** A {@code "level":"fatal"} line. Logging only: the caller decides how to exit. */
    public static void fatal(Logger log, String msg, Object... kv) {
        emit(log.atError().addMarker(ZapLevel.FATAL), msg, kv);
    }

    /** A {@code "level":"panic"} line. Logging only. */
    public static void panic(Logger log, String msg, Object... kv) {
        emit(log.atError().addMarker(ZapLevel.PANIC), msg, kv);
    }

    /** Logs at a zap level given by name ("debug" ... "fatal"). */
    public static void at(Logger log, String zapLevel, String msg, Object... kv) {
        switch (zapLevel) {
            case "debug" -> debug(log, msg, kv);
            case "info" -> info(log, msg, kv);
            case "warn" -> warn(log, msg, kv);
            case "error" -> error(log, msg, kv);
            case "dpanic" -> emit(log.atError().addMarker(ZapLevel.DPANIC), msg, kv);
            case "panic" -> panic(log, msg, kv);
            case "fatal" -> fatal(log, msg, kv);
            default -> emit(log.atLevel(Level.INFO), msg, kv);
        }
    }

    private static void emit(LoggingEventBuilder b, String msg, Object[] kv) {
        for (int i = 0; i + 1 < kv.length; i += 2) {
            b.addKeyValue(String.valueOf(kv[i]), kv[i + 1]);
        }
        if ((kv.length & 1) == 1) {
            b.addKeyValue("_odd", kv[kv.length - 1]);
        }
        b.log(msg);
    }
}
