package io.etcdjava.server.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

/**
 * Writes each event as one JSON line shaped like etcd's zap output:
 * {@code {"level":"info","ts":"2026-11-21T09:30:00.123Z","caller":"config/ConfigParser","msg":"...",<fields>}}.
 * SLF4J key/value pairs become fields in the order given; a throwable becomes {@code "error"}
 * (plus {@code "stacktrace"} at error level and above).
 */
public final class ZapJsonEncoder extends EncoderBase<ILoggingEvent> {
    private static final byte[] EMPTY = new byte[0];
    private static final int MAX_REUSED_BUILDER = 16 * 1024;

    private final ThreadLocal<StringBuilder> buffers = ThreadLocal.withInitial(() -> new StringBuilder(512));
    private final ConcurrentHashMap<String, String> callers = new ConcurrentHashMap<>();
    private volatile SecondPrefix second = new SecondPrefix(Long.MIN_VALUE, "");

    /** The "2026-11-21T09:30:00." part of a timestamp, reused for every event in that second. */
    private record SecondPrefix(long epochSecond, String text) {
    }

    @Override
    public byte[] headerBytes() {
        return EMPTY;
    }

    @Override
    public byte[] footerBytes() {
        return EMPTY;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        StringBuilder b = buffers.get();
        b.setLength(0);
        b.append("{\"level\":\"").append(levelName(event)).append("\",\"ts\":\"");
        appendTimestamp(b, event.getTimeStamp());
        b.append("\",\"caller\":");
        appendString(b, caller(event.getLoggerName()));
        b.append(",\"msg\":");
        appendString(b, event.getFormattedMessage());
        List<KeyValuePair> kvs = event.getKeyValuePairs();
        if (kvs != null) {
            for (int i = 0, n = kvs.size(); i < n; i++) {
                KeyValuePair kv = kvs.get(i);
                b.append(',');
                appendString(b, kv.key);
                b.append(':');
                appendValue(b, kv.value);
            }
        }
        IThrowableProxy t = event.getThrowableProxy();
        if (t != null) {
            b.append(",\"error\":");
            appendString(b, errorText(t));
            if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
                b.append(",\"stacktrace\":");
                appendString(b, stackTrace(t));
            }
        }
        b.append("}\n");
        byte[] out = b.toString().getBytes(StandardCharsets.UTF_8);
        if (b.capacity() > MAX_REUSED_BUILDER) {
            buffers.remove(); // one huge event should not pin its buffer forever
        }
        return out;
    }

    /** zap's level name; ERROR events marked FATAL/PANIC/DPANIC report those levels. */
    static String levelName(ILoggingEvent event) {
        Level l = event.getLevel();
        if (l.levelInt >= Level.ERROR_INT) {
            List<Marker> markers = event.getMarkerList();
            if (markers != null) {
                for (Marker m : markers) {
                    if (m == ZapLevel.FATAL) {
                        return "fatal";
                    }
                    if (m == ZapLevel.PANIC) {
                        return "panic";
                    }
                    if (m == ZapLevel.DPANIC) {
                        return "dpanic";
                    }
                }
            }
            return "error";
        }
        if (l.levelInt >= Level.WARN_INT) {
            return "warn";
        }
        if (l.levelInt >= Level.INFO_INT) {
            return "info";
        }
        return "debug";
    }

    private void appendTimestamp(StringBuilder b, long millis) {
        long sec = Math.floorDiv(millis, 1000);
        SecondPrefix p = second;
        if (p.epochSecond != sec) {
            LocalDateTime t = LocalDateTime.ofEpochSecond(sec, 0, ZoneOffset.UTC);
            StringBuilder s = new StringBuilder(20);
            s.append(t.getYear()).append('-');
            two(s, t.getMonthValue()).append('-');
            two(s, t.getDayOfMonth()).append('T');
            two(s, t.getHour()).append(':');
            two(s, t.getMinute()).append(':');
            two(s, t.getSecond()).append('.');
            p = new SecondPrefix(sec, s.toString());
            second = p;
        }
        int ms = (int) Math.floorMod(millis, 1000);
        b.append(p.text).append((char) ('0' + ms / 100)).append((char) ('0' + ms / 10 % 10))
                .append((char) ('0' + ms % 10)).append('Z');
    }

    private static StringBuilder two(StringBuilder s, int v) {
        return s.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }

    /** "io.etcdjava.server.config.ConfigParser" → "config/ConfigParser", like zap's "etcdmain/etcd.go". */
    private String caller(String loggerName) {
        if (loggerName == null) {
            return "";
        }
        String c = callers.get(loggerName);
        if (c == null) {
            c = shortCaller(loggerName);
            if (callers.size() < 10_000) {
                callers.put(loggerName, c);
            }
        }
        return c;
    }

    static String shortCaller(String name) {
        int last = name.lastIndexOf('.');
        if (last < 0) {
            return name;
        }
        int prev = name.lastIndexOf('.', last - 1);
        return name.substring(prev + 1, last) + "/" + name.substring(last + 1);
    }

    private static String errorText(IThrowableProxy t) {
        String m = t.getMessage();
        return m != null ? m : t.getClassName();
    }

    private static String stackTrace(IThrowableProxy t) {
        StringBuilder s = new StringBuilder();
        for (IThrowableProxy cur = t; cur != null; cur = cur.getCause()) {
            if (cur != t) {
                s.append("\nCaused by: ");
            }
            s.append(cur.getClassName());
            if (cur.getMessage() != null) {
                s.append(": ").append(cur.getMessage());
            }
            StackTraceElementProxy[] frames = cur.getStackTraceElementProxyArray();
            int n = frames.length - Math.max(0, cur.getCommonFrames());
            for (int i = 0; i < n; i++) {
                s.append("\n\tat ").append(frames[i].getStackTraceElement());
            }
        }
        return s.toString();
    }

    static void appendValue(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String s) {
            appendString(b, s);
        } else if (v instanceof Boolean
                || v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof AtomicInteger || v instanceof AtomicLong || v instanceof BigInteger) {
            b.append(v);
        } else if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
            appendFloat(b, (Number) v);
        } else if (v instanceof Duration d) {
            appendString(b, GoDurations.format(d));
        } else if (v instanceof Throwable t) {
            appendString(b, t.getMessage() != null ? t.getMessage() : t.getClass().getName());
        } else if (v instanceof Collection<?> c) {
            b.append('[');
            boolean first = true;
            for (Object o : c) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                appendValue(b, o);
            }
            b.append(']');
        } else if (v.getClass().isArray()) {
            b.append('[');
            for (int i = 0, n = Array.getLength(v); i < n; i++) {
                if (i > 0) {
                    b.append(',');
                }
                appendValue(b, Array.get(v, i));
            }
            b.append(']');
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                appendString(b, String.valueOf(e.getKey()));
                b.append(':');
                appendValue(b, e.getValue());
            }
            b.append('}');
        } else {
            appendString(b, String.valueOf(v));
        }
    }

    private static void appendFloat(StringBuilder b, Number n) {
        double d = n.doubleValue();
        if (Double.isNaN(d)) {
            b.append("\"NaN\"");
        } else if (Double.isInfinite(d)) {
            b.append(d > 0 ? "\"+Inf\"" : "\"-Inf\"");
        } else {
            BigDecimal bd = n instanceof BigDecimal big ? big : new BigDecimal(Double.toString(d));
            String s = bd.stripTrailingZeros().toPlainString();
            b.append(s);
        }
    }

    /** A JSON string with zap's escaping: quotes, backslash and control characters. */
    static void appendString(StringBuilder b, String s) {
        b.append('"');
        int start = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) {
                continue;
            }
            b.append(s, start, i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append("\\u00").append(hex(c >> 4)).append(hex(c & 0xf));
            }
            start = i + 1;
        }
        b.append(s, start, s.length()).append('"');
    }

    private static char hex(int v) {
        return (char) (v < 10 ? '0' + v : 'a' + v - 10);
    }
}
