package io.etcdjava.server.config;

import java.time.Duration;
import java.util.List;

/**
 * The few Go formatting and parsing rules etcd's messages depend on: {@code %q} quoting,
 * {@code time.Duration} text, and {@code strconv}'s base-prefixed integers.
 */
final class GoText {
    private GoText() {
    }

    /** Go's {@code %q} / {@code strconv.Quote}. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case 7 -> b.append("\\a");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case 11 -> b.append("\\v");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) {
                        b.append(String.format("\\x%02x", cp));
                    } else if (Character.isISOControl(cp) || !Character.isDefined(cp)) {
                        b.append(cp > 0xffff ? String.format("\\U%08x", cp) : String.format("\\u%04x", cp));
                    } else {
                        b.appendCodePoint(cp);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** Go's {@code %q} applied to a {@code []string}: {@code ["a" "b"]}. */
    static String quote(List<String> list) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                b.append(' ');
            }
            b.append(quote(list.get(i)));
        }
        return b.append(']').toString();
    }

    /** Go's {@code time.Duration.String()}: "0s", "100ms", "1.5s", "2h0m0s". */
    static String formatDuration(Duration d) {
        return io.etcdjava.server.log.GoDurations.format(d);
    }

    /** Go's {@code time.ParseDuration}; throws {@link IllegalArgumentException} on bad input. */
    static Duration parseDuration(String s) {
        String orig = s;
        if (s.isEmpty()) {
            throw new IllegalArgumentException("time: invalid duration " + quote(orig));
        }
        boolean neg = false;
        if (s.charAt(0) == '-' || s.charAt(0) == '+') {
            neg = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("time: invalid duration " + quote(orig));
        }
        double total = 0;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String num = s.substring(start, i);
            if (num.isEmpty() || num.equals(".") || num.indexOf('.') != num.lastIndexOf('.')) {
                throw new IllegalArgumentException("time: invalid duration " + quote(orig));
            }
            int ustart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            String unit = s.substring(ustart, i);
            long mult = switch (unit) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                case "" -> throw new IllegalArgumentException("time: missing unit in duration " + quote(orig));
                default -> throw new IllegalArgumentException(
                        "time: unknown unit " + quote(unit) + " in duration " + quote(orig));
            };
            total += Double.parseDouble(num) * mult;
        }
        if (total > Long.MAX_VALUE) {
            throw new IllegalArgumentException("time: invalid duration " + quote(orig));
        }
        long nanos = Math.round(total);
        return Duration.ofNanos(neg ? -nanos : nanos);
    }

    /** Why an integer failed to parse, in strconv's words. */
    enum NumError {
        SYNTAX("invalid syntax"), RANGE("value out of range");

        final String text;

        NumError(String text) {
            this.text = text;
        }
    }

    /** Thrown by {@link #parseInt}; carries strconv's reason. */
    static final class NumberParseException extends IllegalArgumentException {
        final NumError reason;

        NumberParseException(NumError reason) {
            super(reason.text);
            this.reason = reason;
        }
    }

    /**
     * strconv.ParseInt / ParseUint with base 0 (0x, 0o, 0b, leading-0 octal, underscores).
     *
     * @param signed whether a sign is allowed
     * @param min smallest accepted value
     * @param max largest accepted value
     */
    static long parseInt(String s, boolean signed, long min, long max) {
        if (s.isEmpty()) {
            throw new NumberParseException(NumError.SYNTAX);
        }
        boolean neg = false;
        String body = s;
        if (signed && (body.charAt(0) == '+' || body.charAt(0) == '-')) {
            neg = body.charAt(0) == '-';
            body = body.substring(1);
        }
        int base = 10;
        if (body.length() > 1 && body.charAt(0) == '0') {
            char c = Character.toLowerCase(body.charAt(1));
            if (c == 'x') {
                base = 16;
                body = body.substring(2);
            } else if (c == 'b') {
                base = 2;
                body = body.substring(2);
            } else if (c == 'o') {
                base = 8;
                body = body.substring(2);
            } else {
                base = 8;
                body = body.substring(1);
            }
        }
        if (body.isEmpty() && base != 8) {
            throw new NumberParseException(NumError.SYNTAX);
        }
        java.math.BigInteger v = java.math.BigInteger.ZERO;
        java.math.BigInteger b = java.math.BigInteger.valueOf(base);
        boolean lastUnderscore = true; // an underscore may not lead
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '_') {
                if (lastUnderscore && !(i == 0 && base != 10 && s.length() != body.length())) {
                    throw new NumberParseException(NumError.SYNTAX);
                }
                lastUnderscore = true;
                continue;
            }
            int d = Character.digit(c, base);
            if (d < 0) {
                throw new NumberParseException(NumError.SYNTAX);
            }
            v = v.multiply(b).add(java.math.BigInteger.valueOf(d));
            lastUnderscore = false;
        }
        if (lastUnderscore && !body.isEmpty()) {
            throw new NumberParseException(NumError.SYNTAX);
        }
        if (neg) {
            v = v.negate();
        }
        if (v.compareTo(java.math.BigInteger.valueOf(max)) > 0 || v.compareTo(java.math.BigInteger.valueOf(min)) < 0) {
            throw new NumberParseException(NumError.RANGE);
        }
        return v.longValue();
    }

    /** strconv.ParseBool. */
    static boolean parseBool(String s) {
        return switch (s) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> throw new IllegalArgumentException("parse error");
        };
    }
}
