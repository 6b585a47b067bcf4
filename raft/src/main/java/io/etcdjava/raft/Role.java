package io.etcdjava.raft;

import io.etcdjava.raft.pb.Message;

/**
 * Behaviour that differs by role. Legal transitions, written once: follower → pre-candidate or
 * candidate; pre-candidate → candidate or follower; candidate → leader or follower; leader →
 * follower. A node never goes from follower straight to leader, nor from leader to candidate.
 * Term checks and votes are common to all roles and live in {@link Raft#step}.
 */
sealed interface Role permits FollowerRole, CandidateRole, LeaderRole {
    /** Handles a message that already passed the term checks. */
    void step(Raft r, Message m);

    /** Advances the role's logical clock by one tick. */
    void tick(Raft r);
}
