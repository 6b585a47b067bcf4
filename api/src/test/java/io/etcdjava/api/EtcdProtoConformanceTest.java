package io.etcdjava.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.ExtensionRegistry;
import io.etcdjava.api.authpb.AuthProto;
import io.etcdjava.api.etcdserverpb.RpcProto;
import io.etcdjava.api.internal.RaftInternalProto;
import io.etcdjava.api.leasepb.LeaseProto;
import io.etcdjava.api.mvccpb.KvProto;
import io.etcdjava.api.v3electionpb.V3ElectionProto;
import io.etcdjava.api.v3lockpb.V3LockProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles etcd 3.4's own .proto files (Debian's golang-etcd-server-dev, with gogo and the
 * gateway's googleapis copy from the same Go tree) with our protoc and checks that every
 * message, field, enum value, service and RPC of etcd is present in our protos with the same
 * number, type, label, oneof and gateway rule. The only differences allowed are the listed
 * 3.5/3.6 additions.
 */
class EtcdProtoConformanceTest {

  private static final Path GO = Path.of("/usr/share/gocode/src");
  private static final Path ETCD = GO.resolve("go.etcd.io/etcd");

  private static final Set<String> PUBLIC_PACKAGES =
      Set.of("etcdserverpb", "mvccpb", "authpb", "leasepb", "v3lockpb", "v3electionpb");

  /** Messages, fields, enums and RPCs newer than etcd 3.4 that our protos carry. */
  private static final Set<String> ADDED = Set.of(
      "etcdserverpb.DowngradeRequest", "etcdserverpb.DowngradeRequest.DowngradeAction",
      "etcdserverpb.DowngradeResponse", "etcdserverpb.DowngradeInfo",
      "etcdserverpb.AuthStatusRequest", "etcdserverpb.AuthStatusResponse",
      "etcdserverpb.MemberListRequest.linearizable",
      "etcdserverpb.AuthUserAddRequest.hashedPassword",
      "etcdserverpb.AuthUserChangePasswordRequest.hashedPassword",
      "etcdserverpb.StatusResponse.storageVersion", "etcdserverpb.StatusResponse.dbSizeQuota",
      "etcdserverpb.StatusResponse.downgradeInfo",
      "etcdserverpb.HashKVResponse.hash_revision", "etcdserverpb.SnapshotResponse.version",
      "etcdserverpb.Maintenance.Downgrade", "etcdserverpb.Auth.AuthStatus",
      // internal raft envelope (compared by simple names)
      "InternalRaftRequest.auth_status", "InternalRaftRequest.cluster_version_set",
      "InternalRaftRequest.cluster_member_attr_set", "InternalRaftRequest.downgrade_info_set");

  /** etcd 3.4 put HashKV on Hash's path; later etcd (and we) use /v3/maintenance/hashkv. */
  private static final Map<String, String> GATEWAY_PATH_FIXES =
      Map.of("etcdserverpb.Maintenance.HashKV", "/v3/maintenance/hashkv");

  @TempDir Path tmp;

  private static Path protoc() {
    String p = System.getProperty("etcdjava.protoc", "");
    assumeTrue(!p.isEmpty() && Files.isExecutable(Path.of(p)), "protoc not available: " + p);
    assumeTrue(Files.isRegularFile(ETCD.resolve("etcdserver/etcdserverpb/rpc.proto")),
        "etcd 3.4 protos not installed (golang-etcd-server-dev)");
    assumeTrue(Files.isRegularFile(GO.resolve("github.com/gogo/protobuf/gogoproto/gogo.proto")),
        "gogo protos not installed");
    return Path.of(p);
  }

