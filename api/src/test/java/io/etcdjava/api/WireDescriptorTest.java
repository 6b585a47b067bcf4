package io.etcdjava.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.etcdjava.api.authpb.AuthProto;
import io.etcdjava.api.etcdserverpb.AuthGrpc;
import io.etcdjava.api.etcdserverpb.ClusterGrpc;
import io.etcdjava.api.etcdserverpb.Compare;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.LeaseGrpc;
import io.etcdjava.api.etcdserverpb.MaintenanceGrpc;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RpcProto;
import io.etcdjava.api.etcdserverpb.StatusResponse;
import io.etcdjava.api.etcdserverpb.WatchCreateRequest;
import io.etcdjava.api.etcdserverpb.WatchGrpc;
import io.etcdjava.api.internal.InternalRaftRequest;
import io.etcdjava.api.leasepb.LeaseProto;
import io.etcdjava.api.mvccpb.KvProto;
import io.etcdjava.api.v3electionpb.ElectionGrpc;
import io.etcdjava.api.v3electionpb.V3ElectionProto;
import io.etcdjava.api.v3lockpb.LockGrpc;
import io.etcdjava.api.v3lockpb.V3LockProto;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pins wire facts (packages, field numbers/types, services, RPCs, gateway paths) by descriptor. */
class WireDescriptorTest {

  private static FieldDescriptor field(Descriptor d, String name) {
    FieldDescriptor f = d.findFieldByName(name);
    assertThat(f).as("%s.%s", d.getFullName(), name).isNotNull();
    return f;
  }

  private static void assertField(Descriptor d, String name, int number, FieldDescriptor.Type type) {
    FieldDescriptor f = field(d, name);
    assertThat(f.getNumber()).as("%s.%s number", d.getFullName(), name).isEqualTo(number);
    assertThat(f.getType()).as("%s.%s type", d.getFullName(), name).isEqualTo(type);
  }

  @Test
  void protoPackagesAreEtcds() {
    assertThat(RpcProto.getDescriptor().getPackage()).isEqualTo("etcdserverpb");
    assertThat(KvProto.getDescriptor().getPackage()).isEqualTo("mvccpb");
    assertThat(AuthProto.getDescriptor().getPackage()).isEqualTo("authpb");
    assertThat(LeaseProto.getDescriptor().getPackage()).isEqualTo("leasepb");
    assertThat(V3LockProto.getDescriptor().getPackage()).isEqualTo("v3lockpb");
    assertThat(V3ElectionProto.getDescriptor().getPackage()).isEqualTo("v3electionpb");
    // the raft envelope is ours only and must not sit in a client-visible package
    assertThat(InternalRaftRequest.getDescriptor().getFile().getPackage()).isEqualTo("etcdjava.internal");
  }

  @Test
  void rangeRequestFields() {
    Descriptor d = RangeRequest.getDescriptor();
    assertThat(d.getFullName()).isEqualTo("etcdserverpb.RangeRequest");
    assertField(d, "key", 1, FieldDescriptor.Type.BYTES);
    assertField(d, "range_end", 2, FieldDescriptor.Type.BYTES);
    assertField(d, "limit", 3, FieldDescriptor.Type.INT64);
    assertField(d, "revision", 4, FieldDescriptor.Type.INT64);
    assertField(d, "sort_order", 5, FieldDescriptor.Type.ENUM);
    assertField(d, "sort_target", 6, FieldDescriptor.Type.ENUM);
    assertField(d, "serializable", 7, FieldDescriptor.Type.BOOL);
    assertField(d, "keys_only", 8, FieldDescriptor.Type.BOOL);
    assertField(d, "count_only", 9, FieldDescriptor.Type.BOOL);
    assertField(d, "min_mod_revision", 10, FieldDescriptor.Type.INT64);
    assertField(d, "max_create_revision", 13, FieldDescriptor.Type.INT64);
    assertThat(d.getFields()).hasSize(13);
    assertThat(RangeRequest.SortOrder.DESCEND.getNumber()).isEqualTo(2);
    assertThat(RangeRequest.SortTarget.VALUE.getNumber()).isEqualTo(4);
  }

  @Test
  void compareTargetUnionOneof() {
    Descriptor d = Compare.getDescriptor();
    assertThat(d.getOneofs()).hasSize(1);
    assertThat(d.getOneofs().get(0).getName()).isEqualTo("target_union");
    Map<String, Integer> members = new LinkedHashMap<>();
    d.getOneofs().get(0).getFields().forEach(f -> members.put(f.getName(), f.getNumber()));
    assertThat(members).containsExactly(
        Map.entry("version", 4), Map.entry("create_revision", 5), Map.entry("mod_revision", 6),
        Map.entry("value", 7), Map.entry("lease", 8));
    assertField(d, "result", 1, FieldDescriptor.Type.ENUM);
    assertField(d, "target", 2, FieldDescriptor.Type.ENUM);
    assertField(d, "key", 3, FieldDescriptor.Type.BYTES);
    assertField(d, "range_end", 64, FieldDescriptor.Type.BYTES);
    assertThat(Compare.CompareResult.NOT_EQUAL.getNumber()).isEqualTo(3);
    assertThat(Compare.CompareTarget.LEASE.getNumber()).isEqualTo(4);
  }

