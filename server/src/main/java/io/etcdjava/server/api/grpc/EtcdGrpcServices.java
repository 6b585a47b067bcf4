package io.etcdjava.server.api.grpc;

import io.etcdjava.api.etcdserverpb.AuthGrpc;
import io.etcdjava.api.etcdserverpb.ClusterGrpc;
import io.etcdjava.api.etcdserverpb.LeaseGrpc;
import io.etcdjava.api.etcdserverpb.WatchGrpc;
import io.etcdjava.api.v3electionpb.ElectionGrpc;
import io.etcdjava.api.v3lockpb.LockGrpc;
import io.etcdjava.server.etcdserver.KvService;
import io.etcdjava.server.etcdserver.MemberStatus;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The full set of services etcd registers on its client port. Every service is present so that a
 * method nobody implements yet answers UNIMPLEMENTED (what real clients handle) rather than
 * "unknown service"; a real implementation replaces its placeholder by service name.
 */
public final class EtcdGrpcServices {
    private EtcdGrpcServices() {
    }

    /** KV and Maintenance.Status over the given member, the rest placeholders, then {@code overrides}. */
    public static List<ServerServiceDefinition> of(KvService kv, MemberStatus member,
                                                   Collection<? extends BindableService> overrides) {
        Map<String, ServerServiceDefinition> byName = new LinkedHashMap<>();
        for (BindableService s : placeholders(kv, member)) {
            ServerServiceDefinition d = s.bindService();
            byName.put(d.getServiceDescriptor().getName(), d);
        }
        for (BindableService s : overrides) {
            ServerServiceDefinition d = s.bindService();
            byName.put(d.getServiceDescriptor().getName(), d);
        }
        return new ArrayList<>(byName.values());
    }

    private static List<BindableService> placeholders(KvService kv, MemberStatus member) {
        return List.of(
                new KvGrpcService(kv),
                new WatchGrpc.WatchImplBase() { },
                new LeaseGrpc.LeaseImplBase() { },
                new ClusterGrpc.ClusterImplBase() { },
                new MaintenanceGrpcService(member),
                new AuthGrpc.AuthImplBase() { },
                new LockGrpc.LockImplBase() { },
                new ElectionGrpc.ElectionImplBase() { });
    }
}
