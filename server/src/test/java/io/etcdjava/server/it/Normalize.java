package io.etcdjava.server.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that decides what may differ between our member and real etcd when both ran the
 * same command: member and cluster IDs, header revisions, raft term and index, timings, the
 * endpoint address, the server version (ours 3.5.0, Debian's 3.4.23), the database size, and the
 * client's own log timestamps and connection names. Everything else must match byte for byte,
 * including keys' create/mod revisions (both stores see the same history).
 */
final class Normalize {
    // JSON as etcdctl -w json prints it (numbers) and as the gateway prints it (int64 as strings).
    private static final Pattern JSON_VOLATILE = Pattern.compile(
            "\"(cluster_id|member_id|revision|raft_term|leader|raftIndex|raftTerm|raftAppliedIndex"
                    + "|dbSize|dbSizeInUse)\":(\"\\d+\"|\\d+)");
    private static final Pattern JSON_SERVER_VERSION = Pattern.compile("\"version\":\"\\d+\\.\\d+\\.\\d+\"");
    private static final Pattern JSON_TOOK = Pattern.compile("\"took\":\"[^\"]*\"");
    // -w fields
    private static final Pattern FIELDS_VOLATILE = Pattern.compile(
            "(?m)^\"(ClusterID|MemberID|Revision|RaftTerm|Leader|RaftIndex|RaftAppliedIndex|DBSize|DBSizeInUse)\" : \\d+$");
    private static final Pattern FIELDS_SERVER_VERSION = Pattern.compile("(?m)^\"Version\" : \"\\d+\\.\\d+\\.\\d+\"$");
    private static final Pattern FIELDS_TOOK = Pattern.compile("(?m)^\"Took\" : .*$");
    // endpoint health (simple) and endpoint status (simple)
    private static final Pattern TOOK = Pattern.compile("took = [0-9.]+[a-zµ]+");
    private static final Pattern STATUS_LINE = Pattern.compile("(?m)^(<endpoint>), [0-9a-f]+, \\d+\\.\\d+\\.\\d+, "
            + "[0-9.]+ [kMGT]?B, (true|false), (true|false), \\d+, \\d+, \\d+, ");
    // clientv3's retry-interceptor log lines on etcdctl's stderr
    private static final Pattern LOG_TS = Pattern.compile("\"ts\":\"[^\"]*\"");
    private static final Pattern LOG_TARGET = Pattern.compile("endpoint://client-[0-9a-f-]+/");
    private static final Set<String> TABLE_VOLATILE = Set.of("ID", "VERSION", "DB SIZE", "RAFT TERM", "RAFT INDEX",
            "RAFT APPLIED INDEX", "TOOK");

    private Normalize() {
    }

    /** {@code text} as one server printed it, with what may differ masked; {@code endpoint} is host:port. */
    static String text(String text, String endpoint) {
        String s = text.replace(endpoint, "<endpoint>");
        s = JSON_VOLATILE.matcher(s).replaceAll("\"$1\":<n>");
        s = JSON_SERVER_VERSION.matcher(s).replaceAll("\"version\":\"<version>\"");
        s = JSON_TOOK.matcher(s).replaceAll("\"took\":\"<took>\"");
        s = FIELDS_VOLATILE.matcher(s).replaceAll("\"$1\" : <n>");
        s = FIELDS_SERVER_VERSION.matcher(s).replaceAll("\"Version\" : \"<version>\"");
        s = FIELDS_TOOK.matcher(s).replaceAll("\"Took\" : <took>");
        s = TOOK.matcher(s).replaceAll("took = <took>");
        s = STATUS_LINE.matcher(s).replaceAll("$1, <id>, <version>, <size>, $2, $3, <n>, <n>, <n>, ");
        s = LOG_TS.matcher(s).replaceAll("\"ts\":\"<ts>\"");
        s = LOG_TARGET.matcher(s).replaceAll(Matcher.quoteReplacement("endpoint://client-<uuid>/"));
        return tables(s);
    }

    /** Same for a finished process: exit code and both streams. */
    static String outcome(EtcdProcess.Outcome o, String endpoint) {
        return "exit " + o.exitCode() + "\n--- stdout ---\n" + text(o.stdout(), endpoint)
                + "--- stderr ---\n" + text(o.stderr(), endpoint);
    }

    /**
     * etcdctl's tables pad every column to its widest cell, so a longer version string or member
     * ID shifts the whole table: drop the padding, then mask the volatile columns by header.
     */
    private static String tables(String s) {
        if (!s.contains("+-")) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        List<String> header = null;
        for (String line : s.split("\n", -1)) {
            if (line.startsWith("+-")) {
                out.append("+").append('\n');
                continue;
            }
            if (!line.startsWith("|")) {
                header = null;
                out.append(line).append('\n');
                continue;
            }
            List<String> cells = new ArrayList<>();
            for (String cell : line.substring(1, line.length() - 1).split("\\|", -1)) {
                cells.add(cell.trim());
            }
            if (header == null) {
                header = cells;
            } else {
                for (int i = 0; i < cells.size() && i < header.size(); i++) {
                    if (TABLE_VOLATILE.contains(header.get(i))) {
                        cells.set(i, "<" + header.get(i).toLowerCase() + ">");
                    }
                }
            }
            out.append("| ").append(String.join(" | ", cells)).append(" |").append('\n');
        }
        out.setLength(out.length() - 1); // split(-1) gave back the final segment after the last '\n'
        return out.toString();
    }
}
