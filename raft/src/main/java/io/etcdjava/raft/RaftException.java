package io.etcdjava.raft;

/** Base of every error the raft library reports; unchecked, like a Go error value that callers may match on. */
public class RaftException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RaftException(String message) {
    super(message);
  }

  public RaftException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * For errors used as control flow (the Go code returns sentinel values there): filling in a stack
   * trace on every throw would dominate the cost of the lookup that failed.
   */
  protected RaftException(String message, boolean withStackTrace) {
    super(message, null, false, withStackTrace);
  }
}
