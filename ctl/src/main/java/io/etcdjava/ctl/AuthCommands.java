package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.AuthDisableRequest;
import io.etcdjava.api.etcdserverpb.AuthEnableRequest;
import io.etcdjava.api.etcdserverpb.AuthGrpc;
import io.etcdjava.api.etcdserverpb.AuthRoleAddRequest;
import io.etcdjava.api.etcdserverpb.AuthStatusRequest;
import io.etcdjava.api.etcdserverpb.AuthStatusResponse;
import io.etcdjava.api.etcdserverpb.AuthUserGrantRoleRequest;
import java.util.List;
import java.util.function.Function;

/** auth enable|disable|status (auth_command.go; status is etcd 3.5's). */
final class AuthCommands {
  static final String ROOT_ROLE_NOT_EXIST = "etcdserver: root user does not have root role";

  private AuthCommands() {}

  static Command create() {
    Command auth = new Command("auth <enable or disable>", "Enable or disable authentication", "", null);
    Command status = new Command("status", "Returns authentication status", "", AuthCommands::status);
    // etcdctl 3.5's command; hidden so that help stays byte-identical to the 3.4 reference
    status.hidden = true;
    return auth.add(new Command("enable", "Enables authentication", "", AuthCommands::enable),
        new Command("disable", "Disables authentication", "", AuthCommands::disable), status);
  }

  /** One Auth RPC; a failure ends the command with "Error: ..." and exit code 1, as etcdctl's commands do. */
  static <R> R call(Invocation inv, EtcdClient c, long timeoutNanos, Function<AuthGrpc.AuthBlockingStub, R> f) {
    try {
      return c.unary(c.auth(), timeoutNanos, f);
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
  }

  private static void enable(Invocation inv, List<String> args) {
    if (!args.isEmpty()) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "auth enable command does not accept any arguments");
    }
    EtcdClient c = inv.client();
    long deadline = System.nanoTime() + inv.commandTimeout();
    while (true) {
      try {
        c.unary(c.auth(), remaining(deadline), s -> s.authEnable(AuthEnableRequest.getDefaultInstance()));
        break;
      } catch (RpcError e) {
        if (!ROOT_ROLE_NOT_EXIST.equals(e.getMessage())) {
          throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
        }
      }
      // the root user exists without the root role: create the role, grant it, try again
      call(inv, c, remaining(deadline), s -> s.roleAdd(AuthRoleAddRequest.newBuilder().setName("root").build()));
      call(inv, c, remaining(deadline),
          s -> s.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build()));
    }
    inv.io.out("Authentication Enabled\n");
  }

  private static long remaining(long deadline) {
    return Math.max(1, deadline - System.nanoTime());
  }

  private static void disable(Invocation inv, List<String> args) {
    if (!args.isEmpty()) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "auth disable command does not accept any arguments");
    }
    EtcdClient c = inv.client();
    call(inv, c, inv.commandTimeout(), s -> s.authDisable(AuthDisableRequest.getDefaultInstance()));
    inv.io.out("Authentication Disabled\n");
  }

  private static void status(Invocation inv, List<String> args) {
    if (!args.isEmpty()) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "auth status command does not accept any arguments");
    }
    EtcdClient c = inv.client();
    AuthStatusResponse r = call(inv, c, inv.commandTimeout(), s -> s.authStatus(AuthStatusRequest.getDefaultInstance()));
    printStatus(inv.io, inv.string("write-out"), r);
  }

  /** etcdctl 3.5's AuthStatus printers. */
  static void printStatus(Io io, String format, AuthStatusResponse r) {
    switch (format) {
      case "simple" -> io.out("Authentication Status: " + r.getEnabled() + "\nAuthRevision: "
          + Long.toUnsignedString(r.getAuthRevision()) + "\n");
      case "fields" -> {
        AuthOutput.of(io, format).fieldsHeader(r.getHeader());
        io.out("\"Enabled\" : " + r.getEnabled() + "\n\"AuthRevision\" : "
            + Long.toUnsignedString(r.getAuthRevision()) + "\n");
      }
      case "json" -> io.out(new Json().open().header(r.getHeader()).bool("enabled", r.getEnabled(), true)
          .unsigned("authRevision", r.getAuthRevision(), true).close() + "\n");
      case "protobuf" -> io.outBytes(r.toByteArray());
      default -> throw io.exitWithError(CtlExit.BAD_FEATURE, format + " not supported as output format");
    }
  }
}
