package io.etcdjava.raft;

/**
 * The storage is still preparing a snapshot; raft retries later. Expected control flow, so no stack
 * trace; {@link #INSTANCE} may be thrown as-is.
 */
public final class SnapshotTemporarilyUnavailableException extends RaftException {
  private static final long serialVersionUID = 1L;
  public static final String MESSAGE = "snapshot is temporarily unavailable";
  public static final SnapshotTemporarilyUnavailableException INSTANCE =
      new SnapshotTemporarilyUnavailableException();

  public SnapshotTemporarilyUnavailableException() {
    super(MESSAGE, false);
  }
}
