package io.etcdjava.server.etcdserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestIdsTest {
    @Test
    void idsCarryTheMemberPrefixAndAreUnique() {
        RequestIds ids = new RequestIds(0x8e9e05c52164694dL, 1_700_000_000_000L);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            long id = ids.next();
            assertThat(id >>> 48).isEqualTo(0x694dL);
            assertThat(seen.add(id)).isTrue();
        }
    }

    @Test
    void theCounterCarriesIntoTheTimeBitsInsteadOfWrapping() {
        RequestIds ids = new RequestIds(1, 0);
        long first = ids.next();
        for (int i = 0; i < 300; i++) {
            ids.next();
        }
        assertThat(ids.next() - first).isEqualTo(301);
    }
}
