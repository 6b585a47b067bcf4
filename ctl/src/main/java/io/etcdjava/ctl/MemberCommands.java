package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.Member;
import io.etcdjava.api.etcdserverpb.MemberAddRequest;
import io.etcdjava.api.etcdserverpb.MemberAddResponse;
import io.etcdjava.api.etcdserverpb.MemberPromoteRequest;
import io.etcdjava.api.etcdserverpb.MemberRemoveRequest;
import io.etcdjava.api.etcdserverpb.MemberRemoveResponse;
import io.etcdjava.api.etcdserverpb.MemberUpdateRequest;
import io.etcdjava.api.etcdserverpb.MemberUpdateResponse;
import io.etcdjava.api.etcdserverpb.ResponseHeader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** member add|remove|update|promote (member_command.go); member list lives with the cluster commands. */
final class MemberCommands {
  private MemberCommands() {}

  static Command add() {
    Command c = new Command("add <memberName> [options]", "Adds a member into the cluster", "", MemberCommands::add);
    c.stringFlag(false, "peer-urls", "", "", "comma separated peer URLs for the new member.");
    c.boolFlag(false, "learner", "", false, "indicates if the new member is raft learner");
    return c;
  }

  static Command remove() {
    return new Command("remove <memberID>", "Removes a member from the cluster", "", MemberCommands::remove);
  }

  static Command update() {
    Command c = new Command("update <memberID> [options]", "Updates a member in the cluster", "",
        MemberCommands::update);
    c.stringFlag(false, "peer-urls", "", "", "comma separated peer URLs for the updated member.");
    return c;
  }

  static Command promote() {
    return new Command("promote <memberID>", "Promotes a non-voting member in the cluster",
        "Promotes a non-voting learner member to a voting one in the cluster.\n", MemberCommands::promote);
  }

  private static void add(Invocation inv, List<String> args) {
    if (args.isEmpty()) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "member name not provided");
    }
    if (args.size() > 1) {
      StringBuilder ev = new StringBuilder("too many arguments");
      for (String s : args) {
        if (s.toLowerCase(Locale.ROOT).startsWith("http")) {
          ev.append(", did you mean --peer-urls=").append(s);
        }
      }
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, ev.toString());
    }
    String name = args.get(0);
    String peerUrls = inv.string("peer-urls");
    if (peerUrls.isEmpty()) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "member peer urls not provided");
    }
    EtcdClient c = inv.client();
    checkUrls(inv, peerUrls);
    MemberAddResponse r = call(inv, () -> c.unary(c.cluster(), inv.commandTimeout(), s -> s.memberAdd(
        MemberAddRequest.newBuilder().addAllPeerURLs(Arrays.asList(peerUrls.split(",", -1)))
            .setIsLearner(inv.bool("learner")).build())));
    long newId = r.getMember().getID();
    RpcOutput.print(inv, r, membersJson(r.getHeader(), r.getMember(), r.getMembersList()), io -> {
      io.out(String.format("Member %16x added to cluster %16x\n", newId, r.getHeader().getClusterId()));
      // the environment a new member starts with; the new member has no name in the response yet
      List<String> conf = new ArrayList<>();
      for (Member m : r.getMembersList()) {
        for (String u : m.getPeerURLsList()) {
          conf.add((m.getID() == newId ? name : m.getName()) + "=" + u);
        }
      }
      io.out("\nETCD_NAME=" + GoText.quote(name) + "\n");
      io.out("ETCD_INITIAL_CLUSTER=" + GoText.quote(String.join(",", conf)) + "\n");
      io.out("ETCD_INITIAL_ADVERTISE_PEER_URLS=" + GoText.quote(peerUrls) + "\n");
      io.out("ETCD_INITIAL_CLUSTER_STATE=\"existing\"\n");
    }, null);
  }

  private static void remove(Invocation inv, List<String> args) {
    long id = memberId(inv, args);
    EtcdClient c = inv.client();
    MemberRemoveResponse r = call(inv, () -> c.unary(c.cluster(), inv.commandTimeout(),
        s -> s.memberRemove(MemberRemoveRequest.newBuilder().setID(id).build())));
    RpcOutput.print(inv, r, membersJson(r.getHeader(), null, r.getMembersList()), io -> io.out(
        String.format("Member %16x removed from cluster %16x\n", id, r.getHeader().getClusterId())), null);
  }

  private static void update(Invocation inv, List<String> args) {
    long id = memberId(inv, args);
    String peerUrls = inv.string("peer-urls");
    if (peerUrls.isEmpty()) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "member peer urls not provided");
    }
    EtcdClient c = inv.client();
    checkUrls(inv, peerUrls);
    MemberUpdateResponse r = call(inv, () -> c.unary(c.cluster(), inv.commandTimeout(), s -> s.memberUpdate(
        MemberUpdateRequest.newBuilder().setID(id).addAllPeerURLs(Arrays.asList(peerUrls.split(",", -1))).build())));
    RpcOutput.print(inv, r, membersJson(r.getHeader(), null, r.getMembersList()), io -> io.out(
        String.format("Member %16x updated in cluster %16x\n", id, r.getHeader().getClusterId())), null);
  }

  private static void promote(Invocation inv, List<String> args) {
    long id = memberId(inv, args);
    EtcdClient c = inv.client();
    var r = call(inv, () -> c.unary(c.cluster(), inv.commandTimeout(),
        s -> s.memberPromote(MemberPromoteRequest.newBuilder().setID(id).build())));
    if (!(inv.printer() instanceof SimplePrinter)) {
      // etcdctl 3.4's other printers have no MemberPromote method: the call hits a nil interface and the
      // Go runtime dies after the member was promoted
      throw Panic.nilPointer(inv.io);
    }
    inv.io.out(String.format("Member %16x promoted in cluster %16x\n", id, r.getHeader().getClusterId()));
  }

  private static long memberId(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "member ID is not provided");
    }
    try {
      return GoText.parseUint64(args.get(0), 16);
    } catch (NumberFormatException e) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "bad member ID arg (" + e.getMessage() + "), expecting ID in Hex");
    }
  }

  private static void checkUrls(Invocation inv, String peerUrls) {
    String bad = PeerUrls.invalid(Arrays.asList(peerUrls.split(",", -1)));
    if (bad != null) {
      throw inv.io.exitWithError(CtlExit.ERROR, bad);
    }
  }

  private static <T> T call(Invocation inv, java.util.function.Supplier<T> rpc) {
    try {
      return rpc.get();
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
  }

  /** json.Marshal of pb.MemberAddResponse / MemberRemoveResponse / MemberUpdateResponse. */
  private static String membersJson(ResponseHeader h, Member added, List<Member> members) {
    Json j = new Json().open().header(h);
    if (added != null) {
      j.raw("member", JsonPrinter.member(added));
    }
    if (!members.isEmpty()) {
      j.raw("members", Json.array(members.stream().map(JsonPrinter::member).toList()));
    }
    return j.close().toString();
  }
}
