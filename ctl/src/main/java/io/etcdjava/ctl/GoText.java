package io.etcdjava.ctl;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Go's text formatting and parsing that etcdctl's output depends on: %q, time.Duration, humanize, strconv errors. */
final class GoText {
  private GoText() {}

  /** strconv.Quote over raw bytes (Go strings are byte strings; invalid UTF-8 becomes \xNN). */
  static String quote(byte[] b) {
    StringBuilder sb = new StringBuilder(b.length + 2).append('"');
    int i = 0;
    while (i < b.length) {
      int c = b[i] & 0xff;
      if (c < 0x80) {
        appendEscapedRune(sb, c, 1);
        i++;
        continue;
      }
      int n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
      int cp = n == 0 ? -1 : decode(b, i, n);
      if (cp < 0) {
        sb.append(String.format("\\x%02x", c));
        i++;
      } else {
        appendEscapedRune(sb, cp, n);
        i += n;
      }
    }
    return sb.append('"').toString();
  }

  static String quote(String s) {
    return quote(s.getBytes(StandardCharsets.UTF_8));
  }

  private static int decode(byte[] b, int i, int n) {
    if (i + n > b.length) {
      return -1;
    }
    int c = b[i] & 0xff;
    int cp = n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
    for (int k = 1; k < n; k++) {
      int cc = b[i + k] & 0xff;
      if ((cc & 0xc0) != 0x80) {
        return -1;
      }
      cp = (cp << 6) | (cc & 0x3f);
    }
    int min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return -1;
    }
    return cp;
  }

  private static void appendEscapedRune(StringBuilder sb, int r, int width) {
    switch (r) {
      case '"' -> sb.append("\\\"");
      case '\\' -> sb.append("\\\\");
      case 7 -> sb.append("\\a");
      case '\b' -> sb.append("\\b");
      case '\f' -> sb.append("\\f");
      case '\n' -> sb.append("\\n");
      case '\r' -> sb.append("\\r");
      case '\t' -> sb.append("\\t");
      case 11 -> sb.append("\\v");
      default -> {
        if (isPrint(r)) {
          sb.appendCodePoint(r);
        } else if (r < ' ' || r == 0x7f) {
          sb.append(String.format("\\x%02x", r));
        } else if (r < 0x10000) {
          sb.append(String.format("\\u%04x", r));
        } else {
          sb.append(String.format("\\U%08x", r));
        }
      }
    }
  }

  private static boolean isPrint(int r) {
    if (r < 0x80) {
      return r >= 0x20 && r < 0x7f;
    }
    if (r == 0xad) {
      return false;
    }
    int t = Character.getType(r);
    return t != Character.UNASSIGNED && t != Character.CONTROL && t != Character.FORMAT
        && t != Character.PRIVATE_USE && t != Character.SURROGATE && t != Character.LINE_SEPARATOR
        && t != Character.PARAGRAPH_SEPARATOR && (t != Character.SPACE_SEPARATOR || r == ' ');
  }

  /** Go's string(bytes) printed as UTF-8: bytes pass through unchanged. */
  static String raw(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  // ---- time.Duration ----

  /** time.Duration.String(). */
  static String duration(long nanos) {
    if (nanos == 0) {
      return "0s";
    }
    boolean neg = nanos < 0;
    long u = Math.abs(nanos);
    StringBuilder sb = new StringBuilder();
    if (u < 1_000_000_000L) {
      String unit;
      int prec;
      if (u < 1_000L) {
        return (neg ? "-" : "") + u + "ns";
      } else if (u < 1_000_000L) {
        unit = "µs";
        prec = 3;
      } else {
        unit = "ms";
        prec = 6;
      }
      sb.append(fraction(u, prec)).append(unit);
    } else {
      long secsNanos = u % 60_000_000_000L;
      long mins = u / 60_000_000_000L;
      String secs = fraction(secsNanos, 9) + "s";
      if (mins > 0) {
        long h = mins / 60;
        long m = mins % 60;
        if (h > 0) {
          sb.append(h).append('h');
        }
        sb.append(m).append('m');
      }
      sb.append(secs);
    }
    return (neg ? "-" : "") + sb;
  }

  private static String fraction(long v, int prec) {
    long pow = 1;
    for (int i = 0; i < prec; i++) {
      pow *= 10;
    }
    long whole = v / pow;
    long frac = v % pow;
    if (frac == 0) {
      return Long.toString(whole);
    }
    String f = String.format("%0" + prec + "d", frac).replaceAll("0+$", "");
    return whole + "." + f;
  }

  /** time.ParseDuration; the message of the thrown exception is Go's error text. */
  static long parseDuration(String s) {
    String orig = s;
    int i = 0;
    boolean neg = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      neg = s.charAt(0) == '-';
      i = 1;
    }
    if (s.substring(i).equals("0")) {
      return 0;
    }
    if (i == s.length()) {
      throw new IllegalArgumentException("time: invalid duration " + quote(orig));
    }
    double total = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && Character.isDigit(s.charAt(i))) {
        i++;
      }
      boolean pre = i > start;
      String intPart = s.substring(start, i);
      String fracPart = "";
      if (i < s.length() && s.charAt(i) == '.') {
        i++;
        int fs = i;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
          i++;
        }
        fracPart = s.substring(fs, i);
      }
      if (!pre && fracPart.isEmpty()) {
        throw new IllegalArgumentException("time: invalid duration " + quote(orig));
      }
      int us = i;
      while (i < s.length() && s.charAt(i) != '.' && !Character.isDigit(s.charAt(i))) {
        i++;
      }
      if (us == i) {
        throw new IllegalArgumentException("time: missing unit in duration " + quote(orig));
      }
      String unit = s.substring(us, i);
      double mult = switch (unit) {
        case "ns" -> 1;
        case "us", "µs", "μs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        case "h" -> 3600e9;
        default -> throw new IllegalArgumentException(
            "time: unknown unit " + quote(unit) + " in duration " + quote(orig));
      };
      double v = Double.parseDouble((intPart.isEmpty() ? "0" : intPart) + (fracPart.isEmpty() ? "" : "." + fracPart));
      total += v * mult;
    }
    if (total > Long.MAX_VALUE) {
      throw new IllegalArgumentException("time: invalid duration " + quote(orig));
    }
    long r = Math.round(total);
    return neg ? -r : r;
  }

  // ---- strconv ----

  static long parseInt64(String s, int base, String fn) {
    String num = s;
    boolean neg = false;
    if (num.startsWith("-") || num.startsWith("+")) {
      neg = num.startsWith("-");
      num = num.substring(1);
    }
    int b = base;
    if (base == 0) {
      b = 10;
      String l = num.toLowerCase(Locale.ROOT);
      if (l.startsWith("0x")) {
        b = 16;
        num = num.substring(2);
      } else if (l.startsWith("0b")) {
        b = 2;
        num = num.substring(2);
      } else if (l.startsWith("0o")) {
        b = 8;
        num = num.substring(2);
      } else if (l.startsWith("0") && l.length() > 1) {
        b = 8;
        num = num.substring(1);
      }
      num = num.replace("_", "");
    }
    if (num.isEmpty() || num.startsWith("+") || num.startsWith("-")) {
      throw new NumberFormatException(fn + ": parsing " + quote(s) + ": invalid syntax");
    }
    try {
      java.math.BigInteger v = new java.math.BigInteger(num, b);
      if (neg) {
        v = v.negate();
      }
      if (v.bitLength() > 63) {
        throw new NumberFormatException(fn + ": parsing " + quote(s) + ": value out of range");
      }
      return v.longValue();
    } catch (NumberFormatException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(fn)) {
        throw e;
      }
      throw new NumberFormatException(fn + ": parsing " + quote(s) + ": invalid syntax");
    }
  }

  static long parseUint64(String s, int base) {
    if (s.isEmpty() || s.startsWith("-") || s.startsWith("+")) {
      throw new NumberFormatException("strconv.ParseUint: parsing " + quote(s) + ": invalid syntax");
    }
    try {
      java.math.BigInteger v = new java.math.BigInteger(s, base);
      if (v.bitLength() > 64) {
        throw new NumberFormatException("strconv.ParseUint: parsing " + quote(s) + ": value out of range");
      }
      return v.longValue();
    } catch (NumberFormatException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("strconv")) {
        throw e;
      }
      throw new NumberFormatException("strconv.ParseUint: parsing " + quote(s) + ": invalid syntax");
    }
  }

  static boolean parseBool(String s) {
    return switch (s) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      case "0", "f", "F", "FALSE", "false", "False" -> false;
      default -> throw new IllegalArgumentException("strconv.ParseBool: parsing " + quote(s) + ": invalid syntax");
    };
  }

  /** go-humanize Bytes (SI units). */
  static String humanizeBytes(long s) {
    if (s < 10) {
      return s + " B";
    }
    String[] sizes = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    double e = Math.floor(Math.log(s) / Math.log(1000));
    String suffix = sizes[(int) e];
    double val = Math.floor(s / Math.pow(1000, e) * 10 + 0.5) / 10;
    // Go formats the exact binary value and rounds half to even
    java.math.BigDecimal exact = new java.math.BigDecimal(val);
    return exact.setScale(val < 10 ? 1 : 0, java.math.RoundingMode.HALF_EVEN).toPlainString() + " " + suffix;
  }

  /** Lower-case hex of an unsigned 64-bit value, as Go's %x. */
  static String hex(long v) {
    return Long.toHexString(v);
  }

  static String uint(long v) {
    return Long.toUnsignedString(v);
  }

  /** fmt's %v of a []string: [a b c]. */
  static String list(List<String> items) {
    return "[" + String.join(" ", items) + "]";
  }

  static List<String> splitCsv(String v) {
    List<String> out = new ArrayList<>();
    if (v.isEmpty()) {
      return out;
    }
    StringBuilder cur = new StringBuilder();
    boolean q = false;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '"') {
        q = !q;
      } else if (c == ',' && !q) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }
}