  private FileDescriptorSet compile(List<String> extraIncludes, String... files)
      throws IOException, InterruptedException {
    Path out = tmp.resolve("set-" + System.nanoTime() + ".pb");
    Path log = tmp.resolve("protoc.log");
    List<String> cmd = new ArrayList<>();
    cmd.add(protoc().toString());
    for (String inc : extraIncludes) {
      cmd.add("-I" + inc);
    }
    cmd.add("-I" + GO.resolve("go.etcd.io"));
    cmd.add("-I" + GO.resolve("github.com/gogo/protobuf"));
    cmd.add("-I" + GO.resolve("github.com/gogo/protobuf/protobuf"));
    cmd.add("-I" + GO.resolve("github.com/grpc-ecosystem/grpc-gateway/third_party/googleapis"));
    cmd.add("--include_imports");
    cmd.add("--descriptor_set_out=" + out);
    cmd.addAll(List.of(files));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("protoc timed out");
    }
    assertThat(p.exitValue()).as("protoc: %s", Files.readString(log)).isZero();
    ExtensionRegistry registry = ExtensionRegistry.newInstance();
    registry.add(AnnotationsProto.http);
    return FileDescriptorSet.parseFrom(Files.readAllBytes(out), registry);
  }

  /** Flattened view of a set of files: full name -> signature lines. */
  private static final class Shape {
    final Map<String, String> messages = new TreeMap<>();
    final Map<String, String> fields = new TreeMap<>();
    final Map<String, String> enums = new TreeMap<>();
    final Map<String, String> enumValues = new TreeMap<>();
    final Map<String, String> methods = new TreeMap<>();
    final Map<String, HttpRule> http = new TreeMap<>();
    final boolean simpleTypeNames;

    Shape(boolean simpleTypeNames) {
      this.simpleTypeNames = simpleTypeNames;
    }

    void addFile(FileDescriptorProto f) {
      String scope = simpleTypeNames ? "" : f.getPackage() + ".";
      for (DescriptorProto m : f.getMessageTypeList()) {
        addMessage(scope, m);
      }
      for (EnumDescriptorProto e : f.getEnumTypeList()) {
        addEnum(scope, e);
      }
      for (ServiceDescriptorProto s : f.getServiceList()) {
        for (MethodDescriptorProto m : s.getMethodList()) {
          String name = scope + s.getName() + "." + m.getName();
          methods.put(name, m.getInputType() + " -> " + m.getOutputType()
              + " cs=" + m.getClientStreaming() + " ss=" + m.getServerStreaming());
          http.put(name, m.getOptions().getExtension(AnnotationsProto.http));
        }
      }
    }

    private String type(String typeName) {
      return simpleTypeNames ? typeName.substring(typeName.lastIndexOf('.') + 1) : typeName;
    }

    private void addMessage(String scope, DescriptorProto m) {
      String name = scope + m.getName();
      messages.put(name, "");
      for (FieldDescriptorProto f : m.getFieldList()) {
        String oneof = f.hasOneofIndex() ? m.getOneofDecl(f.getOneofIndex()).getName() : "-";
        fields.put(name + "." + f.getName(), f.getNumber() + " " + f.getLabel() + " " + f.getType()
            + " " + type(f.getTypeName()) + " oneof=" + oneof
            // generated code drops default json_names; a custom one would differ from etcd's
            + " json=" + (f.hasJsonName() && !f.getJsonName().equals(defaultJsonName(f.getName()))
                ? f.getJsonName() : "default")
            + " packed=" + (f.getOptions().hasPacked() ? f.getOptions().getPacked() : "default"));
      }
      for (DescriptorProto nested : m.getNestedTypeList()) {
        addMessage(name + ".", nested);
      }
      for (EnumDescriptorProto e : m.getEnumTypeList()) {
        addEnum(name + ".", e);
      }
    }

    private static String defaultJsonName(String name) {
      StringBuilder sb = new StringBuilder();
      boolean up = false;
      for (char c : name.toCharArray()) {
        if (c == '_') {
          up = true;
        } else {
          sb.append(up ? Character.toUpperCase(c) : c);
          up = false;
        }
      }
      return sb.toString();
    }

    private void addEnum(String scope, EnumDescriptorProto e) {
      String name = scope + e.getName();
      enums.put(name, "");
      for (EnumValueDescriptorProto v : e.getValueList()) {
        enumValues.put(name + "." + v.getName(), String.valueOf(v.getNumber()));
      }
    }
  }

  private static Shape ours(boolean simple, FileDescriptor... files) {
    Shape s = new Shape(simple);
    for (FileDescriptor f : files) {
      s.addFile(f.toProto());
    }
    return s;
  }

  private static void assertCovers(String what, Map<String, ?> etcd, Map<String, ?> ours) {
    for (Map.Entry<String, ?> e : etcd.entrySet()) {
      assertThat(ours).as("%s %s", what, e.getKey()).containsKey(e.getKey());
      assertThat((Object) ours.get(e.getKey())).as("%s %s", what, e.getKey()).isEqualTo(e.getValue());
    }
    for (String k : ours.keySet()) {
      if (!etcd.containsKey(k)) {
        // a later addition itself, or a member of an added message/enum
        String owner = k.substring(0, k.lastIndexOf('.'));
        assertThat(ADDED.contains(k) || ADDED.contains(owner))
            .as("%s %s is not in etcd 3.4 and not a known later addition", what, k).isTrue();
      }
    }
  }

  @Test
  void publicApiMatchesEtcd34() throws Exception {
    FileDescriptorSet set = compile(List.of(),
        "etcd/etcdserver/etcdserverpb/rpc.proto",
        "etcd/mvcc/mvccpb/kv.proto",
        "etcd/auth/authpb/auth.proto",
        "etcd/lease/leasepb/lease.proto",
        "etcd/etcdserver/api/v3lock/v3lockpb/v3lock.proto",
        "etcd/etcdserver/api/v3election/v3electionpb/v3election.proto");
    Shape etcd = new Shape(false);
    for (FileDescriptorProto f : set.getFileList()) {
      if (PUBLIC_PACKAGES.contains(f.getPackage())) {
        etcd.addFile(f);
      }
    }
    assertThat(etcd.methods).hasSize(39 + 2 + 5); // 3.4: 39 etcdserverpb RPCs, lock, election

    Shape ours = ours(false, RpcProto.getDescriptor(), KvProto.getDescriptor(), AuthProto.getDescriptor(),
        LeaseProto.getDescriptor(), V3LockProto.getDescriptor(), V3ElectionProto.getDescriptor());

    Map<String, String> etcdMessages = new TreeMap<>(etcd.messages);
    etcdMessages.putAll(etcd.enums);
    Map<String, String> ourMessages = new TreeMap<>(ours.messages);
    ourMessages.putAll(ours.enums);
    assertCovers("type", etcdMessages, ourMessages);
    assertCovers("field", etcd.fields, ours.fields);
    assertCovers("enum value", etcd.enumValues, ours.enumValues);
    assertCovers("rpc", etcd.methods, ours.methods);

    for (Map.Entry<String, HttpRule> e : etcd.http.entrySet()) {
      HttpRule expected = e.getValue();
      assertThat(expected.getPost()).as("etcd gateway rule of %s", e.getKey()).startsWith("/v3/");
      if (GATEWAY_PATH_FIXES.containsKey(e.getKey())) {
        expected = expected.toBuilder().setPost(GATEWAY_PATH_FIXES.get(e.getKey())).build();
      }
      assertThat(ours.http.get(e.getKey())).as("gateway rule of %s", e.getKey()).isEqualTo(expected);
    }
  }

  @Test
  void internalRaftEnvelopeMatchesEtcd34() throws Exception {
    FileDescriptorSet set = compile(List.of(ETCD.resolve("etcdserver/etcdserverpb").toString()),
        "raft_internal.proto");
    Shape etcd = new Shape(true);
    for (FileDescriptorProto f : set.getFileList()) {
      if (f.getName().equals("raft_internal.proto") || f.getName().equals("etcdserver.proto")) {
        etcd.addFile(f);
      }
    }
    assertThat(etcd.messages).containsKeys("InternalRaftRequest", "RequestHeader", "Request", "Metadata",
        "InternalAuthenticateRequest", "EmptyResponse");

    Shape ours = ours(true, RaftInternalProto.getDescriptor(),
        io.etcdjava.api.internal.EtcdServerProto.getDescriptor());
    for (String k : etcd.fields.keySet()) {
      assertThat(ours.fields).as("internal field %s", k).containsEntry(k, etcd.fields.get(k));
    }
    for (String k : ours.fields.keySet()) {
      if (!etcd.fields.containsKey(k)) {
        assertThat(ADDED).as("internal field %s", k).contains(k);
      }
    }
  }
}
