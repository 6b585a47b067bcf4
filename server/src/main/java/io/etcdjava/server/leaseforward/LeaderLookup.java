package io.etcdjava.server.leaseforward;

import java.util.List;

/**
 * Where the leader is: its member ID as raft sees it, and the peer URLs of a member. Today the
 * URLs come from the initial cluster; dynamic membership plugs in here.
 */
public interface LeaderLookup {
    /** The current leader's member ID, 0 when this member knows none. */
    long leader();

    /** The member's peer URLs; empty when it is not (or no longer) a member. */
    List<String> peerUrls(long memberId);
}
