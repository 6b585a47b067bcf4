package io.etcdjava.ctl;

import java.util.List;
import java.util.regex.Pattern;

/** The client-side check clientv3 applies to member peer URLs before sending them (types.NewURLs). */
final class PeerUrls {
  private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$", Pattern.DOTALL);

  private PeerUrls() {}

  /** The error text Go would give for these URLs, or null when they are acceptable. */
  static String invalid(List<String> urls) {
    if (urls.isEmpty()) {
      return "no valid URLs given";
    }
    for (String raw : urls) {
      String in = raw.strip();
      var m = SCHEME.matcher(in);
      String scheme = m.matches() ? m.group(1).toLowerCase(java.util.Locale.ROOT) : "";
      if (!List.of("http", "https", "unix", "unixs").contains(scheme)) {
        return "URL scheme must be http, https, unix, or unixs: " + in;
      }
      String rest = m.group(2);
      String host = "";
      String path = "";
      if (rest.startsWith("//")) {
        String auth = rest.substring(2);
        int end = indexOfAny(auth, "/?#");
        host = end < 0 ? auth : auth.substring(0, end);
        path = end < 0 ? "" : auth.substring(end);
        int at = host.lastIndexOf('@');
        if (at >= 0) {
          host = host.substring(at + 1);
        }
      } else {
        path = rest;
      }
      int q = indexOfAny(path, "?#");
      if (q >= 0) {
        path = path.substring(0, q);
      }
      if (!hasPort(host)) {
        return "URL address does not have the form \"host:port\": " + in;
      }
      if (!path.isEmpty()) {
        return "URL must not contain a path: " + in;
      }
    }
    return null;
  }

  private static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /** net.SplitHostPort succeeds. */
  private static boolean hasPort(String hostport) {
    if (hostport.startsWith("[")) {
      int e = hostport.indexOf(']');
      return e > 0 && hostport.length() > e + 1 && hostport.charAt(e + 1) == ':'
          && hostport.indexOf(':', e + 2) < 0;
    }
    int c = hostport.lastIndexOf(':');
    return c >= 0 && hostport.indexOf(':') == c && hostport.indexOf('[') < 0 && hostport.indexOf(']') < 0;
  }
}
