package io.etcdjava.server.membership;

import java.util.List;

/**
 * A running cluster as a joining member learned it from a peer: the cluster's ID, the joining
 * member's own ID (assigned when it was added), and the current members.
 */
public record ClusterInfo(long clusterId, long localId, List<Member> members) {
    public ClusterInfo {
        members = List.copyOf(members);
    }
}
