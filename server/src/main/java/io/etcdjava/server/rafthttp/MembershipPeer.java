package io.etcdjava.server.rafthttp;

import io.etcdjava.server.membership.Member;
import io.etcdjava.server.membership.MemberRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What the membership calls on the peer port need of the local member. */
public interface MembershipPeer {
    long clusterId();

    long memberId();

    /** The --initial-cluster-token this member was started with. */
    String clusterToken();

    MemberRegistry.View members();

    /** The leader says this member was removed from the cluster. */
    void removedByLeader();

    /** Promotes a learner (this member leads); fails with the error a client would get. */
    CompletableFuture<List<Member>> promote(long id);
}
