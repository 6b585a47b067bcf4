package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.AlarmMember;
import io.etcdjava.api.etcdserverpb.AlarmRequest;
import io.etcdjava.api.etcdserverpb.AlarmResponse;
import io.etcdjava.api.etcdserverpb.AlarmType;
import io.etcdjava.api.etcdserverpb.DefragmentRequest;
import io.etcdjava.api.etcdserverpb.MoveLeaderRequest;
import io.etcdjava.api.etcdserverpb.MoveLeaderResponse;
import io.etcdjava.api.etcdserverpb.StatusRequest;
import io.etcdjava.api.etcdserverpb.StatusResponse;
import java.util.List;

/** alarm list|disarm, defrag and move-leader (alarm_command.go, defrag_command.go, move_leader_command.go). */
final class MaintenanceCommands {
  private MaintenanceCommands() {}

  static Command alarm() {
    return new Command("alarm <subcommand>", "Alarm related commands", "", null).add(
        new Command("disarm", "Disarms all alarms", "", MaintenanceCommands::disarm),
        new Command("list", "Lists all alarms", "", MaintenanceCommands::list));
  }

  static Command defrag() {
    Command c = new Command("defrag", "Defragments the storage of the etcd members with given endpoints", "",
        MaintenanceCommands::defrag);
    c.boolFlag(true, "cluster", "", false, "use all endpoints from the cluster member list");
    c.stringFlag(false, "data-dir", "", "",
        "Optional. If present, defragments a data directory not in use by etcd.");
    return c;
  }

  static Command moveLeader() {
    return new Command("move-leader <transferee-member-id>", "Transfers leadership to another etcd cluster member.",
        "", MaintenanceCommands::moveLeader);
  }

