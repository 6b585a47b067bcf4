package io.etcdjava.raft;

/** Volatile state worth reporting (leader and role); never persisted. */
public record SoftState(long lead, StateType raftState) {
}