  @Test
  void watchCreateRequestFields() {
    Descriptor d = WatchCreateRequest.getDescriptor();
    assertField(d, "filters", 5, FieldDescriptor.Type.ENUM);
    assertThat(field(d, "filters").isRepeated()).isTrue();
    assertThat(field(d, "filters").isPacked()).isTrue();
    assertField(d, "prev_kv", 6, FieldDescriptor.Type.BOOL);
    assertField(d, "watch_id", 7, FieldDescriptor.Type.INT64);
    assertField(d, "fragment", 8, FieldDescriptor.Type.BOOL);
    assertThat(WatchCreateRequest.FilterType.NODELETE.getNumber()).isEqualTo(1);
    Descriptor watchResponse = RpcProto.getDescriptor().findMessageTypeByName("WatchResponse");
    assertField(watchResponse, "events", 11, FieldDescriptor.Type.MESSAGE);
    assertThat(field(watchResponse, "events").getMessageType().getFullName()).isEqualTo("mvccpb.Event");
  }

  @Test
  void statusResponseFieldsIncluding35And36Additions() {
    Descriptor d = StatusResponse.getDescriptor();
    assertField(d, "header", 1, FieldDescriptor.Type.MESSAGE);
    assertField(d, "version", 2, FieldDescriptor.Type.STRING);
    assertField(d, "dbSize", 3, FieldDescriptor.Type.INT64);
    assertField(d, "leader", 4, FieldDescriptor.Type.UINT64);
    assertField(d, "raftIndex", 5, FieldDescriptor.Type.UINT64);
    assertField(d, "raftTerm", 6, FieldDescriptor.Type.UINT64);
    assertField(d, "raftAppliedIndex", 7, FieldDescriptor.Type.UINT64);
    assertField(d, "errors", 8, FieldDescriptor.Type.STRING);
    assertField(d, "dbSizeInUse", 9, FieldDescriptor.Type.INT64);
    assertField(d, "isLearner", 10, FieldDescriptor.Type.BOOL);
    assertField(d, "storageVersion", 11, FieldDescriptor.Type.STRING);
    assertField(d, "dbSizeQuota", 12, FieldDescriptor.Type.INT64);
    assertField(d, "downgradeInfo", 13, FieldDescriptor.Type.MESSAGE);
  }

  @Test
  void otherLaterAdditions() {
    FileDescriptor rpc = RpcProto.getDescriptor();
    assertField(rpc.findMessageTypeByName("HashKVResponse"), "hash_revision", 4, FieldDescriptor.Type.INT64);
    assertField(rpc.findMessageTypeByName("MemberListRequest"), "linearizable", 1, FieldDescriptor.Type.BOOL);
    assertField(rpc.findMessageTypeByName("AuthUserAddRequest"), "hashedPassword", 4, FieldDescriptor.Type.STRING);
    assertField(rpc.findMessageTypeByName("AuthUserChangePasswordRequest"), "hashedPassword", 3,
        FieldDescriptor.Type.STRING);
    assertField(rpc.findMessageTypeByName("AuthStatusResponse"), "authRevision", 3, FieldDescriptor.Type.UINT64);
    assertField(rpc.findMessageTypeByName("DowngradeRequest"), "action", 1, FieldDescriptor.Type.ENUM);
    assertField(rpc.findMessageTypeByName("LeaseGrantRequest"), "TTL", 1, FieldDescriptor.Type.INT64);
    assertField(rpc.findMessageTypeByName("LeaseGrantRequest"), "ID", 2, FieldDescriptor.Type.INT64);
    assertField(rpc.findMessageTypeByName("Member"), "peerURLs", 3, FieldDescriptor.Type.STRING);
    Descriptor raft = InternalRaftRequest.getDescriptor();
    assertField(raft, "header", 100, FieldDescriptor.Type.MESSAGE);
    assertField(raft, "auth_status", 1013, FieldDescriptor.Type.MESSAGE);
    assertField(raft, "cluster_version_set", 1300, FieldDescriptor.Type.MESSAGE);
    assertField(raft, "downgrade_info_set", 1302, FieldDescriptor.Type.MESSAGE);
  }

