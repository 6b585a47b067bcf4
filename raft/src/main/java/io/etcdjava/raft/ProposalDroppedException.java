package io.etcdjava.raft;

/**
 * A proposal was ignored (no leader, leadership transfer, uncommitted-size limit...). The proposer is
 * expected to retry, and dropping can be frequent under overload, so no stack trace is recorded.
 */
public final class ProposalDroppedException extends RaftException {
  private static final long serialVersionUID = 1L;
  public static final String MESSAGE = "raft proposal dropped";
  public static final ProposalDroppedException INSTANCE = new ProposalDroppedException();

  public ProposalDroppedException() {
    super(MESSAGE, false);
  }

  /** @param detail why it was dropped; the message becomes {@code "raft proposal dropped: " + detail}. */
  public ProposalDroppedException(String detail) {
    super(detail == null || detail.isEmpty() ? MESSAGE : MESSAGE + ": " + detail, false);
  }
}
