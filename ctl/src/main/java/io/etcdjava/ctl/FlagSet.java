package io.etcdjava.ctl;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A pflag FlagSet: GNU-style parsing with interspersed arguments and Go's error texts. */
final class FlagSet {
  private final Map<String, Flag> byName = new TreeMap<>();
  private final Map<String, Flag> byShort = new TreeMap<>();
  private final List<String> args = new ArrayList<>();

  Flag add(Flag f) {
    byName.put(f.name, f);
    if (!f.shorthand.isEmpty()) {
      byShort.put(f.shorthand, f);
    }
    return f;
  }

  void addAll(FlagSet other) {
    for (Flag f : other.all()) {
      if (!byName.containsKey(f.name)) {
        add(f);
      }
    }
  }

  Flag lookup(String name) {
    return byName.get(name);
  }

  Flag lookupShort(String s) {
    return byShort.get(s);
  }

  /** Sorted by name, as pflag's VisitAll. */
  Collection<Flag> all() {
    return byName.values();
  }

  boolean isEmpty() {
    return byName.isEmpty();
  }

  List<String> args() {
    return args;
  }

  /** Parses {@code arguments}; throws {@link IllegalArgumentException} with pflag's message on error. */
  void parse(List<String> arguments) {
    args.clear();
    List<String> a = new ArrayList<>(arguments);
    while (!a.isEmpty()) {
      String s = a.remove(0);
      if (s.length() == 0 || s.charAt(0) != '-' || s.length() == 1) {
        args.add(s);
        continue;
      }
      if (s.charAt(1) == '-') {
        if (s.length() == 2) {
          args.addAll(a);
          return;
        }
        parseLong(s, a);
      } else {
        parseShort(s, a);
      }
    }
  }

  private void parseLong(String s, List<String> rest) {
    String name = s.substring(2);
    if (name.isEmpty() || name.charAt(0) == '-' || name.charAt(0) == '=') {
      throw new IllegalArgumentException("bad flag syntax: " + s);
    }
    String value = null;
    int eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.substring(eq + 1);
      name = name.substring(0, eq);
    }
    Flag f = byName.get(name);
    if (f == null) {
      if (name.equals("help")) {
        throw new HelpRequested();
      }
      throw new IllegalArgumentException("unknown flag: --" + name);
    }
    if (value == null) {
      if (f.isBool()) {
        value = "true";
      } else if (!rest.isEmpty()) {
        value = rest.remove(0);
      } else {
        throw new IllegalArgumentException("flag needs an argument: " + s);
      }
    }
    set(f, value);
  }

  private void parseShort(String s, List<String> rest) {
    String shorthands = s.substring(1);
    while (!shorthands.isEmpty()) {
      String c = shorthands.substring(0, 1);
      Flag f = byShort.get(c);
      if (f == null) {
        if (c.equals("h")) {
          throw new HelpRequested();
        }
        throw new IllegalArgumentException("unknown shorthand flag: '" + c + "' in -" + shorthands);
      }
      String value;
      String remaining;
      if (shorthands.length() > 2 && shorthands.charAt(1) == '=') {
        value = shorthands.substring(2);
        remaining = "";
      } else if (f.isBool()) {
        value = "true";
        remaining = shorthands.substring(1);
      } else if (shorthands.length() > 1) {
        value = shorthands.substring(1);
        remaining = "";
      } else if (!rest.isEmpty()) {
        value = rest.remove(0);
        remaining = "";
      } else {
        throw new IllegalArgumentException("flag needs an argument: '" + c + "' in -" + shorthands);
      }
      set(f, value);
      shorthands = remaining;
    }
  }

  /** Sets a flag by name, as pflag's FlagSet.Set (used for ETCDCTL_* env too). */
  void set(Flag f, String value) {
    try {
      f.set(value);
    } catch (RuntimeException e) {
      String flagName = f.shorthand.isEmpty() ? "--" + f.name : "-" + f.shorthand + ", --" + f.name;
      throw new IllegalArgumentException(
          "invalid argument " + GoText.quote(value) + " for " + GoText.quote(flagName) + " flag: " + e.getMessage());
    }
    f.changed = true;
  }

  /** Thrown when -h/--help is given and the command has no own help flag (cobra adds one everywhere). */
  static final class HelpRequested extends RuntimeException {
    HelpRequested() {
      super(null, null, false, false);
    }
  }
}
