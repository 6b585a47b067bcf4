package io.etcdjava.ctl;

import io.etcdjava.api.authpb.UserAddOptions;
import io.etcdjava.api.etcdserverpb.AuthRoleGetRequest;
import io.etcdjava.api.etcdserverpb.AuthUserAddRequest;
import io.etcdjava.api.etcdserverpb.AuthUserAddResponse;
import io.etcdjava.api.etcdserverpb.AuthUserChangePasswordRequest;
import io.etcdjava.api.etcdserverpb.AuthUserChangePasswordResponse;
import io.etcdjava.api.etcdserverpb.AuthUserDeleteRequest;
import io.etcdjava.api.etcdserverpb.AuthUserDeleteResponse;
import io.etcdjava.api.etcdserverpb.AuthUserGetRequest;
import io.etcdjava.api.etcdserverpb.AuthUserGetResponse;
import io.etcdjava.api.etcdserverpb.AuthUserGrantRoleRequest;
import io.etcdjava.api.etcdserverpb.AuthUserGrantRoleResponse;
import io.etcdjava.api.etcdserverpb.AuthUserListRequest;
import io.etcdjava.api.etcdserverpb.AuthUserRevokeRoleRequest;
import io.etcdjava.api.etcdserverpb.AuthUserRevokeRoleResponse;
import java.util.List;

/** user add|delete|get|list|passwd|grant-role|revoke-role (user_command.go). */
final class UserCommands {
  private UserCommands() {}

  static Command create() {
    Command user = new Command("user <subcommand>", "User related commands", "", null);
    Command add = new Command("add <user name or user:password> [options]", "Adds a new user", "", UserCommands::add);
    add.boolFlag(false, "interactive", "", true, "Read password from stdin instead of interactive terminal");
    add.stringFlag(false, "new-user-password", "", "", "Supply password from the command line flag");
    add.boolFlag(false, "no-password", "", false, "Create a user without password (CN based auth only)");
    Command get = new Command("get <user name> [options]", "Gets detailed information of a user", "",
        UserCommands::get);
    get.boolFlag(false, "detail", "", false, "Show permissions of roles granted to the user");
    Command passwd = new Command("passwd <user name> [options]", "Changes password of user", "",
        UserCommands::passwd);
    passwd.boolFlag(false, "interactive", "", true,
        "If true, read password from stdin instead of interactive terminal");
    return user.add(add, new Command("delete <user name>", "Deletes a user", "", UserCommands::delete), get,
        new Command("list", "Lists all users", "", UserCommands::list), passwd,
        new Command("grant-role <user name> <role name>", "Grants a role to a user", "", UserCommands::grantRole),
        new Command("revoke-role <user name> <role name>", "Revokes a role from a user", "",
            UserCommands::revokeRole));
  }

