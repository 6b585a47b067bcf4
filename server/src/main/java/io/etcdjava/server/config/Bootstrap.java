package io.etcdjava.server.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** etcd's initial-cluster helpers: types.NewURLsMap, InitialClusterFromName, VerifyBootstrap. */
final class Bootstrap {
    private Bootstrap() {
    }

    /** "a=http://x:1,a=http://y:1,b=..." → name → sorted URLs. */
    static Map<String, List<String>> urlsMap(String s) {
        Map<String, List<String>> raw = new LinkedHashMap<>();
        for (String part : s.split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = eq >= 0 ? part.substring(0, eq) : part;
            String url = eq >= 0 ? part.substring(eq + 1) : "";
            raw.computeIfAbsent(name, k -> new ArrayList<>()).add(url);
        }
        Map<String, List<String>> out = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : raw.entrySet()) {
            out.put(e.getKey(), GoUrls.newUrls(e.getValue()));
        }
        return out;
    }

    /** URLsMap.String(): "name=url" pairs, sorted. */
    static String urlsMapString(Map<String, List<String>> m) {
        List<String> pairs = new ArrayList<>();
        m.forEach((name, urls) -> urls.forEach(u -> pairs.add(name + "=" + u)));
        pairs.sort(null);
        return String.join(",", pairs);
    }

    static String initialClusterFromName(String name, List<String> advertisePeerUrls) {
        if (advertisePeerUrls.isEmpty()) {
            return "";
        }
        String n = name.isEmpty() ? "default" : name;
        List<String> parts = new ArrayList<>();
        for (String u : advertisePeerUrls) {
            parts.add(n + "=" + u);
        }
        return String.join(",", parts);
    }

    static void verify(ServerConfig cfg, boolean joinExisting) {
        Map<String, List<String>> m;
        try {
            m = urlsMap(cfg.initialCluster());
        } catch (ConfigException e) {
            throw startFailed(e.getMessage());
        }
        List<String> local = m.get(cfg.name());
        if (local == null) {
            throw startFailed("couldn't find local name " + GoText.quote(cfg.name()) + " in the initial cluster configuration");
        }
        if (!joinExisting) {
            advertiseMatchesCluster(cfg.name(), local, cfg.initialAdvertisePeerUrls());
        }
        Set<String> seen = new HashSet<>();
        for (List<String> urls : m.values()) {
            for (String u : urls) {
                if (!seen.add(u)) {
                    throw startFailed("initial cluster " + urlsMapString(m) + " has duplicate url");
                }
            }
        }
        if (joinExisting) {
            if (!cfg.discovery().isEmpty()) {
                throw startFailed("discovery URL should not be set when joining existing initial cluster");
            }
        } else if (m.isEmpty() && cfg.discovery().isEmpty()) {
            throw startFailed("initial cluster unset and no discovery URL found");
        }
    }

    /** String comparison only: etcd would also resolve host names before giving up. */
    private static void advertiseMatchesCluster(String name, List<String> clusterUrls, List<String> advertised) {
        List<String> urls = new ArrayList<>(clusterUrls);
        List<String> ap = new ArrayList<>(advertised);
        urls.sort(null);
        ap.sort(null);
        if (urls.equals(ap)) {
            return;
        }
        String why;
        if (urls.size() != ap.size()) {
            why = "len(" + GoText.quote(ap) + ") != len(" + GoText.quote(urls) + ")";
        } else {
            int i = 0;
            while (ap.get(i).equals(urls.get(i))) {
                i++;
            }
            why = "resolved urls: " + GoText.quote(ap.get(i)) + " != " + GoText.quote(urls.get(i));
        }
        List<String> missing = new ArrayList<>();
        for (String u : new java.util.TreeSet<>(urls)) {
            if (!ap.contains(u)) {
                missing.add(name + "=" + u);
            }
        }
        if (!missing.isEmpty()) {
            throw startFailed("--initial-cluster has " + String.join(",", missing)
                    + " but missing from --initial-advertise-peer-urls=" + String.join(",", ap) + " (" + why + ")");
        }
        for (String u : new java.util.TreeSet<>(ap)) {
            if (!urls.contains(u)) {
                missing.add(u);
            }
        }
        if (!missing.isEmpty()) {
            throw startFailed("--initial-advertise-peer-urls has " + String.join(",", missing)
                    + " but missing from --initial-cluster=" + urlsMapString(Map.of(name, ap)));
        }
        throw startFailed("failed to resolve " + String.join(",", ap) + " to match --initial-cluster="
                + urlsMapString(Map.of(name, ap)) + " (" + why + ")");
    }

    private static ConfigException startFailed(String msg) {
        return new ConfigException(ConfigException.Kind.START_FAILED, msg);
    }
}
