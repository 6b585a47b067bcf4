package io.etcdjava.server.embed;

import io.etcdjava.api.internal.ClusterInfoResponse;
import io.etcdjava.server.etcdserver.MemberSettings;
import io.etcdjava.server.log.Log;
import io.etcdjava.server.membership.ClusterInfo;
import io.etcdjava.server.membership.Member;
import io.etcdjava.server.membership.MemberIds;
import io.etcdjava.server.rafthttp.PeerMembershipClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joining a running cluster (--initial-cluster-state existing, no WAL yet): ask the other members
 * listed in --initial-cluster for the cluster, check that --initial-cluster describes exactly its
 * members (as etcd does), and take the cluster ID and this member's ID from the answer.
 */
final class ClusterJoin {
    private static final Logger log = LoggerFactory.getLogger(ClusterJoin.class);

    private ClusterJoin() {
    }

    static ClusterInfo discover(MemberSettings s) {
        List<String> remote = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : s.initialCluster().entrySet()) {
            if (!e.getKey().equals(s.name())) {
                remote.addAll(e.getValue());
            }
        }
        ClusterInfoResponse r;
        try {
            r = PeerMembershipClient.fetchCluster(remote, s.clusterToken());
        } catch (IllegalStateException e) {
            throw new IllegalStateException("cannot fetch cluster info from peer urls: " + e.getMessage(), e);
        }
        List<Member> members = new ArrayList<>();
        for (var m : r.getMembersList()) {
            members.add(Member.fromInternal(m));
        }
        return validate(s, r.getClusterId(), members, r.getRemovedIdsList());
    }

    /** etcd's ValidateClusterAndAssignIDs, plus: this member must be one of them and not removed. */
    static ClusterInfo validate(MemberSettings s, long clusterId, List<Member> existing, List<Long> removed) {
        String described = describe(clusterId, existing);
        if (existing.size() != s.initialCluster().size()) {
            throw new IllegalStateException("error validating peerURLs " + described + ": member count is unequal");
        }
        for (Member m : existing) {
            boolean match = s.initialCluster().values().stream().anyMatch(urls -> sameUrls(urls, m.peerUrls()));
            if (!match) {
                throw new IllegalStateException("error validating peerURLs " + described
                        + ": PeerURLs: no match found for existing member (" + MemberIds.hex(m.id()) + ", "
                        + m.peerUrls() + ")");
            }
        }
        Member self = existing.stream().filter(m -> sameUrls(m.peerUrls(), s.advertisePeerUrls())).findFirst()
                .orElseThrow(() -> new IllegalStateException("error validating peerURLs " + described
                        + ": no member has this member's peer URLs " + s.advertisePeerUrls()
                        + " (add it first with 'etcdctl member add')"));
        if (removed.contains(self.id())) {
            throw new IllegalStateException("the member has been permanently removed from the cluster");
        }
        Log.info(log, "joining existing cluster", "cluster-id", MemberIds.hex(clusterId),
                "local-member-id", MemberIds.hex(self.id()), "members", existing.size());
        return new ClusterInfo(clusterId, self.id(), existing);
    }

    private static boolean sameUrls(List<String> a, List<String> b) {
        return a.stream().sorted().toList().equals(b.stream().sorted().toList());
    }

    private static String describe(long clusterId, List<Member> members) {
        StringBuilder b = new StringBuilder("{ClusterID:").append(MemberIds.hex(clusterId)).append(" Members:[");
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            b.append(i == 0 ? "" : " ").append("&{ID:").append(MemberIds.hex(m.id())).append(" PeerURLs:")
                    .append(m.peerUrls()).append('}');
        }
        return b.append("]}").toString();
    }
}
