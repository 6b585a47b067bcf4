package io.etcdjava.bench.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {
    /** 1 ms ... 10 ms, one each, in 2 s: what etcd's report prints for them. */
    @Test
    void formatsAKnownLatencySetLikeEtcd() {
        double[] lats = {0.010, 0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009};
        Report r = new Report(0, false);
        String text = r.format(Report.Stats.of(lats, 2.0, Map.of()));
        String bar = "\u220e".repeat(40);
        assertThat(text).isEqualTo("""

                Summary:
                  Total:\t2.0000 secs.
                  Slowest:\t0.0100 secs.
                  Fastest:\t0.0010 secs.
                  Average:\t0.0055 secs.
                  Stddev:\t0.0029 secs.
                  Requests/sec:\t5.0000

                Response time histogram:
                  0.0010 [1]\t|BAR
                  0.0019 [0]\t|
                  0.0028 [1]\t|BAR
                  0.0037 [1]\t|BAR
                  0.0046 [1]\t|BAR
                  0.0055 [1]\t|BAR
                  0.0064 [1]\t|BAR
                  0.0073 [1]\t|BAR
                  0.0082 [1]\t|BAR
                  0.0091 [1]\t|BAR
                  0.0100 [1]\t|BAR

                Latency distribution:
                  10% in 0.0020 secs.
                  25% in 0.0040 secs.
                  50% in 0.0060 secs.
                  75% in 0.0090 secs.
                  90% in 0.0100 secs.
                """.replace("BAR", bar));
    }

    @Test
    void precisePrintsGoShortestFloats() {
        double[] lats = {0.5, 0.25};
        String text = new Report(0, true).format(Report.Stats.of(lats, 1.0, Map.of()));
        assertThat(text).contains("  Total:\t1 secs.\n", "  Slowest:\t0.5 secs.\n", "  Fastest:\t0.25 secs.\n",
                "  Average:\t0.375 secs.\n", "  Requests/sec:\t2\n", "  10% in 0.5 secs.\n");
        // etcd walks i*100/n: with 2 results only 10% is reached (at i = 1)
        assertThat(text).doesNotContain("25% in");
        assertThat(GoFormat.shortest(0.0000523)).isEqualTo("5.23e-05");
        assertThat(GoFormat.shortest(0.000523)).isEqualTo("0.000523");
        assertThat(GoFormat.shortest(1234567.0)).isEqualTo("1.234567e+06");
        assertThat(GoFormat.shortest(123456.0)).isEqualTo("123456");
        assertThat(GoFormat.shortest(99.9)).isEqualTo("99.9");
    }

    @Test
    void errorsAreCountedApart() {
        Report r = new Report(10, false);
        r.record(0, 1_000_000, null);
        r.record(0, 1_000_000, "rpc error: code = Unavailable desc = x");
        r.record(0, 1_000_000, "rpc error: code = Unavailable desc = x");
        Report.Stats s = r.stats(1_000_000_000L);
        assertThat(s.lats()).containsExactly(0.001);
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("rpc error: code = Unavailable desc = x", 2L);
        assertThat(s.errors()).isEqualTo(expected);
        assertThat(r.format(s)).endsWith("\nError distribution:\n  [2]\trpc error: code = Unavailable desc = x\n");
        assertThat(LoadRunner.goCode(io.grpc.Status.Code.DEADLINE_EXCEEDED)).isEqualTo("DeadlineExceeded");
        assertThat(LoadRunner.goCode(io.grpc.Status.Code.CANCELLED)).isEqualTo("Canceled");
    }
}
