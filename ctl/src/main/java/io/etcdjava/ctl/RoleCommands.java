package io.etcdjava.ctl;

import io.etcdjava.api.authpb.Permission;
import io.etcdjava.api.etcdserverpb.AuthRoleAddRequest;
import io.etcdjava.api.etcdserverpb.AuthRoleAddResponse;
import io.etcdjava.api.etcdserverpb.AuthRoleDeleteRequest;
import io.etcdjava.api.etcdserverpb.AuthRoleDeleteResponse;
import io.etcdjava.api.etcdserverpb.AuthRoleGetRequest;
import io.etcdjava.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import io.etcdjava.api.etcdserverpb.AuthRoleGrantPermissionResponse;
import io.etcdjava.api.etcdserverpb.AuthRoleListRequest;
import io.etcdjava.api.etcdserverpb.AuthRoleRevokePermissionRequest;
import io.etcdjava.api.etcdserverpb.AuthRoleRevokePermissionResponse;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** role add|delete|get|list|grant-permission|revoke-permission (role_command.go). */
final class RoleCommands {
  private RoleCommands() {}

  static Command create() {
    Command role = new Command("role <subcommand>", "Role related commands", "", null);
    Command grant = new Command("grant-permission [options] <role name> <permission type> <key> [endkey]",
        "Grants a key to a role", "", RoleCommands::grant);
    grant.boolFlag(false, "prefix", "", false, "grant a prefix permission");
    grant.boolFlag(false, "from-key", "", false,
        "grant a permission of keys that are greater than or equal to the given key using byte compare");
    Command revoke = new Command("revoke-permission <role name> <key> [endkey]", "Revokes a key from a role", "",
        RoleCommands::revoke);
    revoke.boolFlag(false, "prefix", "", false, "revoke a prefix permission");
    revoke.boolFlag(false, "from-key", "", false,
        "revoke a permission of keys that are greater than or equal to the given key using byte compare");
    return role.add(new Command("add <role name>", "Adds a new role", "", RoleCommands::add),
        new Command("delete <role name>", "Deletes a role", "", RoleCommands::delete),
        new Command("get <role name>", "Gets detailed information of a role", "", RoleCommands::get),
        new Command("list", "Lists all roles", "", RoleCommands::list), grant, revoke);
  }

