package io.etcdjava.server.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MemberIdsTest {
    @Test
    void theDefaultMemberHasEtcdsWellKnownIds() {
        long member = MemberIds.memberId(List.of("http://localhost:2380"), "etcd-cluster", null);
        assertThat(MemberIds.hex(member)).isEqualTo("8e9e05c52164694d");
        assertThat(MemberIds.hex(MemberIds.clusterId(List.of(member)))).isEqualTo("cdf818194e3a8c32");
    }

    @Test
    void peerUrlOrderDoesNotChangeTheMemberId() {
        long a = MemberIds.memberId(List.of("http://a:2380", "http://b:2380"), "t", null);
        long b = MemberIds.memberId(List.of("http://b:2380", "http://a:2380"), "t", null);
        assertThat(a).isEqualTo(b);
    }

    @Test
    void clusterIdSortsMemberIdsUnsigned() {
        long high = 0x8000000000000001L;
        long low = 1L;
        assertThat(MemberIds.clusterId(List.of(high, low))).isEqualTo(MemberIds.clusterId(List.of(low, high)));
    }

    @Test
    void theTokenAndTimeChangeTheMemberId() {
        long base = MemberIds.memberId(List.of("http://x:2380"), "etcd-cluster", null);
        assertThat(MemberIds.memberId(List.of("http://x:2380"), "other", null)).isNotEqualTo(base);
        assertThat(MemberIds.memberId(List.of("http://x:2380"), "etcd-cluster", 1700000000L)).isNotEqualTo(base);
    }
}