  @Test
  void servicesAndRpcCounts() {
    Map<ServiceDescriptor, Integer> expected = new LinkedHashMap<>();
    expected.put(svc(RpcProto.getDescriptor(), "KV"), 5);
    expected.put(svc(RpcProto.getDescriptor(), "Watch"), 1);
    expected.put(svc(RpcProto.getDescriptor(), "Lease"), 5);
    expected.put(svc(RpcProto.getDescriptor(), "Cluster"), 5);
    expected.put(svc(RpcProto.getDescriptor(), "Maintenance"), 8);
    expected.put(svc(RpcProto.getDescriptor(), "Auth"), 17);
    expected.put(svc(V3LockProto.getDescriptor(), "Lock"), 2);
    expected.put(svc(V3ElectionProto.getDescriptor(), "Election"), 5);
    int etcdserverpbTotal = 0;
    for (Map.Entry<ServiceDescriptor, Integer> e : expected.entrySet()) {
      assertThat(e.getKey().getMethods()).as(e.getKey().getFullName()).hasSize(e.getValue());
      if (e.getKey().getFile() == RpcProto.getDescriptor()) {
        etcdserverpbTotal += e.getValue();
      }
    }
    assertThat(etcdserverpbTotal).isEqualTo(41);
    assertThat(RpcProto.getDescriptor().getServices()).hasSize(6);

    // gRPC service names as they appear in the :path of every call
    assertThat(KVGrpc.SERVICE_NAME).isEqualTo("etcdserverpb.KV");
    assertThat(WatchGrpc.SERVICE_NAME).isEqualTo("etcdserverpb.Watch");
    assertThat(LeaseGrpc.SERVICE_NAME).isEqualTo("etcdserverpb.Lease");
    assertThat(ClusterGrpc.SERVICE_NAME).isEqualTo("etcdserverpb.Cluster");
    assertThat(MaintenanceGrpc.SERVICE_NAME).isEqualTo("etcdserverpb.Maintenance");
    assertThat(AuthGrpc.SERVICE_NAME).isEqualTo("etcdserverpb.Auth");
    assertThat(LockGrpc.SERVICE_NAME).isEqualTo("v3lockpb.Lock");
    assertThat(ElectionGrpc.SERVICE_NAME).isEqualTo("v3electionpb.Election");
    assertThat(KVGrpc.getRangeMethod().getFullMethodName()).isEqualTo("etcdserverpb.KV/Range");
    assertThat(AuthGrpc.getAuthStatusMethod().getFullMethodName()).isEqualTo("etcdserverpb.Auth/AuthStatus");
    assertThat(MaintenanceGrpc.getDowngradeMethod().getFullMethodName())
        .isEqualTo("etcdserverpb.Maintenance/Downgrade");
    assertThat(LockGrpc.getUnlockMethod().getFullMethodName()).isEqualTo("v3lockpb.Lock/Unlock");
  }

  @Test
  void streamingShapes() {
    assertThat(WatchGrpc.getWatchMethod().getType()).isEqualTo(io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING);
    assertThat(LeaseGrpc.getLeaseKeepAliveMethod().getType())
        .isEqualTo(io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING);
    assertThat(MaintenanceGrpc.getSnapshotMethod().getType())
        .isEqualTo(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING);
    assertThat(ElectionGrpc.getObserveMethod().getType())
        .isEqualTo(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING);
    assertThat(KVGrpc.getTxnMethod().getType()).isEqualTo(io.grpc.MethodDescriptor.MethodType.UNARY);
  }

  @Test
  void kvGatewayPaths() {
    ServiceDescriptor kv = svc(RpcProto.getDescriptor(), "KV");
    Map<String, String> posts = new LinkedHashMap<>();
    for (MethodDescriptor m : kv.getMethods()) {
      HttpRule rule = m.getOptions().getExtension(AnnotationsProto.http);
      assertThat(rule.getBody()).as(m.getName()).isEqualTo("*");
      posts.put(m.getName(), rule.getPost());
    }
    assertThat(posts).containsExactly(
        Map.entry("Range", "/v3/kv/range"),
        Map.entry("Put", "/v3/kv/put"),
        Map.entry("DeleteRange", "/v3/kv/deleterange"),
        Map.entry("Txn", "/v3/kv/txn"),
        Map.entry("Compact", "/v3/kv/compaction"));
  }

  @Test
  void everyRpcHasAGatewayPostAndLeaseKeepsItsAliases() {
    for (FileDescriptor f : List.of(RpcProto.getDescriptor(), V3LockProto.getDescriptor(),
        V3ElectionProto.getDescriptor())) {
      for (ServiceDescriptor s : f.getServices()) {
        for (MethodDescriptor m : s.getMethods()) {
          HttpRule rule = m.getOptions().getExtension(AnnotationsProto.http);
          assertThat(rule.getPost()).as(m.getFullName()).startsWith("/v3/");
        }
      }
    }
    MethodDescriptor revoke = svc(RpcProto.getDescriptor(), "Lease").findMethodByName("LeaseRevoke");
    HttpRule rule = revoke.getOptions().getExtension(AnnotationsProto.http);
    assertThat(rule.getPost()).isEqualTo("/v3/lease/revoke");
    assertThat(rule.getAdditionalBindingsList()).extracting(HttpRule::getPost)
        .containsExactly("/v3/kv/lease/revoke");
    assertThat(svc(RpcProto.getDescriptor(), "Watch").findMethodByName("Watch").getOptions()
        .getExtension(AnnotationsProto.http).getPost()).isEqualTo("/v3/watch");
  }

  private static ServiceDescriptor svc(FileDescriptor file, String name) {
    ServiceDescriptor s = file.findServiceByName(name);
    assertThat(s).as(name).isNotNull();
    return s;
  }
}
