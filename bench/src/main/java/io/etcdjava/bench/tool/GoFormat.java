package io.etcdjava.bench.tool;

import java.math.BigDecimal;
import java.util.Locale;

/** The few Go fmt verbs etcd's report printer uses, with Go's output for floats. */
final class GoFormat {
    private GoFormat() {
    }

    /**
     * A float under a Go verb: {@code "%4.4f"} (etcd's default precision) or {@code "%g"} /
     * {@code "%v"} (shortest representation; {@code --precise}).
     */
    static String number(String verb, double v) {
        if ("%g".equals(verb) || "%v".equals(verb)) {
            return shortest(v);
        }
        return String.format(Locale.ROOT, verb, v);
    }

    /** Go's {@code %g} / {@code %v} for a float64: shortest digits, %e when exp < -4 or exp >= 6. */
    static String shortest(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0) {
            return (1 / v < 0) ? "-0" : "0";
        }
        BigDecimal d = new BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros();
        String digits = d.unscaledValue().toString();
        int nd = digits.length();
        int exp = nd - d.scale() - 1; // decimal exponent of the first digit
        String sign = v < 0 ? "-" : "";
        // strconv.FormatFloat(v, 'g', -1, 64): %e when exp < -4 || exp >= 6 (shortest precision).
        if (exp < -4 || exp >= 6) {
            StringBuilder sb = new StringBuilder(sign).append(digits.charAt(0));
            if (nd > 1) {
                sb.append('.').append(digits, 1, nd);
            }
            sb.append('e').append(exp < 0 ? '-' : '+');
            int ae = Math.abs(exp);
            if (ae < 10) {
                sb.append('0');
            }
            return sb.append(ae).toString();
        }
        return sign + d.toPlainString();
    }
}
