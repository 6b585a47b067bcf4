package io.etcdjava.raft;

import static io.etcdjava.raft.LogTestUtil.e;
import static io.etcdjava.raft.LogTestUtil.ents;
import static io.etcdjava.raft.LogTestUtil.size;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcdjava.raft.pb.Entry;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class EntriesTest {
  private static final List<Entry> ENTS = ents(4, 4, 5, 5, 6, 6);

  static Stream<Arguments> limitCases() {
    long s0 = size(ENTS.get(0));
    long s1 = size(ENTS.get(1));
    long s2 = size(ENTS.get(2));
    return Stream.of(
        Arguments.of(Long.MAX_VALUE, ents(4, 4, 5, 5, 6, 6)),
        Arguments.of(0L, ents(4, 4)), // the first entry is always kept
        Arguments.of(s0 + s1, ents(4, 4, 5, 5)),
        Arguments.of(s0 + s1 + s2 / 2, ents(4, 4, 5, 5)),
        Arguments.of(s0 + s1 + s2 - 1, ents(4, 4, 5, 5)),
        Arguments.of(s0 + s1 + s2, ents(4, 4, 5, 5, 6, 6)));
  }

  @ParameterizedTest
  @MethodSource("limitCases")
  void limitSizeKeepsLongestPrefixWithinBudgetButAtLeastOneEntry(long maxSize, List<Entry> want) {
    assertThat(Entries.limitSize(ENTS, maxSize)).containsExactlyElementsOf(want);
  }

  @Test
  void limitSizeOfEmptyListIsEmpty() {
    assertThat(Entries.limitSize(List.of(), 0)).isEmpty();
  }

  @Test
  void payloadSizeCountsOnlyTheData() {
    Entry withData = e(100, 7).toBuilder().setData(ByteString.copyFromUtf8("abc")).build();
    assertThat(Entries.payloadSize(withData)).isEqualTo(3);
    assertThat(Entries.payloadSize(e(100, 7))).isZero();
    assertThat(Entries.payloadsSize(List.of(withData, e(101, 7), withData))).isEqualTo(6);
    assertThat(Entries.payloadsSize(List.of())).isZero();
  }
}
