package io.etcdjava.raft;

import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.pb.HardState;

/** What a {@link Storage} restores a node from: its last persisted HardState and ConfState. */
public record InitialState(HardState hardState, ConfState confState) {}
