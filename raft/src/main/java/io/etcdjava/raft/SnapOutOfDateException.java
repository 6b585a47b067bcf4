package io.etcdjava.raft;

/** A snapshot was applied or created at an index not newer than the one already held. */
public final class SnapOutOfDateException extends RaftException {
  private static final long serialVersionUID = 1L;
  public static final String MESSAGE = "requested index is older than the existing snapshot";

  public SnapOutOfDateException() {
    super(MESSAGE);
  }
}
