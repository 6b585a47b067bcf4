package io.etcdjava.server.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * URL rules of etcd's {@code types.NewURLs}, {@code checkBindURLs} and {@code checkHostURLs}, with
 * Go's {@code net/url} normalisation (lower-case scheme) so URLs print the way etcd prints them.
 */
final class GoUrls {
    private GoUrls() {
    }

    /** A parsed URL: scheme, host[:port] authority, and the rest (query/fragment) verbatim. */
    record Url(String scheme, String userInfo, String host, String path, String tail) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            if (!scheme.isEmpty()) {
                b.append(scheme).append(':');
            }
            if (!scheme.isEmpty() || !host.isEmpty()) {
                b.append("//");
            }
            if (!userInfo.isEmpty()) {
                b.append(userInfo).append('@');
            }
            return b.append(host).append(path).append(tail).toString();
        }
    }

    /** Go's url.Parse, reduced to what etcd looks at. */
    static Url parse(String in) {
        String s = in;
        String tail = "";
        int hash = s.indexOf('#');
        if (hash >= 0) {
            tail = s.substring(hash);
            s = s.substring(0, hash);
        }
        int q = s.indexOf('?');
        if (q >= 0) {
            tail = s.substring(q) + tail;
            s = s.substring(0, q);
        }
        String scheme = "";
        int colon = s.indexOf(':');
        if (colon > 0 && isScheme(s.substring(0, colon))) {
            scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
            s = s.substring(colon + 1);
        }
        String userInfo = "";
        String host = "";
        if (s.startsWith("//")) {
            s = s.substring(2);
            int slash = s.indexOf('/');
            String authority = slash >= 0 ? s.substring(0, slash) : s;
            s = slash >= 0 ? s.substring(slash) : "";
            int at = authority.lastIndexOf('@');
            if (at >= 0) {
                userInfo = authority.substring(0, at);
                authority = authority.substring(at + 1);
            }
            host = authority;
        }
        return new Url(scheme, userInfo, host, s, tail);
    }

    private static boolean isScheme(String s) {
        if (s.isEmpty() || !Character.isLetter(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    /** etcd's types.NewURLs: validates each, returns their normalised strings sorted. */
    static List<String> newUrls(List<String> strs) throws ConfigException {
        if (strs.isEmpty()) {
            throw new ConfigException("no valid URLs given");
        }
        List<String> out = new ArrayList<>(strs.size());
        for (String raw : strs) {
            String in = raw.strip();
            Url u = parse(in);
            if (!u.scheme().equals("http") && !u.scheme().equals("https")
                    && !u.scheme().equals("unix") && !u.scheme().equals("unixs")) {
                throw new ConfigException("URL scheme must be http, https, unix, or unixs: " + in);
            }
            if (splitHostPort(u.host()) == null) {
                throw new ConfigException("URL address does not have the form \"host:port\": " + in);
            }
            if (!u.path().isEmpty()) {
                throw new ConfigException("URL must not contain a path: " + in);
            }
            out.add(u.toString());
        }
        out.sort(null);
        return List.copyOf(out);
    }

    static List<String> newUrls(String commaSeparated) throws ConfigException {
        return newUrls(List.of(commaSeparated.split(",", -1)));
    }

    /** Go's net.SplitHostPort; returns {host, port} or null when malformed. */
    static String[] splitHostPort(String hostport) {
        int last = hostport.lastIndexOf(':');
        if (last < 0) {
            return null; // missing port
        }
        String host;
        if (hostport.startsWith("[")) {
            int end = hostport.indexOf(']');
            if (end < 0 || end + 1 != last) {
                return null;
            }
            host = hostport.substring(1, end);
            if (host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
                return null;
            }
        } else {
            host = hostport.substring(0, last);
            if (host.indexOf(':') >= 0 || host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
                return null; // too many colons
            }
        }
        String port = hostport.substring(last + 1);
        if (hostport.indexOf(']', last) >= 0) {
            return null;
        }
        return new String[] {host, port};
    }

    /** etcd's checkBindURLs: listeners must name an IP (or localhost), not a DNS name. */
    static void checkBind(List<String> urls) throws ConfigException {
        for (String s : urls) {
            Url u = parse(s);
            if (u.scheme().equals("unix") || u.scheme().equals("unixs")) {
                continue;
            }
            String[] hp = splitHostPort(u.host());
            if (hp == null) {
                throw new ConfigException("address " + u.host() + ": missing port in address");
            }
            if (hp[0].equals("localhost")) {
                continue;
            }
            if (!isIp(hp[0])) {
                throw new ConfigException("expected IP in URL for binding (" + s + ")");
            }
        }
    }

    /** etcd's checkHostURLs; returns the error text or null. */
    static String checkHost(List<String> urls) {
        for (String s : urls) {
            String[] hp = splitHostPort(parse(s).host());
            if (hp == null) {
                return "address " + parse(s).host() + ": missing port in address";
            }
            if (hp[0].isEmpty()) {
                return "unexpected empty host (" + s + ")";
            }
        }
        return null;
    }

    /** Go's net.ParseIP != nil, without any name lookup. */
    static boolean isIp(String h) {
        if (h.indexOf(':') < 0) {
            return isIpv4(h);
        }
        if (h.indexOf('%') >= 0) {
            return false;
        }
        int lastColon = h.lastIndexOf(':');
        String v6 = h;
        int groupsForV4 = 0;
        if (h.indexOf('.') > lastColon) {
            if (!isIpv4(h.substring(lastColon + 1))) {
                return false;
            }
            v6 = h.substring(0, lastColon + 1) + "0:0";
            groupsForV4 = 0;
        }
        int dbl = v6.indexOf("::");
        if (dbl >= 0 && v6.indexOf("::", dbl + 1) >= 0) {
            return false;
        }
        String[] parts = v6.split(":", -1);
        int groups = 0;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.isEmpty()) {
                // only legal as part of "::" (or the leading/trailing colon of it)
                boolean partOfDouble = dbl >= 0;
                if (!partOfDouble) {
                    return false;
                }
                continue;
            }
            if (p.length() > 4) {
                return false;
            }
            for (int j = 0; j < p.length(); j++) {
                if (Character.digit(p.charAt(j), 16) < 0) {
                    return false;
                }
            }
            groups++;
        }
        groups += groupsForV4;
        return dbl >= 0 ? groups < 8 : groups == 8;
    }

    private static boolean isIpv4(String h) {
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
                return false;
            }
            for (int i = 0; i < p.length(); i++) {
                if (!Character.isDigit(p.charAt(i)) || p.charAt(i) > '9') {
                    return false;
                }
            }
            if (Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
