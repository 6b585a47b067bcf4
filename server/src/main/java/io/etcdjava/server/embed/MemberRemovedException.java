package io.etcdjava.server.embed;

/**
 * {@link EmbeddedEtcd#start} ended because the member had been removed from the cluster (its
 * peers refused it) before it could serve; the member is stopped and its data dir must go.
 */
public final class MemberRemovedException extends IllegalStateException {
    public MemberRemovedException() {
        super("the member has been permanently removed from the cluster");
    }
}
