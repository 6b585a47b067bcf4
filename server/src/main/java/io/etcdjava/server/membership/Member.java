package io.etcdjava.server.membership;

import io.etcdjava.api.internal.Attributes;
import io.etcdjava.api.internal.RaftAttributes;
import java.util.List;

/**
 * One member of the cluster as raft apply recorded it. {@code name} and {@code clientUrls} stay
 * empty until the member started and published them (etcdctl shows it as "unstarted").
 */
public record Member(long id, String name, List<String> peerUrls, List<String> clientUrls, boolean isLearner) {
    public Member {
        name = name == null ? "" : name;
        peerUrls = List.copyOf(peerUrls);
        clientUrls = List.copyOf(clientUrls);
    }

    /** A member added by a conf change: known by its peer URLs only. */
    public static Member unstarted(long id, List<String> peerUrls, boolean isLearner) {
        return new Member(id, "", peerUrls, List.of(), isLearner);
    }

    /** Whether it published its name yet (etcd counts such members as started). */
    public boolean isStarted() {
        return !name.isEmpty();
    }

    public Member withAttributes(String newName, List<String> newClientUrls) {
        return new Member(id, newName, peerUrls, newClientUrls, isLearner);
    }

    public Member withPeerUrls(List<String> urls) {
        return new Member(id, name, urls, clientUrls, isLearner);
    }

    public Member promoted() {
        return new Member(id, name, peerUrls, clientUrls, false);
    }

    /** The server-internal record (raft conf-change context, backend value, peer RPC). */
    public io.etcdjava.api.internal.Member toInternal() {
        return io.etcdjava.api.internal.Member.newBuilder().setID(id)
                .setRaftAttributes(RaftAttributes.newBuilder().addAllPeerUrls(peerUrls).setIsLearner(isLearner))
                .setMemberAttributes(Attributes.newBuilder().setName(name).addAllClientUrls(clientUrls))
                .build();
    }

    public static Member fromInternal(io.etcdjava.api.internal.Member m) {
        return new Member(m.getID(), m.getMemberAttributes().getName(), m.getRaftAttributes().getPeerUrlsList(),
                m.getMemberAttributes().getClientUrlsList(), m.getRaftAttributes().getIsLearner());
    }

    /** As clients see it (etcdserverpb.Member). */
    public io.etcdjava.api.etcdserverpb.Member toApi() {
        return io.etcdjava.api.etcdserverpb.Member.newBuilder().setID(id).setName(name).addAllPeerURLs(peerUrls)
                .addAllClientURLs(clientUrls).setIsLearner(isLearner).build();
    }
}
