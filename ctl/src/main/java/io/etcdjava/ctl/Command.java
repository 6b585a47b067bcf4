package io.etcdjava.ctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A cobra command: a node of the command tree with local and persistent flags. Finding the command,
 * parsing flags and rendering help follow cobra 1.6 and etcdctl's help template byte for byte.
 */
final class Command {
  /** Runs a leaf command with its positional arguments. */
  interface Action {
    void run(Invocation inv, List<String> args);
  }

  final String use;
  final String shortDesc;
  final String longDesc;
  final Action action;
  Command parent;
  /** cobra's Hidden: runs, but is not listed in help or suggestions. */
  boolean hidden;
  private final Map<String, Command> children = new TreeMap<>();
  final FlagSet localFlags = new FlagSet();
  final FlagSet persistentFlags = new FlagSet();

  Command(String use, String shortDesc, String longDesc, Action action) {
    this.use = use;
    this.shortDesc = shortDesc;
    this.longDesc = longDesc;
    this.action = action;
  }

  Command add(Command... cs) {
    for (Command c : cs) {
      c.parent = this;
      children.put(c.name(), c);
    }
    return this;
  }

  String name() {
    int i = use.indexOf(' ');
    return i >= 0 ? use.substring(0, i) : use;
  }

  boolean runnable() {
    return action != null;
  }

  List<Command> children() {
    return new ArrayList<>(children.values());
  }

  Command root() {
    return parent == null ? this : parent.root();
  }

  String path() {
    return parent == null ? name() : parent.path() + " " + name();
  }

  // ---- flag declaration helpers ----

  Flag boolFlag(boolean persistent, String name, String sh, boolean def, String usage) {
    return (persistent ? persistentFlags : localFlags).add(new Flag(name, sh, Flag.Type.BOOL, def, usage));
  }

  Flag stringFlag(boolean persistent, String name, String sh, String def, String usage) {
    return (persistent ? persistentFlags : localFlags).add(new Flag(name, sh, Flag.Type.STRING, def, usage));
  }

  Flag int64Flag(boolean persistent, String name, long def, String usage) {
    return (persistent ? persistentFlags : localFlags).add(new Flag(name, "", Flag.Type.INT64, def, usage));
  }

  /** Every flag that applies: local, own persistent and the parents' persistent ones (cobra's Flags()). */
  FlagSet allFlags() {
    FlagSet fs = new FlagSet();
    fs.addAll(localFlags);
    fs.addAll(persistentFlags);
    fs.addAll(inheritedFlags());
    return fs;
  }

  FlagSet inheritedFlags() {
    FlagSet fs = new FlagSet();
    for (Command p = parent; p != null; p = p.parent) {
      fs.addAll(p.persistentFlags);
    }
    return fs;
  }

  /** cobra's LocalFlags(): own flags, local and persistent. */
  FlagSet ownFlags() {
    FlagSet fs = new FlagSet();
    fs.addAll(localFlags);
    fs.addAll(persistentFlags);
    return fs;
  }

  // ---- cobra's Find ----

  record Found(Command cmd, List<String> args) {}

  Found find(List<String> args) {
    Command c = this;
    List<String> a = args;
    while (true) {
      List<String> stripped = stripFlags(a, c);
      if (stripped.isEmpty()) {
        break;
      }
      String next = stripped.get(0);
      Command n = c.findNext(next);
      if (n == null) {
        break;
      }
      a = argsMinusFirst(a, next);
      c = n;
    }
    return new Found(c, a);
  }

  /** The first command word of args as find sees it (flags and their values skipped), or null. */
  String firstCommandWord(List<String> args) {
    List<String> words = stripFlags(args, this);
    return words.isEmpty() ? null : words.get(0);
  }

  private Command findNext(String next) {
    List<Command> matches = new ArrayList<>();
    for (Command cmd : children.values()) {
      if (cmd.name().equals(next)) {
        return cmd;
      }
      if (cmd.name().startsWith(next)) {
        matches.add(cmd);
      }
    }
    return matches.size() == 1 ? matches.get(0) : null;
  }

  private static List<String> argsMinusFirst(List<String> args, String x) {
    List<String> out = new ArrayList<>(args);
    for (int i = 0; i < out.size(); i++) {
      String s = out.get(i);
      if (s.equals("--")) {
        break;
      }
      if (s.startsWith("-")) {
        continue;
      }
      if (s.equals(x)) {
        out.remove(i);
        return out;
      }
    }
    return out;
  }

  private static List<String> stripFlags(List<String> args, Command c) {
    List<String> commands = new ArrayList<>();
    FlagSet flags = c.allFlags();
    List<String> a = new ArrayList<>(args);
    while (!a.isEmpty()) {
      String s = a.remove(0);
      if (s.equals("--")) {
        break;
      } else if (s.startsWith("--") && !s.contains("=") && !isBoolLong(s.substring(2), flags)) {
        if (a.size() <= 1) {
          break;
        }
        a.remove(0);
      } else if (s.startsWith("-") && !s.contains("=") && s.length() == 2 && !isBoolShort(s.substring(1), flags)) {
        if (a.size() <= 1) {
          break;
        }
        a.remove(0);
      } else if (!s.isEmpty() && !s.startsWith("-")) {
        commands.add(s);
      }
    }
    return commands;
  }

  private static boolean isBoolLong(String name, FlagSet fs) {
    Flag f = fs.lookup(name);
    return f != null && f.isBool();
  }

