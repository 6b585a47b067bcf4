package io.etcdjava.ctl;

import io.etcdjava.api.authpb.Permission;
import io.etcdjava.api.etcdserverpb.AuthRoleGetResponse;
import io.etcdjava.api.etcdserverpb.ResponseHeader;
import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How user and role results print in each output format (etcdctl's printer methods for the Auth service).
 * simple and fields have their own texts; json and protobuf print the response message; table, and fields
 * for user get/list, are "not supported as output format" (exit 4).
 */
final class AuthOutput {
  private final Io io;
  private final String format;

  private AuthOutput(Io io, String format) {
    this.io = io;
    this.format = format;
  }

  /** For a run whose client is built (so the format is one of the five). */
  static AuthOutput of(Invocation inv) {
    return new AuthOutput(inv.io, inv.string("write-out"));
  }

  static AuthOutput of(Io io, String format) {
    return new AuthOutput(io, format);
  }

  private CtlExit unsupported() {
    return io.exitWithError(CtlExit.BAD_FEATURE, format + " not supported as output format");
  }

  /**
   * A response whose simple text is {@code simple} and whose fields output is the header only.
   * {@code json} is the message as Go's encoding/json shows it.
   */
  void headerOnly(String simple, MessageLite msg, ResponseHeader h, String json) {
    switch (format) {
      case "simple" -> io.out(simple);
      case "fields" -> fieldsHeader(h);
      default -> rpc(msg, json);
    }
  }

  private void rpc(MessageLite msg, String json) {
    switch (format) {
      case "json" -> io.out(json + "\n");
      case "protobuf" -> io.outBytes(msg.toByteArray());
      default -> throw unsupported();
    }
  }

  /** {"header":{...}} plus the given extra members, in field order. */
  static String json(ResponseHeader h, boolean hasHeader, String... members) {
    Json j = new Json().open();
    if (hasHeader) {
      j.header(h);
    }
    for (int i = 0; i + 1 < members.length; i += 2) {
      if (members[i + 1] != null) {
        j.raw(members[i], members[i + 1]);
      }
    }
    return j.close().toString();
  }

  static String stringsJson(List<String> v) {
    return v.isEmpty() ? null : Json.array(v.stream().map(Json::string).toList());
  }

  void fieldsHeader(ResponseHeader h) {
    io.out("\"ClusterID\" : " + GoText.uint(h.getClusterId()) + "\n");
    io.out("\"MemberID\" : " + GoText.uint(h.getMemberId()) + "\n");
    io.out("\"Revision\" : " + h.getRevision() + "\n");
    io.out("\"RaftTerm\" : " + GoText.uint(h.getRaftTerm()) + "\n");
  }

  void userGet(String name, io.etcdjava.api.etcdserverpb.AuthUserGetResponse r) {
    if (format.equals("simple")) {
      StringBuilder sb = new StringBuilder("User: " + name + "\nRoles:");
      r.getRolesList().forEach(x -> sb.append(' ').append(x));
      io.out(sb.append('\n').toString());
      return;
    }
    rpc(r, json(r.getHeader(), r.hasHeader(), "roles", stringsJson(r.getRolesList())));
  }

  void userList(io.etcdjava.api.etcdserverpb.AuthUserListResponse r) {
    if (format.equals("simple")) {
      r.getUsersList().forEach(u -> io.out(u + "\n"));
      return;
    }
    rpc(r, json(r.getHeader(), r.hasHeader(), "users", stringsJson(r.getUsersList())));
  }

  void roleList(io.etcdjava.api.etcdserverpb.AuthRoleListResponse r) {
    switch (format) {
      case "simple" -> r.getRolesList().forEach(x -> io.out(x + "\n"));
      case "fields" -> {
        fieldsHeader(r.getHeader());
        StringBuilder sb = new StringBuilder("\"Roles\" :");
        r.getRolesList().forEach(x -> sb.append(' ').append(GoText.quote(x)));
        io.out(sb.append('\n').toString());
      }
      default -> rpc(r, json(r.getHeader(), r.hasHeader(), "roles", stringsJson(r.getRolesList())));
    }
  }

  void roleGet(String role, AuthRoleGetResponse r) {
    switch (format) {
      case "simple" -> roleGetSimple(role, r);
      case "fields" -> {
        fieldsHeader(r.getHeader());
        for (Permission p : r.getPermList()) {
          // Println puts a space between `"PermType" : ` and the name: two spaces
          io.out("\"PermType\" :  " + p.getPermType().name() + "\n");
          io.out("\"Key\" : " + GoText.quote(p.getKey().toByteArray()) + "\n");
          io.out("\"RangeEnd\" : " + GoText.quote(p.getRangeEnd().toByteArray()) + "\n");
        }
      }
      default -> rpc(r, json(r.getHeader(), r.hasHeader(), "perm", r.getPermCount() == 0 ? null
          : Json.array(r.getPermList().stream().map(AuthOutput::permJson).toList())));
    }
  }

  private static String permJson(Permission p) {
    return new Json().open().num("permType", p.getPermTypeValue(), true).bytes("key", p.getKey().toByteArray(), true)
        .bytes("range_end", p.getRangeEnd().toByteArray(), true).close().toString();
  }

  private void roleGetSimple(String role, AuthRoleGetResponse r) {
    io.out("Role " + role + "\nKV Read:\n");
    for (Permission p : r.getPermList()) {
      if (p.getPermType() == Permission.Type.READ || p.getPermType() == Permission.Type.READWRITE) {
        permLine(p);
      }
    }
    io.out("KV Write:\n");
    for (Permission p : r.getPermList()) {
      if (p.getPermType() == Permission.Type.WRITE || p.getPermType() == Permission.Type.READWRITE) {
        permLine(p);
      }
    }
  }

  private void permLine(Permission p) {
    byte[] key = p.getKey().toByteArray();
    byte[] end = p.getRangeEnd().toByteArray();
    if (end.length == 0) {
      io.out("\t");
      io.outBytes(key);
      io.out("\n");
      return;
    }
    io.out("\t[");
    io.outBytes(key);
    if (end.length == 1 && end[0] == 0) {
      io.out(", <open ended>");
    } else {
      io.out(", ");
      io.outBytes(end);
      io.out(")");
    }
    if (ByteString.copyFrom(prefixEnd(key)).equals(p.getRangeEnd())) {
      io.out(" (prefix ");
      io.outBytes(key);
      io.out(")");
    }
    io.out("\n");
  }

  /** clientv3's GetPrefixRangeEnd: the key with its last byte below 0xff incremented and the rest cut. */
  static byte[] prefixEnd(byte[] key) {
    for (int i = key.length - 1; i >= 0; i--) {
      if ((key[i] & 0xff) < 0xff) {
        byte[] end = java.util.Arrays.copyOf(key, i + 1);
        end[i]++;
        return end;
      }
    }
    return new byte[] {0};
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
