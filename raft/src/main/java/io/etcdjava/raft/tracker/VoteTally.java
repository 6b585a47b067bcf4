package io.etcdjava.raft.tracker;

import io.etcdjava.raft.quorum.VoteResult;

/** Counts of granted and rejected votes among current voters, plus the resulting election outcome. */
public record VoteTally(int granted, int rejected, VoteResult result) {}