  private static boolean isBoolShort(String name, FlagSet fs) {
    Flag f = fs.lookupShort(name);
    return f != null && f.isBool();
  }

  /** cobra's legacyArgs for the root: an unknown sub-command, with suggestions. */
  String unknownCommandError(String arg) {
    StringBuilder sb = new StringBuilder("unknown command " + GoText.quote(arg) + " for " + GoText.quote(path()));
    List<String> suggestions = new ArrayList<>();
    for (Command cmd : children.values()) {
      if (!cmd.available()) {
        continue;
      }
      boolean byDistance = levenshtein(arg.toLowerCase(Locale.ROOT), cmd.name().toLowerCase(Locale.ROOT)) <= 2;
      boolean byPrefix = cmd.name().toLowerCase(Locale.ROOT).startsWith(arg.toLowerCase(Locale.ROOT));
      if (byDistance || byPrefix) {
        suggestions.add(cmd.name());
      }
    }
    if (!suggestions.isEmpty()) {
      sb.append("\n\nDid you mean this?\n");
      for (String s : suggestions) {
        sb.append('\t').append(s).append('\n');
      }
    }
    return sb.toString();
  }

  boolean available() {
    if (hidden) {
      return false;
    }
    if (name().equals("help") && parent != null && parent.parent == null) {
      return false;
    }
    return runnable() || children.values().stream().anyMatch(Command::available);
  }

  private static int levenshtein(String s, String t) {
    int[][] d = new int[s.length() + 1][t.length() + 1];
    for (int i = 0; i <= s.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= t.length(); j++) {
      d[0][j] = j;
    }
    for (int j = 1; j <= t.length(); j++) {
      for (int i = 1; i <= s.length(); i++) {
        if (s.charAt(i - 1) == t.charAt(j - 1)) {
          d[i][j] = d[i - 1][j - 1];
        } else {
          d[i][j] = 1 + Math.min(d[i - 1][j], Math.min(d[i][j - 1], d[i - 1][j - 1]));
        }
      }
    }
    return d[s.length()][t.length()];
  }

  // ---- etcdctl's usage template (ctlv3/help.go) ----

  String usage() {
    StringBuilder sb = new StringBuilder();
    sb.append("NAME:\n");
    String name = parent == null ? name() : nameRelativeTo(root());
    sb.append('\t').append(name).append(" - ").append(shortDesc).append('\n');
    sb.append("\nUSAGE:\n\t").append(useLine()).append('\n');
    if (parent == null) {
      sb.append("\nVERSION:\n\t").append(Etcdctl.VERSION).append('\n');
    }
    if (!children.isEmpty()) {
      sb.append("\nAPI VERSION:\n\t").append(Etcdctl.API_VERSION).append('\n');
      sb.append("\n\nCOMMANDS:\n");
      for (Command sub : descendants()) {
        if (sub.runnable() && !sub.hidden) {
          sb.append('\t').append(sub.nameRelativeTo(this)).append('\t').append(sub.shortDesc).append('\n');
        }
      }
    }
    if (!longDesc.isEmpty()) {
      sb.append("\nDESCRIPTION:\n");
      for (String line : trim(longDesc, "\n\t ").split("\n", -1)) {
        sb.append('\t').append(line).append('\n');
      }
    }
    FlagSet local = ownFlags();
    local.addAll(helpFlagSet());
    sb.append("\nOPTIONS:\n").append(flagUsages(local));
    if (parent != null) {
      sb.append("\nGLOBAL OPTIONS:\n").append(flagUsages(inheritedFlags()));
    }
    sb.append('\n');
    return TabWriter.format(sb.toString());
  }

  FlagSet helpFlagSet() {
    FlagSet fs = new FlagSet();
    fs.add(new Flag("help", "h", Flag.Type.BOOL, false, "help for " + name()));
    return fs;
  }

  private String useLine() {
    String line = parent == null ? use : parent.path() + " " + use;
    return line.contains("[flags]") ? line : line + " [flags]";
  }

  private String nameRelativeTo(Command start) {
    List<String> parts = new ArrayList<>();
    parts.add(name());
    Command c = this;
    while (c.parent != null && !c.parent.name().equals(start.name())) {
      c = c.parent;
      parts.add(0, c.name());
    }
    return String.join(" ", parts);
  }

  private List<Command> descendants() {
    List<Command> out = new ArrayList<>();
    for (Command c : children.values()) {
      out.add(c);
      out.addAll(c.descendants());
    }
    return out;
  }

  private static String trim(String s, String cut) {
    int b = 0;
    int e = s.length();
    while (b < e && cut.indexOf(s.charAt(b)) >= 0) {
      b++;
    }
    while (e > b && cut.indexOf(s.charAt(e - 1)) >= 0) {
      e--;
    }
    return s.substring(b, e);
  }

  private static String flagUsages(FlagSet fs) {
    StringBuilder x = new StringBuilder();
    for (Flag f : fs.all()) {
      if (f.hidden) {
        continue;
      }
      if (!f.shorthand.isEmpty()) {
        x.append("  -").append(f.shorthand).append(", --").append(f.name);
      } else {
        x.append("      --").append(f.name);
      }
      if (f.isBool()) {
        x.append("[=").append(f.defValue).append(']');
      } else if (f.typeName().equals("string")) {
        x.append('=').append(GoText.quote(f.defValue));
      } else {
        x.append('=').append(f.defValue);
      }
      x.append('\t').append(f.usage).append('\n');
    }
    return x.toString();
  }
}
