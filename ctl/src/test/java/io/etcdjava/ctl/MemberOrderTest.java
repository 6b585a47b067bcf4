package io.etcdjava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The golden tests' member-order normaliser: only the order of members may differ, nothing else. */
@Timeout(10)
class MemberOrderTest {
  @Test
  void initialClusterEntriesInEitherOrderAreTheSame() {
    String a = "Member HEXID added to cluster HEXID\n\nETCD_NAME=\"n\"\n"
        + "ETCD_INITIAL_CLUSTER=\"default=http://127.0.0.1:1,n=http://127.0.0.1:2\"\nETCD_INITIAL_CLUSTER_STATE=\"existing\"\n";
    String b = a.replace("default=http://127.0.0.1:1,n=http://127.0.0.1:2", "n=http://127.0.0.1:2,default=http://127.0.0.1:1");
    assertThat(b).isNotEqualTo(a);
    assertThat(MemberOrder.sorted(b)).isEqualTo(MemberOrder.sorted(a));
    assertThat(MemberOrder.sorted(a.replace("ETCD_NAME=\"n\"", "ETCD_NAME=\"m\"")))
        .isNotEqualTo(MemberOrder.sorted(a));
  }

  @Test
  void jsonMembersInEitherOrderAreTheSameButTheirContentsCount() {
    String x = "{\"ID\":N,\"name\":\"default\",\"peerURLs\":[\"http://a:1\",\"http://b:1\"]}";
    String y = "{\"ID\":N,\"peerURLs\":[\"http://c:2\"],\"isLearner\":true}";
    String head = "{\"header\":{\"cluster_id\":N},\"member\":" + y + ",\"members\":[";
    String a = head + x + "," + y + "]}\n";
    String b = head + y + "," + x + "]}\n";
    assertThat(MemberOrder.sorted(b)).isEqualTo(MemberOrder.sorted(a));
    assertThat(MemberOrder.sorted(a.replace("isLearner\":true}]", "isLearner\":false}]")))
        .isNotEqualTo(MemberOrder.sorted(a));
    assertThat(MemberOrder.sorted(a)).startsWith(head);
  }

  @Test
  void tableRowsAndSimpleLinesInEitherOrderAreTheSame() {
    String sep = "+----+-----+\n";
    String table = sep + "| ID | NAME |\n" + sep + "| HEXID | b |\n| HEXID | a |\n" + sep;
    assertThat(MemberOrder.sorted(table)).isEqualTo(sep + "| ID | NAME |\n" + sep + "| HEXID | a |\n| HEXID | b |\n" + sep);
    String simple = "HEXID, started, b, http://b, http://b, false\n8e9e, unstarted, , http://a, , true\n";
    assertThat(MemberOrder.sorted(simple))
        .isEqualTo("8e9e, unstarted, , http://a, , true\nHEXID, started, b, http://b, http://b, false\n");
  }

  @Test
  void repeatedProtobufGroupsInEitherOrderAreTheSame() {
    String header = "1: {\n  1: N\n}\n";
    String m1 = "2: {\n  1: N\n  2: \"a\"\n}\n";
    String m2 = "2: {\n  1: N\n  3: \"http://x\"\n}\n";
    assertThat(MemberOrder.sorted(header + m2 + m1)).isEqualTo(MemberOrder.sorted(header + m1 + m2));
    assertThat(MemberOrder.sorted(header + m2 + m1)).startsWith(header);
    assertThat(MemberOrder.sorted(header + m1)).isNotEqualTo(MemberOrder.sorted(header + m2));
  }
}
