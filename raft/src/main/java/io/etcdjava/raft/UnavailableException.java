package io.etcdjava.raft;

/**
 * The requested entry is beyond what the storage holds. Thrown on hot paths, so it carries no stack
 * trace; {@link #INSTANCE} may be thrown as-is.
 */
public final class UnavailableException extends RaftException {
  private static final long serialVersionUID = 1L;
  public static final String MESSAGE = "requested entry at index is unavailable";
  public static final UnavailableException INSTANCE = new UnavailableException();

  public UnavailableException() {
    super(MESSAGE, false);
  }
}
