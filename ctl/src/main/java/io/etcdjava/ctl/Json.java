package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.api.mvccpb.KeyValue;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** Go's encoding/json output for the structs etcdctl prints: struct field order, omitempty, base64 bytes. */
final class Json {
  private final StringBuilder sb = new StringBuilder();
  private boolean first = true;

  Json open() {
    sb.append('{');
    first = true;
    return this;
  }

  Json close() {
    sb.append('}');
    first = false;
    return this;
  }

  private Json key(String k) {
    if (!first) {
      sb.append(',');
    }
    first = false;
    sb.append('"').append(k).append("\":");
    return this;
  }

  Json num(String k, long v, boolean omitEmpty) {
    if (omitEmpty && v == 0) {
      return this;
    }
    key(k).sb.append(v);
    return this;
  }

  Json unsigned(String k, long v, boolean omitEmpty) {
    if (omitEmpty && v == 0) {
      return this;
    }
    key(k).sb.append(Long.toUnsignedString(v));
    return this;
  }

  Json bool(String k, boolean v, boolean omitEmpty) {
    if (omitEmpty && !v) {
      return this;
    }
    key(k).sb.append(v);
    return this;
  }

  Json str(String k, String v, boolean omitEmpty) {
    if (omitEmpty && v.isEmpty()) {
      return this;
    }
    key(k).sb.append(string(v));
    return this;
  }

  Json bytes(String k, byte[] v, boolean omitEmpty) {
    if (omitEmpty && v.length == 0) {
      return this;
    }
    key(k).sb.append('"').append(Base64.getEncoder().encodeToString(v)).append('"');
    return this;
  }

  Json strings(String k, List<String> v, boolean omitEmpty) {
    if (omitEmpty && v.isEmpty()) {
      return this;
    }
    key(k).sb.append('[');
    for (int i = 0; i < v.size(); i++) {
      sb.append(i > 0 ? "," : "").append(string(v.get(i)));
    }
    sb.append(']');
    return this;
  }

  /** Starts a nested object or array value under {@code k}. */
  Json raw(String k, String json) {
    key(k).sb.append(json);
    return this;
  }

  Json object(String k) {
    key(k);
    return open();
  }

  /** Header fields flattened into the current object (clientv3 structs embed *pb.ResponseHeader). */
  Json headerFields(ResponseHeader h) {
    return unsigned("cluster_id", h.getClusterId(), true).unsigned("member_id", h.getMemberId(), true)
        .num("revision", h.getRevision(), true).unsigned("raft_term", h.getRaftTerm(), true);
  }

  Json header(ResponseHeader h) {
    return object("header").headerFields(h).close();
  }

  static String kv(KeyValue kv) {
    return new Json().open().bytes("key", kv.getKey().toByteArray(), true)
        .num("create_revision", kv.getCreateRevision(), true).num("mod_revision", kv.getModRevision(), true)
        .num("version", kv.getVersion(), true).bytes("value", kv.getValue().toByteArray(), true)
        .num("lease", kv.getLease(), true).close().toString();
  }

  static String array(List<String> jsons) {
    return "[" + String.join(",", jsons) + "]";
  }

  @Override
  public String toString() {
    return sb.toString();
  }

  /** A Go JSON string literal: HTML-safe escaping, invalid UTF-8 replaced. */
  static String string(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '<', '>', '&', '\u2028', '\u2029' -> b.append(String.format("\\u%04x", (int) c));
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  static String string(byte[] utf8) {
    return string(new String(utf8, StandardCharsets.UTF_8));
  }
}
