package io.etcdjava.raft;

/**
 * The requested index predates the last snapshot. Thrown on hot paths (log lookups), so it carries no
 * stack trace; {@link #INSTANCE} may be thrown as-is.
 */
public final class CompactedException extends RaftException {
  private static final long serialVersionUID = 1L;
  public static final String MESSAGE = "requested index is unavailable due to compaction";
  public static final CompactedException INSTANCE = new CompactedException();

  public CompactedException() {
    super(MESSAGE, false);
  }
}
