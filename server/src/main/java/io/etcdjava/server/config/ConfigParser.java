package io.etcdjava.server.config;

import io.etcdjava.server.Version;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns etcd's command line, {@code ETCD_*} environment and {@code --config-file} YAML into a
 * {@link ServerConfig}, the way etcd 3.4's etcdmain does: Go flag syntax, env vars only for flags
 * not given on the command line, and a config file that overrides both entirely.
 */
public final class ConfigParser {
    private ConfigParser() {
    }

    /**
     * Parses without side effects: nothing is printed, logged or exited here.
     *
     * @param args the command line after the program name
     * @param env the process environment, in its iteration order (System.getenv() in production)
     */
    public static ParseResult parse(String[] args, Map<String, String> env) {
        List<Notice> notices = new ArrayList<>();
        ServerConfig.Builder b = ServerConfig.builder();
        Set<String> setOnCommandLine = new HashSet<>();
        String configFile = "";
        boolean printVersion = false;

        int i = 0;
        while (i < args.length) {
            String s = args[i];
            if (s.length() < 2 || s.charAt(0) != '-') {
                break;
            }
            int minuses = 1;
            if (s.charAt(1) == '-') {
                minuses = 2;
                if (s.length() == 2) {
                    i++;
                    break;
                }
            }
            String name = s.substring(minuses);
            if (name.isEmpty() || name.charAt(0) == '-' || name.charAt(0) == '=') {
                return flagError("bad flag syntax: " + s);
            }
            i++;
            boolean hasValue = false;
            String value = "";
            int eq = name.indexOf('=');
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
                hasValue = true;
            }
            Flags.Def d = Flags.lookup(name);
            if (d == null) {
                if (name.equals("help") || name.equals("h")) {
                    return new ParseResult.Print(0, Usage.FLAGS + "\n", Usage.USAGE + "\n");
                }
                return flagError("flag provided but not defined: -" + name);
            }
            if (d.isBool()) {
                String text = hasValue ? value : "true";
                if (d.kind() == Flags.Kind.IGNORED) {
                    notices.add(Notice.warn("flag \"-" + name + "\" is no longer supported - ignoring."));
                } else {
                    boolean v;
                    try {
                        v = GoText.parseBool(text);
                    } catch (IllegalArgumentException e) {
                        return flagError("invalid boolean value " + GoText.quote(value) + " for -" + name + ": parse error");
                    }
                    if (name.equals("version")) {
                        printVersion = v;
                    } else {
                        b.set(name, v);
                    }
                }
            } else {
                if (!hasValue && i < args.length) {
                    value = args[i++];
                    hasValue = true;
                }
                if (!hasValue) {
                    return flagError("flag needs an argument: -" + name);
                }
                if (name.equals("config-file")) {
                    configFile = value;
                } else {
                    try {
                        b.setText(name, value);
                    } catch (IllegalArgumentException e) {
                        return flagError("invalid value " + GoText.quote(value) + " for flag -" + name + ": " + e.getMessage());
                    }
                }
            }
            setOnCommandLine.add(name);
        }

        if (i < args.length) {
            return new ParseResult.Invalid(new ConfigException("'" + args[i] + "' is not a valid flag"), notices);
        }
        if (printVersion) {
            return new ParseResult.Print(0, Version.versionText(), "");
        }
        if (configFile.isEmpty()) {
            configFile = env.getOrDefault(Flags.envName("config-file"), "");
        }
        try {
            if (!configFile.isEmpty()) {
                notices.add(Notice.info("loaded server configuration, other configuration command line flags "
                        + "and environment variables will be ignored if provided", "path", configFile));
                b = YamlConfig.load(Path.of(configFile));
            } else {
                fromEnvironment(b, env, setOnCommandLine, notices);
            }
            boolean dataDirEmpty = ((String) b.values.get("data-dir")).isEmpty();
            ServerConfig cfg = b.build();
            notices.addAll(b.notices());
            if (dataDirEmpty) {
                notices.add(Notice.warn("'data-dir' was empty; using default", "data-dir", cfg.dataDir()));
            }
            return new ParseResult.Run(cfg, notices);
        } catch (ConfigException e) {
            notices.addAll(b.notices());
            return new ParseResult.Invalid(e, notices);
        }
    }

    /** etcd's configFromCmdLine: env vars, then the defaults that depend on what was set. */
    private static void fromEnvironment(ServerConfig.Builder b, Map<String, String> env, Set<String> setOnCommandLine,
                                        List<Notice> notices) {
        Set<String> alreadySet = new HashSet<>();
        for (String f : setOnCommandLine) {
            alreadySet.add(Flags.envName(f));
        }
        Set<String> used = new HashSet<>();
        Set<String> set = new HashSet<>(setOnCommandLine);
        ConfigException err = null;
        for (String name : Flags.sortedNames()) {
            String key = Flags.envName(name);
            String val = env.get(key);
            if (alreadySet.contains(key) || val == null || val.isEmpty()) {
                continue;
            }
            used.add(key);
            try {
                Flags.Def d = Flags.lookup(name);
                if (d.kind() == Flags.Kind.IGNORED) {
                    notices.add(Notice.warn("flag \"-" + name + "\" is no longer supported - ignoring."));
                } else if (!name.equals("version") && !name.equals("config-file")) {
                    b.setText(name, val);
                }
                set.add(name);
                notices.add(Notice.info("recognized and used environment variable",
                        "variable-name", key, "variable-value", val));
            } catch (IllegalArgumentException e) {
                err = new ConfigException("invalid value " + GoText.quote(val) + " for " + key + ": " + e.getMessage());
            }
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            String key = e.getKey();
            if (used.contains(key)) {
                continue;
            }
            if (alreadySet.contains(key)) {
                throw new ConfigException(ConfigException.Kind.FATAL, "conflicting environment variable "
                        + GoText.quote(key) + " is shadowed by corresponding command-line flag "
                        + "(either unset environment variable or disable flag)");
            }
            if (key.startsWith("ETCD_")) {
                notices.add(Notice.warn("unrecognized environment variable", "environment-variable", key + "=" + e.getValue()));
            }
        }
        if (err != null) {
            throw err;
        }
        if (set.contains("listen-client-urls") && !set.contains("advertise-client-urls")
                && !ServerConfig.mayBeProxy(b.values)) {
            b.values.put("advertise-client-urls", List.of());
        }
        boolean discovery = !((String) b.values.get("discovery")).isEmpty()
                || !((String) b.values.get("discovery-srv")).isEmpty()
                || !((String) b.values.get("discovery-srv-name")).isEmpty();
        if (discovery && !set.contains("initial-cluster")) {
            b.values.put("initial-cluster", "");
        }
    }

    private static ParseResult flagError(String message) {
        return new ParseResult.Print(2, "", message + "\n" + Usage.USAGE + "\n");
    }
}