  private static void add(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "user add command requires user name as its argument");
    }
    String user;
    String password = "";
    boolean noPassword = inv.bool("no-password");
    if (noPassword) {
      user = args.get(0);
    } else if (!inv.string("new-user-password").isEmpty()) {
      user = args.get(0);
      password = inv.string("new-user-password");
    } else {
      int colon = args.get(0).indexOf(':');
      if (colon < 0) {
        user = args.get(0);
        password = inv.bool("interactive") ? askTwice(inv, user) : Passwords.scanWord(inv.io.in);
      } else {
        user = args.get(0).substring(0, colon);
        password = args.get(0).substring(colon + 1);
        if (user.isEmpty()) {
          throw inv.io.exitWithError(CtlExit.BAD_ARGS, "empty user name is not allowed");
        }
      }
    }
    AuthUserAddRequest.Builder req = AuthUserAddRequest.newBuilder().setName(user).setPassword(password);
    req.setOptions(UserAddOptions.newBuilder().setNoPassword(noPassword));
    EtcdClient c = inv.client();
    AuthUserAddResponse r = AuthCommands.call(inv, c, 0, s -> s.userAdd(req.build()));
    AuthOutput.of(inv).headerOnly("User " + user + " created\n", r, r.getHeader(),
        AuthOutput.json(r.getHeader(), r.hasHeader()));
  }

  /** readPasswordInteractive: asks twice; empty or different answers end the command. */
  static String askTwice(Invocation inv, String name) {
    String p1 = Passwords.ask(inv.io, "Password of " + name + ": ");
    if (p1.isEmpty()) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "empty password");
    }
    String p2 = Passwords.ask(inv.io, "Type password of " + name + " again for confirmation: ");
    if (!p1.equals(p2)) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "given passwords are different");
    }
    return p1;
  }

  private static void delete(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "user delete command requires user name as its argument");
    }
    EtcdClient c = inv.client();
    AuthUserDeleteResponse r = AuthCommands.call(inv, c, 0,
        s -> s.userDelete(AuthUserDeleteRequest.newBuilder().setName(args.get(0)).build()));
    AuthOutput.of(inv).headerOnly("User " + args.get(0) + " deleted\n", r, r.getHeader(),
        AuthOutput.json(r.getHeader(), r.hasHeader()));
  }

  private static void get(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "user get command requires user name as its argument");
    }
    String name = args.get(0);
    EtcdClient c = inv.client();
    AuthUserGetResponse r = AuthCommands.call(inv, c, 0,
        s -> s.userGet(AuthUserGetRequest.newBuilder().setName(name).build()));
    AuthOutput out = AuthOutput.of(inv);
    if (!inv.bool("detail")) {
      out.userGet(name, r);
      return;
    }
    inv.io.out("User: " + name + "\n");
    for (String role : r.getRolesList()) {
      inv.io.out("\n");
      out.roleGet(role, AuthCommands.call(inv, c, 0,
          s -> s.roleGet(AuthRoleGetRequest.newBuilder().setRole(role).build())));
    }
  }

  private static void list(Invocation inv, List<String> args) {
    if (!args.isEmpty()) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "user list command requires no arguments");
    }
    EtcdClient c = inv.client();
    AuthOutput.of(inv).userList(AuthCommands.call(inv, c, 0, s -> s.userList(AuthUserListRequest.getDefaultInstance())));
  }

  private static void passwd(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "user passwd command requires user name as its argument");
    }
    String password = inv.bool("interactive") ? askTwice(inv, args.get(0)) : Passwords.scanWord(inv.io.in);
    EtcdClient c = inv.client();
    AuthUserChangePasswordResponse r = AuthCommands.call(inv, c, 0, s -> s.userChangePassword(
        AuthUserChangePasswordRequest.newBuilder().setName(args.get(0)).setPassword(password).build()));
    AuthOutput.of(inv).headerOnly("Password updated\n", r, r.getHeader(),
        AuthOutput.json(r.getHeader(), r.hasHeader()));
  }

  private static void grantRole(Invocation inv, List<String> args) {
    if (args.size() != 2) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS,
          "user grant command requires user name and role name as its argument");
    }
    EtcdClient c = inv.client();
    AuthUserGrantRoleResponse r = AuthCommands.call(inv, c, 0, s -> s.userGrantRole(
        AuthUserGrantRoleRequest.newBuilder().setUser(args.get(0)).setRole(args.get(1)).build()));
    AuthOutput.of(inv).headerOnly("Role " + args.get(1) + " is granted to user " + args.get(0) + "\n", r,
        r.getHeader(), AuthOutput.json(r.getHeader(), r.hasHeader()));
  }

  private static void revokeRole(Invocation inv, List<String> args) {
    if (args.size() != 2) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS,
          "user revoke-role requires user name and role name as its argument");
    }
    EtcdClient c = inv.client();
    AuthUserRevokeRoleResponse r = AuthCommands.call(inv, c, 0, s -> s.userRevokeRole(
        AuthUserRevokeRoleRequest.newBuilder().setName(args.get(0)).setRole(args.get(1)).build()));
    AuthOutput.of(inv).headerOnly("Role " + args.get(1) + " is revoked from user " + args.get(0) + "\n", r,
        r.getHeader(), AuthOutput.json(r.getHeader(), r.hasHeader()));
  }
}
