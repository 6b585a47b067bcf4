package io.etcdjava.server.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** etcd's Promote rule: no second holds more than three quarters of the revoke rate. */
@Timeout(10)
class ExpirySpreaderTest {
    private static final long SEC = 1_000_000_000L;

    @Test
    void fewerLeasesThanTheRevokeRateAreLeftAlone() {
        ExpirySpreader.Due[] dues = same(999, 5 * SEC);
        ExpirySpreader.spread(dues, 0, 1000);
        assertThat(dues).allSatisfy(d -> assertThat(d.deadline).isEqualTo(5 * SEC));
    }

    @Test
    void tenThousandLeasesDueAtOnceAreSpreadAtThreeQuartersOfTheRate() {
        ExpirySpreader.Due[] dues = same(10_000, 5 * SEC);
        ExpirySpreader.spread(dues, 0, 1000);
        Map<Long, Integer> perSecond = new HashMap<>();
        for (ExpirySpreader.Due d : dues) {
            assertThat(d.deadline).isGreaterThanOrEqualTo(5 * SEC);
            perSecond.merge((d.deadline - 5 * SEC) / SEC, 1, Integer::sum);
        }
        assertThat(perSecond.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(751));
        long last = Arrays.stream(dues).mapToLong(d -> d.deadline).max().orElseThrow();
        // 10,000 at 750/s: about 13.3 s after the first.
        assertThat(last - 5 * SEC).isBetween(12 * SEC, 14 * SEC);
    }

    @Test
    void leasesInQuietSecondsKeepTheirDeadlines() {
        ExpirySpreader.Due[] dues = new ExpirySpreader.Due[1000];
        for (int i = 0; i < dues.length; i++) {
            dues[i] = new ExpirySpreader.Due(i, (10 + i) * SEC);
        }
        ExpirySpreader.spread(dues, 0, 1000);
        for (int i = 0; i < dues.length; i++) {
            assertThat(dues[i].deadline).isEqualTo((10 + i) * SEC);
        }
    }

    private static ExpirySpreader.Due[] same(int n, long deadline) {
        ExpirySpreader.Due[] dues = new ExpirySpreader.Due[n];
        for (int i = 0; i < n; i++) {
            dues[i] = new ExpirySpreader.Due(i, deadline);
        }
        return dues;
    }
}
