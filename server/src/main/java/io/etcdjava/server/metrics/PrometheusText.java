package io.etcdjava.server.metrics;

import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.util.Enumeration;

/**
 * Prometheus text format 0.0.4 as Go's client_golang writes it (what etcd's /metrics shows):
 * no {@code _created} series, numbers in Go's shortest {@code %g} form ({@code 2.861056e+07}).
 */
final class PrometheusText {
    private PrometheusText() {
    }

    static void write(Writer out, Enumeration<MetricFamilySamples> families) throws IOException {
        while (families.hasMoreElements()) {
            MetricFamilySamples family = families.nextElement();
            String created = family.name + "_created";
            String headerName = headerName(family);
            out.write("# HELP ");
            out.write(headerName);
            out.write(' ');
            out.write(escapeHelp(family.help));
            out.write("\n# TYPE ");
            out.write(headerName);
            out.write(' ');
            out.write(family instanceof ExactCounter.Family ? "counter" : typeName(family.type));
            out.write('\n');
            for (Sample s : family.samples) {
                if (s.name.equals(created)) {
                    continue;
                }
                out.write(s.name);
                if (!s.labelNames.isEmpty()) {
                    out.write('{');
                    for (int i = 0; i < s.labelNames.size(); i++) {
                        if (i > 0) {
                            out.write(',');
                        }
                        out.write(s.labelNames.get(i));
                        out.write("=\"");
                        out.write(escapeLabel(s.labelValues.get(i)));
                        out.write('"');
                    }
                    out.write('}');
                }
                out.write(' ');
                out.write(formatGo(s.value));
                out.write('\n');
            }
        }
    }

    private static String headerName(MetricFamilySamples family) {
        switch (family.type) {
            case COUNTER -> {
                // simpleclient names the family without _total but its samples with it.
                String total = family.name + "_total";
                boolean allTotal = !family.samples.isEmpty();
                for (Sample s : family.samples) {
                    if (!s.name.equals(total) && !s.name.equals(family.name + "_created")) {
                        allTotal = false;
                    }
                }
                return allTotal ? total : family.name;
            }
            case INFO -> {
                return family.name + "_info";
            }
            default -> {
                return family.name;
            }
        }
    }

    private static String typeName(io.prometheus.client.Collector.Type type) {
        return switch (type) {
            case COUNTER -> "counter";
            case GAUGE, INFO, STATE_SET -> "gauge";
            case HISTOGRAM, GAUGE_HISTOGRAM -> "histogram";
            case SUMMARY -> "summary";
            default -> "untyped";
        };
    }

    private static String escapeHelp(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static String escapeLabel(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Go's strconv.FormatFloat(v, 'g', -1, 64). */
    static String formatGo(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0) {
            return (1 / v) < 0 ? "-0" : "0";
        }
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        String digits = d.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - d.scale();
        String sign = v < 0 ? "-" : "";
        if (exp < -4 || exp >= 6) {
            StringBuilder b = new StringBuilder(sign).append(digits.charAt(0));
            if (digits.length() > 1) {
                b.append('.').append(digits, 1, digits.length());
            }
            b.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            if (a < 10) {
                b.append('0');
            }
            return b.append(a).toString();
        }
        return sign + d.abs().toPlainString();
    }
}
