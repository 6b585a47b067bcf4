package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.LeaseLeasesRequest;
import io.etcdjava.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveRequest;
import java.util.List;

/** lease grant|revoke|timetolive|list|keep-alive (lease_command.go). */
final class LeaseCommands {
  private LeaseCommands() {}

  static Command create() {
    Command lease = new Command("lease <subcommand>", "Lease related commands", "", null);
    Command ttl = new Command("timetolive <leaseID> [options]", "Get lease information", "",
        LeaseCommands::timeToLive);
    ttl.boolFlag(false, "keys", "", false, "Get keys attached to this lease");
    Command ka = new Command("keep-alive [options] <leaseID>", "Keeps leases alive (renew)", "",
        LeaseCommands::keepAlive);
    ka.boolFlag(false, "once", "", false, "Resets the keep-alive time to its original value and exits immediately");
    return lease.add(new Command("grant <ttl>", "Creates leases", "", LeaseCommands::grant),
        new Command("revoke <leaseID>", "Revokes leases", "", LeaseCommands::revoke), ttl,
        new Command("list", "List all active leases", "", LeaseCommands::list), ka);
  }

  private static void grant(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "lease grant command needs TTL argument");
    }
    long ttl;
    try {
      ttl = GoText.parseInt64(args.get(0), 10, "strconv.ParseInt");
    } catch (NumberFormatException e) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "bad TTL (" + e.getMessage() + ")");
    }
    EtcdClient c = inv.client();
    try {
      inv.printer().grant(c.unary(c.lease(), inv.commandTimeout(),
          s -> s.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(ttl).build())));
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, "failed to grant lease (" + e.getMessage() + ")");
    }
  }

  private static long leaseFromArgs(Invocation inv, String arg) {
    try {
      return GoText.parseInt64(arg, 16, "strconv.ParseInt");
    } catch (NumberFormatException e) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "bad lease ID arg (" + e.getMessage() + "), expecting ID in Hex");
    }
  }

  private static void revoke(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "lease revoke command needs 1 argument");
    }
    long id = leaseFromArgs(inv, args.get(0));
    EtcdClient c = inv.client();
    try {
      inv.printer().revoke(id, c.unary(c.lease(), inv.commandTimeout(),
          s -> s.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(id).build())));
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, "failed to revoke lease (" + e.getMessage() + ")");
    }
  }

  private static void timeToLive(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "lease timetolive command needs lease ID as argument");
    }
    boolean keys = inv.bool("keys");
    EtcdClient c = inv.client();
    long id = leaseFromArgs(inv, args.get(0));
    try {
      inv.printer().timeToLive(c.unary(c.lease(), 0,
          s -> s.leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id).setKeys(keys).build())), keys);
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.BAD_CONNECTION, e.getMessage());
    }
  }

  private static void list(Invocation inv, List<String> args) {
    EtcdClient c = inv.client();
    try {
      inv.printer().leases(c.unary(c.lease(), 0, s -> s.leaseLeases(LeaseLeasesRequest.getDefaultInstance())));
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.BAD_CONNECTION, e.getMessage());
    }
  }

  private static void keepAlive(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "lease keep-alive command needs lease ID as argument");
    }
    long id = leaseFromArgs(inv, args.get(0));
    EtcdClient c = inv.client();
    if (inv.bool("once")) {
      try {
        inv.printer().keepAlive(c.keepAliveOnce(id));
      } catch (RpcError e) {
        throw inv.io.exitWithError(CtlExit.BAD_CONNECTION, e.getMessage());
      }
      return;
    }
    EtcdClient.KeepAliveStream stream = c.openKeepAlive();
    try {
      while (true) {
        LeaseKeepAliveResponse r;
        try {
          r = stream.roundTrip(id);
        } catch (RpcError e) {
          break;
        }
        inv.printer().keepAlive(r);
        // clientv3 renews a third of the TTL after each response
        Thread.sleep(Math.max(500, r.getTTL() * 1000 / 3));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stream.close();
    }
    if (inv.printer() instanceof SimplePrinter) {
      inv.io.out(String.format("lease %016x expired or revoked.\n", id));
    }
  }
}
