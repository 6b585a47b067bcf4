package io.etcdjava.raft;

/** A local-only message type (e.g. MsgHup) was handed to RawNode.step as if it came from a peer. */
public final class StepLocalMessageException extends RaftException {
  private static final long serialVersionUID = 1L;
  public static final String MESSAGE = "raft: cannot step raft local message";

  public StepLocalMessageException() {
    super(MESSAGE);
  }
}
