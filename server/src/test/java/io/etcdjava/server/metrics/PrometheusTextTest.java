package io.etcdjava.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    @Test
    void numbersAreFormattedAsGosShortestG() {
        assertThat(PrometheusText.formatGo(1)).isEqualTo("1");
        assertThat(PrometheusText.formatGo(0)).isEqualTo("0");
        assertThat(PrometheusText.formatGo(20480)).isEqualTo("20480");
        assertThat(PrometheusText.formatGo(123456)).isEqualTo("123456");
        assertThat(PrometheusText.formatGo(1e6)).isEqualTo("1e+06");
        assertThat(PrometheusText.formatGo(2.861056e7)).isEqualTo("2.861056e+07");
        assertThat(PrometheusText.formatGo(1.79525338455e9)).isEqualTo("1.79525338455e+09");
        assertThat(PrometheusText.formatGo(1.8446744073709552e19)).isEqualTo("1.8446744073709552e+19");
        assertThat(PrometheusText.formatGo(0.0005)).isEqualTo("0.0005");
        assertThat(PrometheusText.formatGo(0.00005)).isEqualTo("5e-05");
        assertThat(PrometheusText.formatGo(-2.5)).isEqualTo("-2.5");
        assertThat(PrometheusText.formatGo(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(PrometheusText.formatGo(Double.NaN)).isEqualTo("NaN");
    }

    @Test
    void anExactCounterKeepsItsNameAndTypeCounter() {
        Metrics m = Metrics.createWithoutJvm();
        m.healthSuccess().inc();

        assertThat(m.scrape()).contains("# HELP etcd_server_health_success The total number of successful health checks\n"
                + "# TYPE etcd_server_health_success counter\n"
                + "etcd_server_health_success 1\n");
    }

    @Test
    void aLabelledExactCounterWritesOneLinePerChild() {
        Metrics m = Metrics.createWithoutJvm();
        ExactCounter c = ExactCounter.build("etcd_x_seen", "x").labelNames("a").register(m.registry());
        c.labels("q\"1").inc(2);

        assertThat(m.scrape()).contains("etcd_x_seen{a=\"q\\\"1\"} 2\n");
    }

    @Test
    void simpleclientCountersAreWrittenWithTotalAndWithoutCreated() {
        Metrics m = Metrics.createWithoutJvm();
        Counter.build("etcd_mvcc_put_total", "Total number of puts seen by this member.")
                .register(m.registry()).inc();

        assertThat(m.scrape()).contains("# TYPE etcd_mvcc_put_total counter\netcd_mvcc_put_total 1\n")
                .doesNotContain("_created");
    }

    @Test
    void histogramsKeepBucketsSumAndCount() {
        Metrics m = Metrics.createWithoutJvm();
        Histogram.build("etcd_disk_wal_fsync_duration_seconds", "fsync").buckets(0.001, 0.002)
                .register(m.registry()).observe(0.0015);

        assertThat(m.scrape()).contains("# TYPE etcd_disk_wal_fsync_duration_seconds histogram\n")
                .contains("etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.001\"} 0\n")
                .contains("etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.002\"} 1\n")
                .contains("etcd_disk_wal_fsync_duration_seconds_bucket{le=\"+Inf\"} 1\n")
                .contains("etcd_disk_wal_fsync_duration_seconds_count 1\n");
    }

    @Test
    void gaugesWithATotalSuffixKeepTheirName() {
        Metrics m = Metrics.createWithoutJvm();
        Gauge.build("etcd_server_proposals_committed_total", "The total number of consensus proposals committed.")
                .register(m.registry()).set(7);

        assertThat(m.scrape()).contains("# TYPE etcd_server_proposals_committed_total gauge\n"
                + "etcd_server_proposals_committed_total 7\n");
    }

    @Test
    void theDefaultRegistryHasProcessAndJvmMetrics() {
        assertThat(Metrics.create().scrape()).contains("process_resident_memory_bytes ")
                .contains("process_start_time_seconds ").contains("jvm_threads_current ");
    }
}
