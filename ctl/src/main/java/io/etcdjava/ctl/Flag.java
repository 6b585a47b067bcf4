package io.etcdjava.ctl;

import java.util.ArrayList;
import java.util.List;

/** One pflag-style flag: typed value, default, shorthand, usage, and whether the command line set it. */
final class Flag {
  enum Type { BOOL, STRING, STRING_SLICE, DURATION, INT64 }

  final String name;
  final String shorthand;
  final Type type;
  final String usage;
  final String defValue;
  private Object value;
  boolean changed;
  /** pflag's Hidden: parsed, but not listed in help. */
  boolean hidden;
  private boolean sliceSetOnce;

  Flag(String name, String shorthand, Type type, Object def, String usage) {
    this.name = name;
    this.shorthand = shorthand;
    this.type = type;
    this.usage = usage;
    this.value = def;
    this.defValue = render(def);
  }

  /** pflag's NoOptDefVal: only bool flags may appear without a value. */
  boolean isBool() {
    return type == Type.BOOL;
  }

  /** Sets from text; the message of the thrown exception is the value parser's Go error. */
  void set(String v) {
    switch (type) {
      case BOOL -> value = GoText.parseBool(v);
      case STRING -> value = v;
      case INT64 -> value = GoText.parseInt64(v, 0, "strconv.ParseInt");
      case DURATION -> value = GoText.parseDuration(v);
      case STRING_SLICE -> {
        List<String> parsed = GoText.splitCsv(v);
        if (!sliceSetOnce) {
          value = new ArrayList<>(parsed);
          sliceSetOnce = true;
        } else {
          @SuppressWarnings("unchecked")
          List<String> cur = (List<String>) value;
          cur.addAll(parsed);
        }
      }
      default -> throw new IllegalStateException();
    }
  }

  Object value() {
    return value;
  }

  /** The value as pflag's Value.String() renders it (help defaults, --debug dumps). */
  String render() {
    return render(value);
  }

  private String render(Object v) {
    return switch (type) {
      case DURATION -> GoText.duration((Long) v);
      case STRING_SLICE -> {
        @SuppressWarnings("unchecked")
        List<String> l = (List<String>) v;
        yield "[" + String.join(",", l) + "]";
      }
      default -> String.valueOf(v);
    };
  }

  /** The type name pflag reports; help quotes only "string" defaults. */
  String typeName() {
    return switch (type) {
      case BOOL -> "bool";
      case STRING -> "string";
      case STRING_SLICE -> "stringSlice";
      case DURATION -> "duration";
      case INT64 -> "int64";
    };
  }
}
