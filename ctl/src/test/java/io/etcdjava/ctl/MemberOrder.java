package io.etcdjava.ctl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * etcd lists members sorted by ID, and a new member's ID derives from the clock, so two runs of the same
 * member command may list the same members in a different order. This puts every member list of an
 * (already normalised) output in one canonical order and leaves everything else as it was: the
 * {@code ETCD_INITIAL_CLUSTER} entries, the {@code "members"} array in json, the rows of a table, the
 * lines of simple {@code member list}, and repeated member messages in decoded protobuf.
 */
final class MemberOrder {
  private static final Pattern INITIAL_CLUSTER = Pattern.compile("(?m)^(ETCD_INITIAL_CLUSTER=\")([^\"]*)(\")$");
  private static final String JSON_MEMBERS = "\"members\":[";
  private static final Pattern SIMPLE_ROW = Pattern.compile("[0-9a-fA-Z]+, (?:started|unstarted), .*");
  private static final Pattern TOP_LEVEL_GROUP = Pattern.compile("(\\d+): \\{");

  private MemberOrder() {}

  static Golden.Result sorted(Golden.Result r) {
    return new Golden.Result(sorted(r.out()), r.err(), r.code());
  }

  static String sorted(String s) {
    String r = initialCluster(s);
    r = jsonMembers(r);
    r = runsOfLines(r);
    return protobufGroups(r);
  }

  private static String initialCluster(String s) {
    Matcher m = INITIAL_CLUSTER.matcher(s);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String[] entries = m.group(2).split(",", -1);
      Arrays.sort(entries);
      m.appendReplacement(b, Matcher.quoteReplacement(m.group(1) + String.join(",", entries) + m.group(3)));
    }
    m.appendTail(b);
    return b.toString();
  }

  /** Member objects hold arrays of URLs but never nested objects: each one is a {...} at depth one. */
  private static String jsonMembers(String s) {
    StringBuilder b = new StringBuilder();
    int from = 0;
    for (int at = s.indexOf(JSON_MEMBERS); at >= 0; at = s.indexOf(JSON_MEMBERS, from)) {
      int start = at + JSON_MEMBERS.length();
      int end = arrayEnd(s, start);
      if (end < 0) {
        break;
      }
      List<String> members = new ArrayList<>();
      int depth = 0;
      int objStart = -1;
      boolean inString = false;
      for (int i = start; i < end; i++) {
        char c = s.charAt(i);
        if (inString) {
          if (c == '\\') {
            i++;
          } else if (c == '"') {
            inString = false;
          }
        } else if (c == '"') {
          inString = true;
        } else if (c == '{' && depth++ == 0) {
          objStart = i;
        } else if (c == '}' && --depth == 0) {
          members.add(s.substring(objStart, i + 1));
        }
      }
      members.sort(null);
      b.append(s, from, start).append(String.join(",", members)).append(']');
      from = end + 1;
    }
    return b.append(s.substring(from)).toString();
  }

  /** Index of the ']' closing the array whose contents start at {@code start}; -1 when it is not closed. */
  private static int arrayEnd(String s, int start) {
    int depth = 1;
    boolean inString = false;
    for (int i = start; i < s.length(); i++) {
      char c = s.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '[') {
        depth++;
      } else if (c == ']' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  /** Sorts each run of consecutive member lines: table rows (not the header) and simple list lines. */
  private static String runsOfLines(String s) {
    List<String> lines = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
    int i = 0;
    while (i < lines.size()) {
      int j = i;
      while (j < lines.size() && isMemberLine(lines.get(j))) {
        j++;
      }
      if (j > i + 1) {
        lines.subList(i, j).sort(null);
      }
      i = Math.max(j, i + 1);
    }
    return String.join("\n", lines);
  }

  private static boolean isMemberLine(String line) {
    if (line.startsWith("| ") && !line.contains(" ID ")) {
      return true; // a table row; the header row names the ID column
    }
    return SIMPLE_ROW.matcher(line).matches();
  }

  /**
   * In decoded protobuf (UnknownFieldSet's text) a repeated message field is a run of top-level groups
   * with one field number: those runs are sorted.
   */
  private static String protobufGroups(String s) {
    if (!s.endsWith("}\n") || !TOP_LEVEL_GROUP.matcher(s).lookingAt()) {
      return s;
    }
    List<String[]> entries = new ArrayList<>(); // {field number, text}
    String[] lines = s.split("\n");
    for (int i = 0; i < lines.length; i++) {
      Matcher m = TOP_LEVEL_GROUP.matcher(lines[i]);
      if (m.matches()) {
        StringBuilder g = new StringBuilder(lines[i]).append('\n');
        while (++i < lines.length && !lines[i].equals("}")) {
          g.append(lines[i]).append('\n');
        }
        entries.add(new String[] {m.group(1), g.append("}\n").toString()});
      } else {
        entries.add(new String[] {"", lines[i] + "\n"});
      }
    }
    StringBuilder b = new StringBuilder();
    int i = 0;
    while (i < entries.size()) {
      int j = i + 1;
      while (j < entries.size() && !entries.get(i)[0].isEmpty() && entries.get(j)[0].equals(entries.get(i)[0])) {
        j++;
      }
      List<String> run = new ArrayList<>();
      for (int k = i; k < j; k++) {
        run.add(entries.get(k)[1]);
      }
      run.sort(null);
      run.forEach(b::append);
      i = j;
    }
    return b.toString();
  }
}
