package io.etcdjava.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.AuthGrpc;
import io.etcdjava.api.etcdserverpb.AuthStatusRequest;
import io.etcdjava.api.etcdserverpb.ClusterGrpc;
import io.etcdjava.api.etcdserverpb.Compare;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.DeleteRangeResponse;
import io.etcdjava.api.etcdserverpb.HashKVRequest;
import io.etcdjava.api.etcdserverpb.HashKVResponse;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.LeaseGrantResponse;
import io.etcdjava.api.etcdserverpb.LeaseGrpc;
import io.etcdjava.api.etcdserverpb.LeaseLeasesRequest;
import io.etcdjava.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdjava.api.etcdserverpb.LeaseStatus;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdjava.api.etcdserverpb.MaintenanceGrpc;
import io.etcdjava.api.etcdserverpb.Member;
import io.etcdjava.api.etcdserverpb.MemberListRequest;
import io.etcdjava.api.etcdserverpb.MemberListResponse;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.RequestOp;
import io.etcdjava.api.etcdserverpb.ResponseOp;
import io.etcdjava.api.etcdserverpb.StatusRequest;
import io.etcdjava.api.etcdserverpb.StatusResponse;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import io.etcdjava.api.etcdserverpb.WatchCreateRequest;
import io.etcdjava.api.etcdserverpb.WatchGrpc;
import io.etcdjava.api.etcdserverpb.WatchRequest;
import io.etcdjava.api.etcdserverpb.WatchResponse;
import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.api.mvccpb.KeyValue;
import io.etcdjava.api.v3electionpb.CampaignRequest;
import io.etcdjava.api.v3electionpb.CampaignResponse;
import io.etcdjava.api.v3electionpb.ElectionGrpc;
import io.etcdjava.api.v3electionpb.LeaderRequest;
import io.etcdjava.api.v3electionpb.LeaderResponse;
import io.etcdjava.api.v3electionpb.ResignRequest;
import io.etcdjava.api.v3lockpb.LockGrpc;
import io.etcdjava.api.v3lockpb.LockRequest;
import io.etcdjava.api.v3lockpb.LockResponse;
import io.etcdjava.api.v3lockpb.UnlockRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Talks to a real etcd (Debian's 3.4 /usr/bin/etcd on loopback, free ports, throwaway data dir)
 * through our generated stubs, and with Debian's etcdctl alongside: proves our protos are etcd's
 * wire format, not just self-consistent.
 */
class RealEtcdCrossCheckTest {

  private static final Path ETCD_BIN = Path.of("/usr/bin/etcd");
  private static final Path ETCDCTL_BIN = Path.of("/usr/bin/etcdctl");
  private static final String NAME = "etcdjava-xcheck";
  private static final long CALL_TIMEOUT_S = 10;

  @TempDir static Path tmp;

  private static Process etcd;
  private static Thread reaper;
  private static ManagedChannel channel;
  private static String clientUrl;
  private static String peerUrl;
  private static Path etcdLog;

  @BeforeAll
  static void startEtcd() throws Exception {
    assumeTrue(Files.isExecutable(ETCD_BIN), "no real etcd at " + ETCD_BIN);
    int clientPort = freePort();
    int peerPort = freePort();
    while (peerPort == clientPort) {
      peerPort = freePort();
    }
    clientUrl = "http://127.0.0.1:" + clientPort;
    peerUrl = "http://127.0.0.1:" + peerPort;
    etcdLog = tmp.resolve("etcd.log");
    ProcessBuilder pb = new ProcessBuilder(ETCD_BIN.toString(),
        "--name", NAME,
        "--data-dir", tmp.resolve("data").toString(),
        "--listen-client-urls", clientUrl,
        "--advertise-client-urls", clientUrl,
        "--listen-peer-urls", peerUrl,
        "--initial-advertise-peer-urls", peerUrl,
        "--initial-cluster", NAME + "=" + peerUrl,
        "--initial-cluster-state", "new",
        "--initial-cluster-token", "etcdjava-xcheck-" + ProcessHandle.current().pid(),
        "--logger", "zap",
        "--log-outputs", "stderr")
        .redirectErrorStream(true)
        .redirectOutput(etcdLog.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("ETCD_"));
    etcd = pb.start();
    // last line of defence if the JVM goes down without running @AfterAll
    reaper = new Thread(() -> etcd.destroyForcibly());
    Runtime.getRuntime().addShutdownHook(reaper);

    channel = ManagedChannelBuilder.forAddress("127.0.0.1", clientPort).usePlaintext().build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    StatusRuntimeException last = null;
    while (System.nanoTime() < deadline) {
      if (!etcd.isAlive()) {
        throw new IllegalStateException("etcd exited early (" + etcd.exitValue() + "):\n" + logTail());
      }
      try {
        MaintenanceGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
            .status(StatusRequest.getDefaultInstance());
        return;
      } catch (StatusRuntimeException e) {
        last = e;
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("etcd not ready within 30s: " + last + "\n" + logTail());
  }

  @AfterAll
  static void stopEtcd() throws Exception {
    try {
      if (channel != null) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } finally {
      if (etcd != null) {
        etcd.destroy();
        if (!etcd.waitFor(10, TimeUnit.SECONDS)) {
          etcd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try {
          Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running anyway
        }
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private static String logTail() {
    try {
      List<String> lines = Files.readAllLines(etcdLog);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static ByteString bs(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static KVGrpc.KVBlockingStub kv() {
    return KVGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_TIMEOUT_S, TimeUnit.SECONDS);
  }

  private static LeaseGrpc.LeaseBlockingStub lease() {
    return LeaseGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_TIMEOUT_S, TimeUnit.SECONDS);
  }

  private static MaintenanceGrpc.MaintenanceBlockingStub maintenance() {
    return MaintenanceGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_TIMEOUT_S, TimeUnit.SECONDS);
  }

  /** Runs etcdctl against the test etcd; returns stdout+stderr, asserting exit 0. */
  private static String etcdctl(String... args) throws Exception {
    assumeTrue(Files.isExecutable(ETCDCTL_BIN), "no etcdctl at " + ETCDCTL_BIN);
    List<String> cmd = new ArrayList<>();
    cmd.add(ETCDCTL_BIN.toString());
    cmd.add("--endpoints=" + clientUrl);
    cmd.add("--command-timeout=10s");
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(tmp, "etcdctl", ".out");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("ETCDCTL_"));
    pb.environment().put("ETCDCTL_API", "3");
    Process p = pb.start();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError("etcdctl " + String.join(" ", args) + " timed out");
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("etcdctl %s: %s", String.join(" ", args), text).isZero();
    return text;
  }

  @Test
  void statusAndMemberList() {
    StatusResponse st = maintenance().status(StatusRequest.getDefaultInstance());
    assertThat(st.getVersion()).startsWith("3.");
    assertThat(st.getHeader().getClusterId()).isNotZero();
    assertThat(st.getHeader().getMemberId()).isNotZero();
    assertThat(st.getLeader()).isEqualTo(st.getHeader().getMemberId());
    assertThat(st.getDbSize()).isPositive();
    assertThat(st.getDbSizeInUse()).isPositive().isLessThanOrEqualTo(st.getDbSize());
    assertThat(st.getRaftTerm()).isPositive();
    assertThat(st.getRaftIndex()).isPositive();
    assertThat(st.getRaftAppliedIndex()).isPositive();
    assertThat(st.getIsLearner()).isFalse();
    assertThat(st.getErrorsList()).isEmpty();

    MemberListResponse ml = ClusterGrpc.newBlockingStub(channel)
        .withDeadlineAfter(CALL_TIMEOUT_S, TimeUnit.SECONDS)
        .memberList(MemberListRequest.getDefaultInstance());
    assertThat(ml.getHeader().getClusterId()).isEqualTo(st.getHeader().getClusterId());
    assertThat(ml.getMembersList()).hasSize(1);
    Member m = ml.getMembers(0);
    assertThat(m.getID()).isEqualTo(st.getHeader().getMemberId());
    assertThat(m.getName()).isEqualTo(NAME);
    assertThat(m.getPeerURLsList()).containsExactly(peerUrl);
    assertThat(m.getClientURLsList()).containsExactly(clientUrl);
    assertThat(m.getIsLearner()).isFalse();
  }

  @Test
  void putRangeDeleteWithLease() {
    LeaseGrantResponse grant = lease().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build());
    assertThat(grant.getError()).isEmpty();
    assertThat(grant.getID()).isNotZero();
    assertThat(grant.getTTL()).isEqualTo(60);
    long leaseId = grant.getID();

    PutResponse put = kv().put(PutRequest.newBuilder()
        .setKey(bs("/xcheck/kv/a")).setValue(bs("1")).setLease(leaseId).build());
    long rev = put.getHeader().getRevision();
    assertThat(rev).isPositive();
    PutResponse put2 = kv().put(PutRequest.newBuilder()
        .setKey(bs("/xcheck/kv/a")).setValue(bs("2")).setPrevKv(true).setIgnoreLease(true).build());
    assertThat(put2.getPrevKv().getValue()).isEqualTo(bs("1"));
    kv().put(PutRequest.newBuilder().setKey(bs("/xcheck/kv/b")).setValue(bs("3")).build());

    RangeResponse one = kv().range(RangeRequest.newBuilder().setKey(bs("/xcheck/kv/a")).build());
    assertThat(one.getKvsList()).hasSize(1);
    KeyValue a = one.getKvs(0);
    assertThat(a.getKey()).isEqualTo(bs("/xcheck/kv/a"));
    assertThat(a.getValue()).isEqualTo(bs("2"));
    assertThat(a.getVersion()).isEqualTo(2);
    assertThat(a.getCreateRevision()).isEqualTo(rev);
    assertThat(a.getModRevision()).isEqualTo(put2.getHeader().getRevision());
    assertThat(a.getLease()).isEqualTo(leaseId); // ignore_lease kept it

    RangeResponse prefix = kv().range(RangeRequest.newBuilder()
        .setKey(bs("/xcheck/kv/")).setRangeEnd(bs("/xcheck/kv0"))
        .setSortOrder(RangeRequest.SortOrder.DESCEND).setSortTarget(RangeRequest.SortTarget.KEY)
        .setLimit(1).build());
    assertThat(prefix.getKvsList()).extracting(KeyValue::getKey).containsExactly(bs("/xcheck/kv/b"));
    assertThat(prefix.getMore()).isTrue();
    assertThat(prefix.getCount()).isEqualTo(2);

    RangeResponse counted = kv().range(RangeRequest.newBuilder()
        .setKey(bs("/xcheck/kv/")).setRangeEnd(bs("/xcheck/kv0")).setCountOnly(true).build());
    assertThat(counted.getKvsList()).isEmpty();
    assertThat(counted.getCount()).isEqualTo(2);

    LeaseTimeToLiveResponse ttl = lease().leaseTimeToLive(
        LeaseTimeToLiveRequest.newBuilder().setID(leaseId).setKeys(true).build());
    assertThat(ttl.getGrantedTTL()).isEqualTo(60);
    assertThat(ttl.getTTL()).isBetween(1L, 60L);
    assertThat(ttl.getKeysList()).containsExactly(bs("/xcheck/kv/a"));
    assertThat(lease().leaseLeases(LeaseLeasesRequest.getDefaultInstance()).getLeasesList())
        .extracting(LeaseStatus::getID).contains(leaseId);

    lease().leaseRevoke(LeaseRevokeRequest.newBuilder().setID(leaseId).build());
    assertThat(kv().range(RangeRequest.newBuilder().setKey(bs("/xcheck/kv/a")).build()).getKvsList())
        .isEmpty();

    DeleteRangeResponse del = kv().deleteRange(DeleteRangeRequest.newBuilder()
        .setKey(bs("/xcheck/kv/")).setRangeEnd(bs("/xcheck/kv0")).setPrevKv(true).build());
    assertThat(del.getDeleted()).isEqualTo(1);
    assertThat(del.getPrevKvsList()).extracting(KeyValue::getValue).containsExactly(bs("3"));
  }

  @Test
  void txnCompareBranches() {
    ByteString key = bs("/xcheck/txn/k");
    // create-if-absent: version == 0, the zero oneof member must go on the wire
    TxnRequest createIfAbsent = TxnRequest.newBuilder()
        .addCompare(Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.VERSION)
            .setResult(Compare.CompareResult.EQUAL).setVersion(0))
        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key).setValue(bs("v1"))))
        .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key)))
        .build();
    TxnResponse first = kv().txn(createIfAbsent);
    assertThat(first.getSucceeded()).isTrue();
    assertThat(first.getResponsesList()).extracting(ResponseOp::getResponseCase)
        .containsExactly(ResponseOp.ResponseCase.RESPONSE_PUT);

    TxnResponse second = kv().txn(createIfAbsent);
    assertThat(second.getSucceeded()).isFalse();
    assertThat(second.getResponses(0).getResponseRange().getKvs(0).getValue()).isEqualTo(bs("v1"));

    // value compare (bytes member 7) and mod_revision compare, with a nested txn in success
    long mod = second.getResponses(0).getResponseRange().getKvs(0).getModRevision();
    TxnResponse third = kv().txn(TxnRequest.newBuilder()
        .addCompare(Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.VALUE)
            .setResult(Compare.CompareResult.EQUAL).setValue(bs("v1")))
        .addCompare(Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.MOD)
            .setResult(Compare.CompareResult.LESS).setModRevision(mod + 1))
        .addSuccess(RequestOp.newBuilder().setRequestTxn(TxnRequest.newBuilder()
            .addSuccess(RequestOp.newBuilder().setRequestPut(
                PutRequest.newBuilder().setKey(key).setValue(bs("v2"))))))
        .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(
            DeleteRangeRequest.newBuilder().setKey(bs("/xcheck/txn/none"))))
        .build());
    assertThat(third.getSucceeded()).isTrue();
    assertThat(third.getResponses(0).getResponseTxn().getResponses(0).hasResponsePut()).isTrue();
    assertThat(third.getResponses(1).getResponseDeleteRange().getDeleted()).isZero();
    assertThat(kv().range(RangeRequest.newBuilder().setKey(key).build()).getKvs(0).getValue())
        .isEqualTo(bs("v2"));
  }

  @Test
  void watchDeliversEvents() throws Exception {
    BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    StreamObserver<WatchRequest> requests = WatchGrpc.newStub(channel).watch(new StreamObserver<>() {
      @Override public void onNext(WatchResponse r) {
        inbox.add(r);
      }

      @Override public void onError(Throwable t) {
        inbox.add(t);
      }

      @Override public void onCompleted() {
        inbox.add("completed");
      }
    });
    try {
      requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
          .setKey(bs("/xcheck/watch/")).setRangeEnd(bs("/xcheck/watch0")).setPrevKv(true)
          .addFilters(WatchCreateRequest.FilterType.NODELETE)).build());
      Object created = inbox.poll(CALL_TIMEOUT_S, TimeUnit.SECONDS);
      assertThat(created).isInstanceOf(WatchResponse.class);
      assertThat(((WatchResponse) created).getCreated()).isTrue();
      long watchId = ((WatchResponse) created).getWatchId();

      kv().put(PutRequest.newBuilder().setKey(bs("/xcheck/watch/x")).setValue(bs("1")).build());
      kv().put(PutRequest.newBuilder().setKey(bs("/xcheck/watch/x")).setValue(bs("2")).build());
      kv().deleteRange(DeleteRangeRequest.newBuilder().setKey(bs("/xcheck/watch/x")).build());
      kv().put(PutRequest.newBuilder().setKey(bs("/xcheck/watch/x")).setValue(bs("3")).build());

      List<Event> events = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CALL_TIMEOUT_S);
      while (events.size() < 3 && System.nanoTime() < deadline) {
        Object o = inbox.poll(200, TimeUnit.MILLISECONDS);
        if (o instanceof WatchResponse r) {
          assertThat(r.getWatchId()).isEqualTo(watchId);
          events.addAll(r.getEventsList());
        } else if (o != null) {
          throw new AssertionError("watch stream ended: " + o);
        }
      }
      // the DELETE is filtered by the server (NODELETE)
      assertThat(events).extracting(Event::getType).containsExactly(
          Event.EventType.PUT, Event.EventType.PUT, Event.EventType.PUT);
      assertThat(events).extracting(e -> e.getKv().getValue().toStringUtf8()).containsExactly("1", "2", "3");
      assertThat(events.get(1).getPrevKv().getValue()).isEqualTo(bs("1"));
      assertThat(events.get(2).getKv().getVersion()).isEqualTo(1); // recreated after the delete
    } finally {
      requests.onError(Status.CANCELLED.withDescription("test done").asRuntimeException());
    }
  }

  @Test
  void maintenanceHashKvAnd35OnlyRpcIsUnimplementedOn34() {
    HashKVResponse h = maintenance().hashKV(HashKVRequest.getDefaultInstance());
    assertThat(h.getHeader().getRevision()).isPositive();
    StatusResponse st = maintenance().status(StatusRequest.getDefaultInstance());
    if (st.getVersion().startsWith("3.4.")) {
      assertThatThrownBy(() -> AuthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(CALL_TIMEOUT_S, TimeUnit.SECONDS)
          .authStatus(AuthStatusRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    } else {
      assertThat(AuthGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_TIMEOUT_S, TimeUnit.SECONDS)
          .authStatus(AuthStatusRequest.getDefaultInstance()).getEnabled()).isFalse();
    }
  }

  @Test
  void lockAndElectionServices() {
    long leaseId = lease().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(30).build()).getID();
    LockResponse lock = LockGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_TIMEOUT_S, TimeUnit.SECONDS)
        .lock(LockRequest.newBuilder().setName(bs("/xcheck/lock")).setLease(leaseId).build());
    assertThat(lock.getKey().toStringUtf8()).startsWith("/xcheck/lock/");
    assertThat(kv().range(RangeRequest.newBuilder().setKey(lock.getKey()).build()).getKvs(0).getLease())
        .isEqualTo(leaseId);
    LockGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_TIMEOUT_S, TimeUnit.SECONDS)
        .unlock(UnlockRequest.newBuilder().setKey(lock.getKey()).build());
    assertThat(kv().range(RangeRequest.newBuilder().setKey(lock.getKey()).build()).getKvsList()).isEmpty();

    ElectionGrpc.ElectionBlockingStub election =
        ElectionGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_TIMEOUT_S, TimeUnit.SECONDS);
    CampaignResponse won = election.campaign(CampaignRequest.newBuilder()
        .setName(bs("/xcheck/election")).setLease(leaseId).setValue(bs("me")).build());
    assertThat(won.getLeader().getName()).isEqualTo(bs("/xcheck/election"));
    assertThat(won.getLeader().getLease()).isEqualTo(leaseId);
    assertThat(won.getLeader().getRev()).isPositive();
    LeaderResponse leader = election.leader(LeaderRequest.newBuilder().setName(bs("/xcheck/election")).build());
    assertThat(leader.getKv().getValue()).isEqualTo(bs("me"));
    assertThat(leader.getKv().getKey()).isEqualTo(won.getLeader().getKey());
    election.resign(ResignRequest.newBuilder().setLeader(won.getLeader()).build());
    lease().leaseRevoke(LeaseRevokeRequest.newBuilder().setID(leaseId).build());
  }

  @Test
  void etcdctlAndOurStubsSeeTheSameData() throws Exception {
    // written with our stubs, read by etcdctl
    kv().put(PutRequest.newBuilder().setKey(bs("/xcheck/ctl/ours")).setValue(bs("from-stub")).build());
    assertThat(etcdctl("get", "/xcheck/ctl/ours", "--print-value-only").trim()).isEqualTo("from-stub");

    // written by etcdctl, read with our stubs
    assertThat(etcdctl("put", "/xcheck/ctl/theirs", "from-etcdctl").trim()).isEqualTo("OK");
    RangeResponse r = kv().range(RangeRequest.newBuilder().setKey(bs("/xcheck/ctl/theirs")).build());
    assertThat(r.getKvs(0).getValue()).isEqualTo(bs("from-etcdctl"));

    // etcdctl's transaction (compare on value) against a key we wrote
    String txnOut = etcdctlWithStdin("value(\"/xcheck/ctl/ours\") = \"from-stub\"\n\nput /xcheck/ctl/txn yes\n\n\n",
        "txn");
    assertThat(txnOut).contains("SUCCESS");
    assertThat(kv().range(RangeRequest.newBuilder().setKey(bs("/xcheck/ctl/txn")).build()).getKvs(0).getValue())
        .isEqualTo(bs("yes"));

    // etcdctl's member list agrees with ours
    String members = etcdctl("member", "list");
    MemberListResponse ml = ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_TIMEOUT_S, TimeUnit.SECONDS)
        .memberList(MemberListRequest.getDefaultInstance());
    assertThat(members).contains(Long.toHexString(ml.getMembers(0).getID())).contains(NAME).contains(peerUrl);
  }

  private static String etcdctlWithStdin(String stdin, String... args) throws Exception {
    assumeTrue(Files.isExecutable(ETCDCTL_BIN), "no etcdctl at " + ETCDCTL_BIN);
    Path in = Files.createTempFile(tmp, "etcdctl", ".in");
    Files.writeString(in, stdin);
    Path out = Files.createTempFile(tmp, "etcdctl", ".out");
    List<String> cmd = new ArrayList<>(List.of(ETCDCTL_BIN.toString(), "--endpoints=" + clientUrl,
        "--command-timeout=10s"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectInput(in.toFile()).redirectOutput(out.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("ETCDCTL_"));
    pb.environment().put("ETCDCTL_API", "3");
    Process p = pb.start();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError("etcdctl " + String.join(" ", args) + " timed out");
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("etcdctl %s: %s", String.join(" ", args), text).isZero();
    return text;
  }
}
