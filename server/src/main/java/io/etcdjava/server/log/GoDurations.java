package io.etcdjava.server.log;

import java.time.Duration;

/** Durations printed the way Go prints them, as etcd's logs and flags show them ("1h0m0s", "100ms"). */
public final class GoDurations {
    private GoDurations() {
    }

    /** Go's {@code time.Duration.String()}: "0s", "100ms", "1.5s", "2h0m0s". */
    public static String format(Duration d) {
        long nanos;
        try {
            nanos = d.toNanos();
        } catch (ArithmeticException e) {
            nanos = d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        if (nanos == 0) {
            return "0s";
        }
        boolean neg = nanos < 0;
        // Long.MIN_VALUE has no positive counterpart; Go prints it via unsigned math, so do we
        String unsigned = Long.toUnsignedString(neg ? -nanos : nanos);
        long u = neg ? -nanos : nanos;
        StringBuilder out = new StringBuilder();
        if (u > 0 && u < 1_000_000_000L) {
            String unit;
            int prec;
            if (u < 1_000L) {
                return (neg ? "-" : "") + unsigned + "ns";
            } else if (u < 1_000_000L) {
                unit = "µs";
                prec = 3;
            } else {
                unit = "ms";
                prec = 6;
            }
            out.append(fraction(u, prec)).append(unit);
        } else {
            long secs = Long.divideUnsigned(u, 1_000_000_000L);
            long frac = Long.remainderUnsigned(u, 1_000_000_000L);
            String s = Long.toString(secs % 60) + fractionDigits(frac, 9) + "s";
            long mins = secs / 60;
            if (mins > 0) {
                s = (mins % 60) + "m" + s;
                long hours = mins / 60;
                if (hours > 0) {
                    s = hours + "h" + s;
                }
            }
            out.append(s);
        }
        return (neg ? "-" : "") + out;
    }

    private static String fraction(long v, int prec) {
        long div = 1;
        for (int i = 0; i < prec; i++) {
            div *= 10;
        }
        return (v / div) + fractionDigits(v % div, prec);
    }

    private static String fractionDigits(long frac, int prec) {
        if (frac == 0) {
            return "";
        }
        String digits = String.format("%0" + prec + "d", frac);
        int end = digits.length();
        while (end > 0 && digits.charAt(end - 1) == '0') {
            end--;
        }
        return "." + digits.substring(0, end);
    }

}
