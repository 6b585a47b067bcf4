package io.etcdjava.server.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.hotspot.BufferPoolsExports;
import io.prometheus.client.hotspot.ClassLoadingExports;
import io.prometheus.client.hotspot.GarbageCollectorExports;
import io.prometheus.client.hotspot.MemoryPoolsExports;
import io.prometheus.client.hotspot.StandardExports;
import io.prometheus.client.hotspot.ThreadExports;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * The member's metric registry: every package registers its collectors (with etcd's metric names)
 * into {@link #registry()}, and the client port's {@code /metrics} serves {@link #scrape()}.
 * One instance per member, so in-process clusters in tests keep their metrics apart.
 *
 * <p>Use simpleclient's {@code Gauge}, {@code Histogram}, ... with {@code .register(registry())}.
 * simpleclient always exposes a counter as {@code NAME_total}; for etcd's counters whose names do
 * not end in {@code _total} (e.g. {@code etcd_server_health_success}) use {@link ExactCounter}.
 */
public final class Metrics {
    private final CollectorRegistry registry = new CollectorRegistry(true);
    private final ExactCounter healthSuccess;
    private final ExactCounter healthFailures;

    private Metrics(boolean jvm) {
        if (jvm) {
            // process_* (resident memory, cpu, fds, start time) and jvm_*, as client_golang's process and go collectors.
            new StandardExports().register(registry);
            new MemoryPoolsExports().register(registry);
            new BufferPoolsExports().register(registry);
            new GarbageCollectorExports().register(registry);
            new ThreadExports().register(registry);
            new ClassLoadingExports().register(registry);
        }
        healthSuccess = ExactCounter.build("etcd_server_health_success",
                "The total number of successful health checks").register(registry);
        healthFailures = ExactCounter.build("etcd_server_health_failures",
                "The total number of failed health checks").register(registry);
    }

    /** A registry with the standard process and JVM metrics. */
    public static Metrics create() {
        return new Metrics(true);
    }

    /** A registry without JVM/process collectors (tests that compare exact output). */
    public static Metrics createWithoutJvm() {
        return new Metrics(false);
    }

    public CollectorRegistry registry() {
        return registry;
    }

    public <C extends Collector> C register(C collector) {
        registry.register(collector);
        return collector;
    }

    /** etcd_server_health_success, counted by /health. */
    public ExactCounter healthSuccess() {
        return healthSuccess;
    }

    /** etcd_server_health_failures, counted by /health. */
    public ExactCounter healthFailures() {
        return healthFailures;
    }

    /** The registry in Prometheus text format 0.0.4, formatted as etcd's Go client does. */
    public String scrape() {
        StringWriter out = new StringWriter(16 * 1024);
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public void writeTo(Writer out) throws IOException {
        PrometheusText.write(out, registry.metricFamilySamples());
    }

    /** Content type of {@link #scrape()}. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
}
