package io.etcdjava.raft;

/**
 * A response message came from a node that is not in the progress tracker (e.g. just removed). Can
 * recur for every late message from such a peer, so no stack trace is recorded.
 */
public final class StepPeerNotFoundException extends RaftException {
  private static final long serialVersionUID = 1L;
  public static final String MESSAGE = "raft: cannot step as peer not found";

  public StepPeerNotFoundException() {
    super(MESSAGE, false);
  }
}
