package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.v3electionpb.CampaignRequest;
import io.etcdjava.api.v3electionpb.CampaignResponse;
import io.etcdjava.api.v3electionpb.LeaderRequest;
import io.etcdjava.api.v3electionpb.LeaderResponse;
import io.etcdjava.api.v3electionpb.ResignRequest;
import com.google.protobuf.ByteString;
import io.grpc.Context;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * elect (elect_command.go) through etcd's v3election service: campaign with a proposal and print the
 * leader key once elected, holding it until SIGINT/SIGTERM (then resign); or with -l, print every leader
 * the election has, until interrupted.
 */
final class ElectCommand {
  private ElectCommand() {}

  static Command create() {
    Command c = new Command("elect <election-name> [proposal]", "Observes and participates in leader election", "",
        ElectCommand::run);
    c.localFlags.add(new Flag("listen", "l", Flag.Type.BOOL, false, "observation mode"));
    return c;
  }

  private static void run(Invocation inv, List<String> args) {
    if (args.size() != 1 && args.size() != 2) {
      throw inv.io.exitWithError(CtlExit.BAD_ARGS,
          "elect takes one election name argument and an optional proposal argument");
    }
    EtcdClient c = inv.client();
    boolean listen = inv.bool("listen");
    if (args.size() == 1) {
      if (!listen) {
        throw inv.io.exitWithError(CtlExit.BAD_ARGS, "no proposal argument but -l not set");
      }
      observe(inv, c, args.get(0));
    } else {
      if (listen) {
        throw inv.io.exitWithError(CtlExit.BAD_ARGS, "proposal given but -l is set");
      }
      campaign(inv, c, args.get(0), args.get(1));
    }
  }

  private static void observe(Invocation inv, EtcdClient c, String election) {
    CountDownLatch signal = Signals.interrupted();
    Session.open(inv, c, 60);
    Context.CancellableContext ctx = Context.current().withCancellation();
    Thread canceller = new Thread(() -> {
      try {
        signal.await();
        ctx.cancel(null);
      } catch (InterruptedException ignored) {
        // done
      }
    }, "etcdctl-signal-cancel");
    canceller.setDaemon(true);
    canceller.start();
    try {
      ctx.run(() -> {
        Iterator<LeaderResponse> it = c.election().observe(
            LeaderRequest.newBuilder().setName(ByteString.copyFromUtf8(election)).build());
        while (it.hasNext()) {
          LeaderResponse r = it.next();
          inv.printer().get(RangeResponse.newBuilder().setHeader(r.getHeader()).addKvs(r.getKv()).build());
          inv.io.out.flush();
        }
      });
    } catch (RuntimeException e) {
      if (!(e instanceof CtlExit) && signal.getCount() == 0) {
        return;
      }
      if (e instanceof CtlExit x) {
        throw x;
      }
    }
    if (signal.getCount() == 0) {
      return;
    }
    throw inv.io.exitWithError(CtlExit.ERROR, "elect: observer lost");
  }

  private static void campaign(Invocation inv, EtcdClient c, String election, String proposal) {
    CountDownLatch signal = Signals.interrupted();
    Session s = Session.open(inv, c, 60);
    CampaignResponse won = LockCommands.cancellable(inv, signal, () -> c.unary(c.election(), 0, st -> st.campaign(
        CampaignRequest.newBuilder().setName(ByteString.copyFromUtf8(election)).setLease(s.lease)
            .setValue(ByteString.copyFromUtf8(proposal)).build())));
    RangeResponse r;
    try {
      r = c.unary(c.kv(), 0, st -> st.range(RangeRequest.newBuilder().setKey(won.getLeader().getKey()).build()));
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
    inv.printer().get(r);
    inv.io.out.flush();
    if (!LockCommands.holdUntilSignal(signal, s)) {
      throw inv.io.exitWithError(CtlExit.ERROR, "elect: session expired");
    }
    try {
      c.unary(c.election(), 0, st -> st.resign(ResignRequest.newBuilder().setLeader(won.getLeader()).build()));
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
  }
}
