package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.CompactionRequest;
import io.etcdjava.api.etcdserverpb.HashKVRequest;
import io.etcdjava.api.etcdserverpb.HashKVResponse;
import io.etcdjava.api.etcdserverpb.Member;
import io.etcdjava.api.etcdserverpb.MemberListRequest;
import io.etcdjava.api.etcdserverpb.MemberListResponse;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.StatusRequest;
import io.etcdjava.api.etcdserverpb.StatusResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** member list, endpoint health|status|hashkv, compaction, version. */
final class ClusterCommands {
  private ClusterCommands() {}

  static Command version() {
    return new Command("version", "Prints the version of etcdctl", "", (inv, args) ->
        inv.io.out("etcdctl version: " + Etcdctl.VERSION + "\nAPI version: " + Etcdctl.API_VERSION + "\n"));
  }

  static Command compaction() {
    Command c = new Command("compaction [options] <revision>", "Compacts the event history in etcd", "",
        ClusterCommands::compact);
    c.boolFlag(false, "physical", "", false, "'true' to wait for compaction to physically remove all old revisions");
    return c;
  }

  private static void compact(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "compaction command needs 1 argument");
    }
    long rev;
    try {
      rev = GoText.parseInt64(args.get(0), 10, "strconv.ParseInt");
    } catch (NumberFormatException e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
    EtcdClient c = inv.client();
    try {
      c.unary(c.kv(), inv.commandTimeout(),
          s -> s.compact(CompactionRequest.newBuilder().setRevision(rev).setPhysical(inv.bool("physical")).build()));
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
    inv.io.out("compacted revision " + rev + "\n");
  }

  static Command member(Command... notYetImplemented) {
    Command m = new Command("member <subcommand>", "Membership related commands", "", null);
    m.add(new Command("list", "Lists all members in the cluster",
        "When --write-out is set to simple, this command prints out comma-separated member lists for each endpoint.\n"
            + "The items in the lists are ID, Status, Name, Peer Addrs, Client Addrs, Is Learner.\n",
        ClusterCommands::memberList));
    m.add(notYetImplemented);
    return m;
  }

  private static void memberList(Invocation inv, List<String> args) {
    EtcdClient c = inv.client();
    try {
      inv.printer().memberList(c.unary(c.cluster(), inv.commandTimeout(),
          s -> s.memberList(MemberListRequest.getDefaultInstance())));
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
  }

  static Command endpoint() {
    Command ec = new Command("endpoint <subcommand>", "Endpoint related commands", "", null);
    ec.boolFlag(true, "cluster", "", false, "use all endpoints from the cluster member list");
    Command hashkv = new Command("hashkv", "Prints the KV history hash for each endpoint in --endpoints", "",
        ClusterCommands::hashKV);
    hashkv.int64Flag(true, "rev", 0, "maximum revision to hash (default: all revisions)");
    return ec.add(
        new Command("health", "Checks the healthiness of endpoints specified in `--endpoints` flag", "",
            ClusterCommands::health),
        new Command("status", "Prints out the status of endpoints specified in `--endpoints` flag",
            "When --write-out is set to simple, this command prints out comma-separated status lists for each "
                + "endpoint.\nThe items in the lists are endpoint, ID, version, db size, is leader, is learner, "
                + "raft term, raft index, raft applied index, errors.\n",
            ClusterCommands::status),
        hashkv);
  }

  static ClientConfig withEndpoints(ClientConfig c, List<String> eps) {
    return new ClientConfig(eps, c.dialTimeoutNanos(), c.commandTimeoutNanos(), c.keepAliveTimeNanos(),
        c.keepAliveTimeoutNanos(), c.insecureTransport(), c.insecureSkipVerify(), c.cacert(), c.cert(), c.key(),
        c.user(), c.password());
  }

  static List<String> endpointsFromCluster(Invocation inv, ClientConfig cfg) {
    if (!inv.bool("cluster")) {
      return inv.strings("endpoints");
    }
    // MemberList needs no authentication; etcdctl leaves the credentials out here
    ClientConfig noAuth = new ClientConfig(cfg.endpoints(), cfg.dialTimeoutNanos(), cfg.commandTimeoutNanos(),
        cfg.keepAliveTimeNanos(), cfg.keepAliveTimeoutNanos(), cfg.insecureTransport(), cfg.insecureSkipVerify(),
        cfg.cacert(), cfg.cert(), cfg.key(), null, null);
    EtcdClient c = inv.client(noAuth);
    MemberListResponse membs;
    try {
      membs = c.unary(c.cluster(), inv.commandTimeout(), s -> s.memberList(MemberListRequest.getDefaultInstance()));
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR,
          "failed to fetch endpoints from etcd cluster member list: " + e.getMessage());
    } finally {
      c.close();
    }
    List<String> ret = new ArrayList<>();
    for (Member m : membs.getMembersList()) {
      ret.addAll(m.getClientURLsList());
    }
    return ret;
  }

  private static void health(Invocation inv, List<String> args) {
    ClientConfig cfg = inv.clientConfig();
    List<String> eps = endpointsFromCluster(inv, cfg);
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, eps.size()), r -> {
      Thread t = new Thread(r, "etcdctl-endpoint-health");
      t.setDaemon(true);
      return t;
    });
    List<Future<Printer.EpHealth>> futures = new ArrayList<>();
    for (String ep : eps) {
      futures.add(pool.submit(() -> checkHealth(inv, withEndpoints(cfg, List.of(ep)), ep)));
    }
    List<Printer.EpHealth> list = new ArrayList<>();
    boolean errs = false;
    try {
      for (Future<Printer.EpHealth> f : futures) {
        Printer.EpHealth h = f.get();
        list.add(h);
        errs |= !h.error().isEmpty();
      }
    } catch (Exception e) {
      throw inv.io.exitWithError(CtlExit.ERROR, String.valueOf(e.getMessage()));
    } finally {
      pool.shutdownNow();
    }
    inv.printer().endpointHealth(list);
    if (errs) {
      throw inv.io.exitWithError(CtlExit.ERROR, "unhealthy cluster");
    }
  }

  private static Printer.EpHealth checkHealth(Invocation inv, ClientConfig cfg, String ep) {
    EtcdClient cli;
    try {
      cli = new EtcdClient(cfg, inv.io.err);
    } catch (RuntimeException e) {
      return new Printer.EpHealth(ep, false, "", String.valueOf(e.getMessage()));
    }
    try {
      long st = System.nanoTime();
      String error = "";
      try {
        cli.unary(cli.kv(), inv.commandTimeout(),
            s -> s.range(RangeRequest.newBuilder().setKey(KvCommands.bytes("health")).build()));
      } catch (RpcError e) {
        if (!e.getMessage().equals("etcdserver: permission denied")) {
          error = e.getMessage();
        }
      }
      String took = GoText.duration(System.nanoTime() - st);
      return new Printer.EpHealth(ep, error.isEmpty(), took, error);
    } finally {
      cli.close();
    }
  }

  private static void status(Invocation inv, List<String> args) {
    ClientConfig cfg = inv.clientConfig();
    List<Printer.EpStatus> list = new ArrayList<>();
    boolean failed = false;
    for (String ep : endpointsFromCluster(inv, cfg)) {
      EtcdClient c = inv.client(withEndpoints(cfg, List.of(ep)));
      try {
        StatusResponse r = c.unary(c.maintenance(), inv.commandTimeout(),
            s -> s.status(StatusRequest.getDefaultInstance()));
        list.add(new Printer.EpStatus(ep, r));
      } catch (RpcError e) {
        failed = true;
        inv.io.err("Failed to get the status of endpoint " + ep + " (" + e.getMessage() + ")\n");
      }
    }
    inv.printer().endpointStatus(list);
    if (failed) {
      throw new CtlExit(CtlExit.ERROR);
    }
  }

  private static void hashKV(Invocation inv, List<String> args) {
    ClientConfig cfg = inv.clientConfig();
    List<Printer.EpHashKV> list = new ArrayList<>();
    RpcError last = null;
    long rev = inv.int64("rev");
    for (String ep : endpointsFromCluster(inv, cfg)) {
      EtcdClient c = inv.client(withEndpoints(cfg, List.of(ep)));
      try {
        HashKVResponse r = c.unary(c.maintenance(), inv.commandTimeout(),
            s -> s.hashKV(HashKVRequest.newBuilder().setRevision(rev).build()));
        list.add(new Printer.EpHashKV(ep, r));
      } catch (RpcError e) {
        last = e;
        inv.io.err("Failed to get the hash of endpoint " + ep + " (" + e.getMessage() + ")\n");
      }
    }
    inv.printer().endpointHashKV(list);
    if (last != null) {
      throw inv.io.exitWithError(CtlExit.ERROR, last.getMessage());
    }
  }
}
