package io.etcdjava.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ExceptionsTest {
  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of(new CompactedException(), "requested index is unavailable due to compaction"),
        Arguments.of(new UnavailableException(), "requested entry at index is unavailable"),
        Arguments.of(new SnapOutOfDateException(), "requested index is older than the existing snapshot"),
        Arguments.of(new SnapshotTemporarilyUnavailableException(), "snapshot is temporarily unavailable"),
        Arguments.of(new ProposalDroppedException(), "raft proposal dropped"),
        Arguments.of(new StepLocalMessageException(), "raft: cannot step raft local message"),
        Arguments.of(new StepPeerNotFoundException(), "raft: cannot step as peer not found"));
  }

  @ParameterizedTest
  @MethodSource("errors")
  void everyErrorIsAnUncheckedRaftExceptionWithEtcdsMessage(RaftException err, String message) {
    assertThat(err).isInstanceOf(RuntimeException.class).hasMessage(message);
  }

  @Test
  void controlFlowErrorsCarryNoStackTrace() {
    assertThat(new CompactedException().getStackTrace()).isEmpty();
    assertThat(CompactedException.INSTANCE.getStackTrace()).isEmpty();
    assertThat(UnavailableException.INSTANCE.getStackTrace()).isEmpty();
    assertThat(SnapshotTemporarilyUnavailableException.INSTANCE.getStackTrace()).isEmpty();
    assertThat(new ProposalDroppedException("x").getStackTrace()).isEmpty();
  }

  @Test
  void proposalDroppedAppendsTheDetail() {
    assertThat(new ProposalDroppedException("no leader")).hasMessage("raft proposal dropped: no leader");
    assertThat(new ProposalDroppedException("")).hasMessage("raft proposal dropped");
  }
}
