package io.etcdjava.bench.tool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * etcd's {@code benchmark} command line (cobra/pflag style): global flags anywhere on the line,
 * one subcommand, its own flags, positional arguments. {@code --name=value} and {@code --name value};
 * a boolean flag alone means true.
 */
final class Cli {
    private Cli() {
    }

    /** A command-line mistake: the message goes to stderr with the usage, exit status 1. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** A parsed command line. Defaults are etcd's. */
    static final class Options {
        List<String> endpoints = List.of("127.0.0.1:2379");
        int conns = 1;
        int clients = 1;
        boolean precise;
        boolean targetLeader;
        Duration dialTimeout = Duration.ZERO;
        boolean help;

        String command;
        List<String> args = new ArrayList<>();
        int total = 10000;
        /** Ours: requests run first on the same connections, not reported. */
        int warmup;
        int rate;
        int keySize = 8;
        int valSize = 8;
        int keySpaceSize = 1;
        boolean sequentialKeys;
        String consistency = "l";
        int txnOps = 1;
        int putTotal = 1000;
        int putRate = 100;
        int streams = 10;
        int watchersPerStream = 10;
        boolean prevKv;
    }

    static final Set<String> COMMANDS = Set.of("put", "range", "txn-put", "watch-latency");
    private static final Set<String> BOOLEANS = Set.of("precise", "target-leader", "sequential-keys", "help", "prevkv");
    private static final Set<String> GLOBAL = Set.of("endpoints", "conns", "clients", "precise", "target-leader",
            "dial-timeout", "warmup", "help");
    private static final Map<String, Set<String>> LOCAL = Map.of(
            "put", Set.of("total", "rate", "key-size", "val-size", "key-space-size", "sequential-keys"),
            "range", Set.of("total", "rate", "consistency"),
            "txn-put", Set.of("total", "rate", "key-size", "val-size", "key-space-size", "txn-ops"),
            "watch-latency", Set.of("put-total", "put-rate", "key-size", "val-size", "streams",
                    "watchers-per-stream", "prevkv"));