  private static void add(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "role add command requires role name as its argument");
    }
    EtcdClient c = inv.client();
    AuthRoleAddResponse r = AuthCommands.call(inv, c, 0,
        s -> s.roleAdd(AuthRoleAddRequest.newBuilder().setName(args.get(0)).build()));
    AuthOutput.of(inv).headerOnly("Role " + args.get(0) + " created\n", r, r.getHeader(),
        AuthOutput.json(r.getHeader(), r.hasHeader()));
  }

  private static void delete(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "role delete command requires role name as its argument");
    }
    EtcdClient c = inv.client();
    AuthRoleDeleteResponse r = AuthCommands.call(inv, c, 0,
        s -> s.roleDelete(AuthRoleDeleteRequest.newBuilder().setRole(args.get(0)).build()));
    AuthOutput.of(inv).headerOnly("Role " + args.get(0) + " deleted\n", r, r.getHeader(),
        AuthOutput.json(r.getHeader(), r.hasHeader()));
  }

  private static void get(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "role get command requires role name as its argument");
    }
    EtcdClient c = inv.client();
    AuthOutput.of(inv).roleGet(args.get(0), AuthCommands.call(inv, c, 0,
        s -> s.roleGet(AuthRoleGetRequest.newBuilder().setRole(args.get(0)).build())));
  }

  private static void list(Invocation inv, List<String> args) {
    if (!args.isEmpty()) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "role list command requires no arguments");
    }
    EtcdClient c = inv.client();
    AuthOutput.of(inv).roleList(AuthCommands.call(inv, c, 0, s -> s.roleList(AuthRoleListRequest.getDefaultInstance())));
  }

  private static void grant(Invocation inv, List<String> args) {
    if (args.size() < 3) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS,
          "role grant command requires role name, permission type, and key [endkey] as its argument");
    }
    Permission.Type type = switch (args.get(1).toLowerCase(Locale.ROOT)) {
      case "read" -> Permission.Type.READ;
      case "write" -> Permission.Type.WRITE;
      case "readwrite" -> Permission.Type.READWRITE;
      default -> throw inv.io.exitWithError(CtlExit.BAD_ARGS, "invalid permission type: " + args.get(1));
    };
    ByteString[] range = permRange(inv, args.subList(2, args.size()));
    EtcdClient c = inv.client();
    Permission perm = Permission.newBuilder().setPermType(type).setKey(range[0]).setRangeEnd(range[1]).build();
    AuthRoleGrantPermissionResponse r = AuthCommands.call(inv, c, 0, s -> s.roleGrantPermission(
        AuthRoleGrantPermissionRequest.newBuilder().setName(args.get(0)).setPerm(perm).build()));
    AuthOutput.of(inv).headerOnly("Role " + args.get(0) + " updated\n", r, r.getHeader(),
        AuthOutput.json(r.getHeader(), r.hasHeader()));
  }

  private static void revoke(Invocation inv, List<String> args) {
    if (args.size() < 2) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS,
          "role revoke-permission command requires role name and key [endkey] as its argument");
    }
    ByteString[] range = permRange(inv, args.subList(1, args.size()));
    EtcdClient c = inv.client();
    AuthRoleRevokePermissionResponse r = AuthCommands.call(inv, c, 0, s -> s.roleRevokePermission(
        AuthRoleRevokePermissionRequest.newBuilder().setRole(args.get(0)).setKey(range[0]).setRangeEnd(range[1])
            .build()));
    String role = args.get(0);
    String key = args.get(1);
    ByteString end = range[1];
    String simple;
    if (end.isEmpty()) {
      simple = "Permission of key " + key + " is revoked from role " + role + "\n";
    } else if (!end.equals(OPEN_END)) {
      simple = "Permission of range [" + key + ", " + end.toStringUtf8() + ") is revoked from role "
          + role + "\n";
    } else {
      simple = "Permission of range [" + key + ", <open ended> is revoked from role " + role + "\n";
    }
    AuthOutput.of(inv).headerOnly(simple, r, r.getHeader(), AuthOutput.json(r.getHeader(), r.hasHeader()));
  }

  private static final ByteString OPEN_END = ByteString.copyFrom(new byte[] {0});

  /** Key and range end from the arguments and --prefix/--from-key; "\0" as the end means "to the end". */
  private static ByteString[] permRange(Invocation inv, List<String> args) {
    boolean prefix = inv.bool("prefix");
    boolean fromKey = inv.bool("from-key");
    String key = args.get(0);
    if (key.isEmpty()) {
      if (prefix && fromKey) {
        throw inv.io.exitWithError(CtlExit.BAD_ARGS, "--from-key and --prefix flags are mutually exclusive");
      }
      return new ByteString[] {OPEN_END, prefix || fromKey ? OPEN_END : ByteString.EMPTY};
    }
    if (args.size() == 1) {
      if (prefix) {
        if (fromKey) {
          throw inv.io.exitWithError(CtlExit.BAD_ARGS, "--from-key and --prefix flags are mutually exclusive");
        }
        return new ByteString[] {bytes(key), ByteString.copyFrom(AuthOutput.prefixEnd(key.getBytes(StandardCharsets.UTF_8)))};
      }
      return new ByteString[] {bytes(key), fromKey ? OPEN_END : ByteString.EMPTY};
    }
    if (prefix) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "unexpected endkey argument with --prefix flag");
    }
    if (fromKey) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "unexpected endkey argument with --from-key flag");
    }
    return new ByteString[] {bytes(key), bytes(args.get(1))};
  }

  private static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