  private static void list(Invocation inv, List<String> args) {
    if (!args.isEmpty()) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "alarm list command accepts no arguments");
    }
    EtcdClient c = inv.client();
    show(inv, alarmCall(inv, c, AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.GET).build()));
  }

  /** clientv3's AlarmDisarm of the zero member: list, then deactivate each alarm; no header in the result. */
  private static void disarm(Invocation inv, List<String> args) {
    if (!args.isEmpty()) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "alarm disarm command accepts no arguments");
    }
    EtcdClient c = inv.client();
    AlarmResponse listed = alarmCall(inv, c, AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.GET).build());
    AlarmResponse.Builder ret = AlarmResponse.newBuilder();
    for (AlarmMember a : listed.getAlarmsList()) {
      ret.addAllAlarms(alarmCall(inv, c, AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.DEACTIVATE)
          .setMemberID(a.getMemberID()).setAlarm(a.getAlarm()).build()).getAlarmsList());
    }
    show(inv, ret.build());
  }

  private static AlarmResponse alarmCall(Invocation inv, EtcdClient c, AlarmRequest req) {
    try {
      return c.unary(c.maintenance(), inv.commandTimeout(), s -> s.alarm(req));
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
  }

  private static void show(Invocation inv, AlarmResponse r) {
    Json j = new Json().open();
    if (r.hasHeader()) {
      j.header(r.getHeader());
    }
    if (r.getAlarmsCount() > 0) {
      // encoding/json writes the AlarmType enum as its number
      j.raw("alarms", Json.array(r.getAlarmsList().stream().map(a -> new Json().open()
          .unsigned("memberID", a.getMemberID(), true).num("alarm", a.getAlarmValue(), true).close().toString())
          .toList()));
    }
    RpcOutput.print(inv, r, j.close().toString(), io -> {
      for (AlarmMember a : r.getAlarmsList()) {
        io.out(compactText(a) + "\n");
      }
    }, io -> {
      if (!r.hasHeader()) {
        // etcd leaves the header out of alarm responses; etcdctl's fields printer dereferences it anyway
        throw Panic.nilPointer(io);
      }
      RpcOutput.header(io, r.getHeader());
      for (AlarmMember a : r.getAlarmsList()) {
        RpcOutput.field(io, "MemberID", GoText.uint(a.getMemberID()));
        RpcOutput.field(io, "AlarmType", alarmName(a));
        io.out("\n");
      }
    });
  }

  /** gogo-protobuf's String() of an AlarmMember (%+v): the compact text form, zero fields left out. */
  private static String compactText(AlarmMember a) {
    StringBuilder sb = new StringBuilder();
    if (a.getMemberID() != 0) {
      sb.append("memberID:").append(GoText.uint(a.getMemberID())).append(' ');
    }
    if (a.getAlarmValue() != 0) {
      sb.append("alarm:").append(alarmName(a)).append(' ');
    }
    return sb.toString();
  }

  private static String alarmName(AlarmMember a) {
    AlarmType t = AlarmType.forNumber(a.getAlarmValue());
    return t == null ? Integer.toString(a.getAlarmValue()) : t.name();
  }

  private static void defrag(Invocation inv, List<String> args) {
    String dataDir = inv.string("data-dir");
    if (!dataDir.isEmpty()) {
      // rewriting a bbolt file offline is not built yet: fail the way etcdctl reports a failed defrag
      inv.io.err("Failed to defragment etcd data[" + dataDir + "] (offline defragmentation is not supported by "
          + "etcd-java's etcdctl yet)\n");
      throw new CtlExit(CtlExit.ERROR);
    }
    ClientConfig cfg = inv.clientConfig();
    inv.client(cfg);
    int failures = 0;
    for (String ep : ClusterCommands.endpointsFromCluster(inv, cfg)) {
      try {
        DirectEndpoint.call(inv, cfg, ep, one -> one.unary(one.maintenance(), inv.commandTimeout(),
            s -> s.defragment(DefragmentRequest.getDefaultInstance())));
        inv.io.out("Finished defragmenting etcd member[" + ep + "]\n");
      } catch (RpcError e) {
        inv.io.err("Failed to defragment etcd member[" + ep + "] (" + e.getMessage() + ")\n");
        failures++;
      }
    }
    if (failures != 0) {
      throw new CtlExit(CtlExit.ERROR);
    }
  }

  /** Finds the leader among --endpoints by Status and asks it to hand leadership to the target. */
  private static void moveLeader(Invocation inv, List<String> args) {
    if (args.size() != 1) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "move-leader command needs 1 argument");
    }
    long target;
    try {
      target = GoText.parseUint64(args.get(0), 16);
    } catch (NumberFormatException e) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, e.getMessage());
    }
    ClientConfig cfg = inv.clientConfig();
    inv.client(cfg).close();
    EtcdClient leader = null;
    long leaderId = 0;
    for (String ep : cfg.endpoints()) {
      StatusResponse st;
      try {
        st = DirectEndpoint.call(inv, cfg, ep, one -> one.unary(one.maintenance(), inv.commandTimeout(),
            s -> s.status(StatusRequest.getDefaultInstance())));
      } catch (RpcError e) {
        throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
      }
      if (st.getHeader().getMemberId() == st.getLeader()) {
        leader = inv.client(ClusterCommands.withEndpoints(cfg, List.of(ep)));
        leaderId = st.getLeader();
        break;
      }
    }
    if (leader == null) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS, "no leader endpoint given at " + GoText.list(cfg.endpoints()));
    }
    EtcdClient l = leader;
    MoveLeaderResponse r;
    try {
      r = l.unary(l.maintenance(), inv.commandTimeout(),
          s -> s.moveLeader(MoveLeaderRequest.newBuilder().setTargetID(target).build()));
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
    long from = leaderId;
    Json j = new Json().open();
    if (r.hasHeader()) {
      j.header(r.getHeader());
    }
    RpcOutput.print(inv, r, j.close().toString(), io -> io.out("Leadership transferred from "
        + Long.toHexString(from) + " to " + Long.toHexString(target) + "\n"), null);
  }
}
