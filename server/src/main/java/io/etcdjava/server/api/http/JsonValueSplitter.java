package io.etcdjava.server.api.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts a byte stream of concatenated JSON values ({@code {..} {..}{..}}, any whitespace between) into
 * one string per top-level value as the bytes arrive, like Go's json.Decoder reading a request body
 * of several messages. Only the structure is scanned (brackets outside strings); the values are
 * parsed by the caller. Not thread-safe: fed by one thread.
 */
final class JsonValueSplitter {
    /** A value longer than this is refused; the stream is unusable afterwards. */
    static final class TooLargeException extends RuntimeException {
        TooLargeException(String message) {
            super(message);
        }
    }

    private final int maxValueBytes;
    private final Consumer<String> out;
    private byte[] buf = new byte[256];
    private int len;
    private int scan; // next byte to look at
    private int start = -1; // first byte of the current value, -1 between values
    private int depth;
    private boolean inString;
    private boolean escaped;
    private boolean scalar; // a top-level number/literal (ends at a delimiter or at the end)

    JsonValueSplitter(int maxValueBytes, Consumer<String> out) {
        this.maxValueBytes = maxValueBytes;
        this.out = out;
    }

    /** Feeds more bytes; every value completed by them goes to the consumer, in order. */
    void feed(byte[] bytes) {
        ensure(len + bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
        while (scan < len) {
            byte c = buf[scan];
            if (start < 0) {
                if (!isSpace(c)) {
                    start = scan;
                    depth = 0;
                    inString = false;
                    escaped = false;
                    scalar = false;
                    if (c == '{' || c == '[') {
                        depth = 1;
                    } else if (c == '"') {
                        inString = true;
                    } else {
                        scalar = true;
                    }
                }
                scan++;
                continue;
            }
            if (scalar) {
                if (isSpace(c) || c == '{' || c == '[' || c == '"' || c == '}' || c == ']' || c == ',' || c == ':') {
                    emit(scan);
                    continue; // this byte starts (or separates) the next value
                }
            } else if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                    if (depth == 0) {
                        emit(scan + 1);
                        scan = 0;
                        continue;
                    }
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) {
                    emit(scan + 1);
                    scan = 0;
                    continue;
                }
            }
            scan++;
        }
        if (start >= 0 && len - start > maxValueBytes) {
            throw new TooLargeException("request message larger than " + maxValueBytes + " bytes");
        }
        compact();
    }

    /**
     * The body ended. A trailing top-level scalar is emitted; any other unfinished value is what
     * Go reports as "unexpected EOF".
     *
     * @return true if the body ended cleanly between values
     */
    boolean finish() {
        if (start >= 0 && scalar) {
            emit(len);
        }
        return start < 0;
    }

    private void emit(int end) {
        String value = new String(buf, start, end - start, StandardCharsets.UTF_8);
        // Drop the emitted bytes; scanning restarts at the first byte after the value.
        System.arraycopy(buf, end, buf, 0, len - end);
        len -= end;
        scan = 0;
        start = -1;
        out.accept(value);
    }

    private void compact() {
        int from = start >= 0 ? start : scan;
        if (from > 0) {
            System.arraycopy(buf, from, buf, 0, len - from);
            len -= from;
            scan -= from;
            if (start >= 0) {
                start = 0;
            }
        }
    }

    private void ensure(int capacity) {
        if (capacity > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(capacity, buf.length * 2));
        }
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
}