    static Options parse(String... argv) throws UsageException {
        Options o = new Options();
        Map<String, String> flags = new LinkedHashMap<>();
        boolean onlyArgs = false;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!onlyArgs && "--".equals(a)) {
                onlyArgs = true;
            } else if (!onlyArgs && ("-h".equals(a) || "--help".equals(a))) {
                o.help = true;
            } else if (!onlyArgs && a.startsWith("--") && a.length() > 2) {
                String name = a.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (!isFlag(name)) {
                    throw new UsageException("unknown flag: --" + name);
                }
                if (value == null) {
                    if (BOOLEANS.contains(name)) {
                        value = "true";
                    } else if (i + 1 < argv.length) {
                        value = argv[++i];
                    } else {
                        throw new UsageException("flag needs an argument: --" + name);
                    }
                }
                flags.put(name, value);
            } else if (!onlyArgs && a.startsWith("-") && a.length() > 1) {
                throw new UsageException("unknown shorthand flag: '" + a.charAt(1) + "' in " + a);
            } else if (o.command == null) {
                if (!COMMANDS.contains(a)) {
                    throw new UsageException("unknown command \"" + a + "\" for \"benchmark\"");
                }
                o.command = a;
            } else {
                o.args.add(a);
            }
        }
        if (o.help) {
            return o;
        }
        for (Map.Entry<String, String> f : flags.entrySet()) {
            String name = f.getKey();
            if (!GLOBAL.contains(name) && (o.command == null || !LOCAL.get(o.command).contains(name))) {
                throw new UsageException("unknown flag: --" + name);
            }
            apply(o, name, f.getValue());
        }
        if (o.command == null) {
            throw new UsageException("no command: one of put, range, txn-put, watch-latency");
        }
        validate(o);
        return o;
    }

    private static boolean isFlag(String name) {
        return GLOBAL.contains(name) || LOCAL.values().stream().anyMatch(s -> s.contains(name));
    }

    private static void apply(Options o, String name, String v) throws UsageException {
        switch (name) {
            case "endpoints" -> {
                List<String> eps = new ArrayList<>();
                for (String e : v.split(",")) {
                    if (!e.isBlank()) {
                        eps.add(e.trim());
                    }
                }
                if (eps.isEmpty()) {
                    throw new UsageException("invalid argument \"" + v + "\" for \"--endpoints\"");
                }
                o.endpoints = List.copyOf(eps);
            }
            case "conns" -> o.conns = uint(name, v);
            case "clients" -> o.clients = uint(name, v);
            case "precise" -> o.precise = bool(name, v);
            case "target-leader" -> o.targetLeader = bool(name, v);
            case "dial-timeout" -> o.dialTimeout = duration(name, v);
            case "total" -> o.total = integer(name, v);
            case "warmup" -> o.warmup = uint(name, v);
            case "rate" -> o.rate = integer(name, v);
            case "key-size" -> o.keySize = integer(name, v);
            case "val-size" -> o.valSize = integer(name, v);
            case "key-space-size" -> o.keySpaceSize = integer(name, v);
            case "sequential-keys" -> o.sequentialKeys = bool(name, v);
            case "consistency" -> o.consistency = v;
            case "txn-ops" -> o.txnOps = integer(name, v);
            case "put-total" -> o.putTotal = uint(name, v);
            case "put-rate" -> o.putRate = uint(name, v);
            case "streams" -> o.streams = uint(name, v);
            case "watchers-per-stream" -> o.watchersPerStream = uint(name, v);
            case "prevkv" -> o.prevKv = bool(name, v);
            default -> throw new UsageException("unknown flag: --" + name);
        }
    }

    private static void validate(Options o) throws UsageException {
        if (o.conns <= 0 || o.clients <= 0) {
            throw new UsageException("--conns and --clients must be positive");
        }
        if (o.total < 0 || o.rate < 0) {
            throw new UsageException("--total and --rate must not be negative");
        }
        switch (o.command) {
            case "put", "txn-put" -> {
                if (!o.args.isEmpty()) {
                    throw new UsageException("unexpected arguments: " + o.args);
                }
                if (o.keySpaceSize <= 0) {
                    throw new UsageException("expected positive --key-space-size, got (" + o.keySpaceSize + ")");
                }
                if (o.keySize < 0 || o.valSize < 0) {
                    throw new UsageException("--key-size and --val-size must not be negative");
                }
                if ("txn-put".equals(o.command) && o.txnOps <= 0) {
                    throw new UsageException("expected positive --txn-ops, got (" + o.txnOps + ")");
                }
            }
            case "range" -> {
                if (o.args.isEmpty() || o.args.size() > 2) {
                    throw new UsageException("range needs KEY [END]");
                }
                if (!"l".equals(o.consistency) && !"s".equals(o.consistency)) {
                    throw new UsageException("--consistency must be l (linearizable) or s (serializable)");
                }
            }
            case "watch-latency" -> {
                if (o.streams <= 0 || o.watchersPerStream <= 0) {
                    throw new UsageException("--streams and --watchers-per-stream must be positive");
                }
            }
            default -> throw new UsageException("unknown command " + o.command);
        }
    }

    private static int uint(String name, String v) throws UsageException {
        int n = integer(name, v);
        if (n < 0) {
            throw new UsageException("invalid argument \"" + v + "\" for \"--" + name + "\"");
        }
        return n;
    }

    private static int integer(String name, String v) throws UsageException {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("invalid argument \"" + v + "\" for \"--" + name + "\": parse error");
        }
    }

    private static boolean bool(String name, String v) throws UsageException {
        return switch (v) {
            case "true", "1", "t", "T", "TRUE", "True" -> true;
            case "false", "0", "f", "F", "FALSE", "False" -> false;
            default -> throw new UsageException("invalid argument \"" + v + "\" for \"--" + name + "\"");
        };
    }

    /** Go durations: "5s", "1m30s", "250ms", plain "0". */
    static Duration duration(String name, String v) throws UsageException {
        if ("0".equals(v)) {
            return Duration.ZERO;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|\u00b5s|ms|s|m|h)").matcher(v);
        double nanos = 0;
        int at = 0;
        while (m.find() && m.start() == at) {
            double n = Double.parseDouble(m.group(1));
            nanos += n * switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "\u00b5s" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            at = m.end();
        }
        if (at == 0 || at != v.length()) {
            throw new UsageException("invalid argument \"" + v + "\" for \"--" + name + "\": time: invalid duration");
        }
        return Duration.ofNanos((long) nanos);
    }

    static final String USAGE = """
            benchmark is a low-level benchmark tool for etcd3.
            It uses gRPC client directly and does not depend on
            etcd client library.

            Usage:
              benchmark [command]

            Available Commands:
              put         Benchmark put
              range       Benchmark range
              txn-put     Benchmark txn-put
              watch-latency Benchmark watch latency

            Flags:
                  --clients uint           Total number of gRPC clients (default 1)
                  --conns uint             Total number of gRPC connections (default 1)
                  --dial-timeout duration  dial timeout for client connections
                  --endpoints strings      gRPC endpoints (default [127.0.0.1:2379])
              -h, --help                   help for benchmark
                  --precise                use full floating point precision
                  --target-leader          connect only to the leader node
                  --warmup uint            requests of the same workload run first and not reported,
                                           so this tool's own JIT warm-up is not measured (ours;
                                           watch-latency: put rounds)

            put flags:
                  --key-size int         Key size of put request (default 8)
                  --key-space-size int   Maximum possible keys (default 1)
                  --rate int             Maximum puts per second (0 is no limit)
                  --sequential-keys      Use sequential keys
                  --total int            Total number of put requests (default 10000)
                  --val-size int         Value size of put request (default 8)

            range key [end-range] flags:
                  --consistency string   Linearizable(l) or Serializable(s) (default "l")
                  --rate int             Maximum range requests per second (0 is no limit)
                  --total int            Total number of range requests (default 10000)

            txn-put flags:
                  --key-size int         Key size of txn put (default 8)
                  --key-space-size int   Maximum possible keys (default 1)
                  --rate int             Maximum txns per second (0 is no limit)
                  --total int            Total number of txn requests (default 10000)
                  --txn-ops int          Number of puts per txn (default 1)
                  --val-size int         Value size of txn put (default 8)

            watch-latency flags:
                  --key-size int              Key size of watch request (default 8)
                  --prevkv                    PrevKV enabled on watch requests
                  --put-rate int              Number of keys to put per second (default 100)
                  --put-total int             Total number of put requests (default 1000)
                  --streams int               Total watch streams (default 10)
                  --val-size int              Val size of put request (default 8)
                  --watchers-per-stream int   Total watchers per stream (default 10)
            """;
}
