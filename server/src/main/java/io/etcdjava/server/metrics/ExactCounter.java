package io.etcdjava.server.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * A counter exposed under exactly its given name, as Go's client does: no {@code _total} suffix
 * is added or removed (etcd has counters both with and without it).
 */
public final class ExactCounter extends Collector {
    private final String name;
    private final String help;
    private final List<String> labelNames;
    private final Map<List<String>, Child> children = new ConcurrentHashMap<>();
    private final Child unlabelled;

    private ExactCounter(String name, String help, List<String> labelNames) {
        this.name = name;
        this.help = help;
        this.labelNames = labelNames;
        this.unlabelled = labelNames.isEmpty() ? labels() : null;
    }

    public static Builder build(String name, String help) {
        return new Builder(name, help);
    }

    /** The child for these label values (created at zero on first use). */
    public Child labels(String... values) {
        if (values.length != labelNames.size()) {
            throw new IllegalArgumentException("expected " + labelNames.size() + " label values for " + name);
        }
        return children.computeIfAbsent(List.of(values), k -> new Child());
    }

    public void inc() {
        inc(1);
    }

    public void inc(double amount) {
        if (unlabelled == null) {
            throw new IllegalStateException(name + " has labels");
        }
        unlabelled.inc(amount);
    }

    public double get() {
        return unlabelled == null ? 0 : unlabelled.get();
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples.Sample> samples = new ArrayList<>();
        children.forEach((values, child) ->
                samples.add(new MetricFamilySamples.Sample(name, labelNames, values, child.get())));
        return List.of(new Family(name, help, samples));
    }

    /**
     * simpleclient renames a COUNTER family's samples to NAME_total, so ours travel as UNKNOWN and
     * {@link PrometheusText} writes them as counters.
     */
    static final class Family extends MetricFamilySamples {
        Family(String name, String help, List<Sample> samples) {
            super(name, Type.UNKNOWN, help, samples);
        }
    }

    /** One labelled series. */
    public static final class Child {
        private final DoubleAdder value = new DoubleAdder();

        public void inc() {
            inc(1);
        }

        public void inc(double amount) {
            if (amount < 0) {
                throw new IllegalArgumentException("counters only go up");
            }
            value.add(amount);
        }

        public double get() {
            return value.sum();
        }
    }

    /** Builder; {@link #register(CollectorRegistry)} creates and registers. */
    public static final class Builder {
        private final String name;
        private final String help;
        private List<String> labelNames = List.of();

        private Builder(String name, String help) {
            if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
                throw new IllegalArgumentException("invalid metric name: " + name);
            }
            this.name = name;
            this.help = help;
        }

        public Builder labelNames(String... names) {
            this.labelNames = List.copyOf(Arrays.asList(names));
            return this;
        }

        public ExactCounter create() {
            return new ExactCounter(name, help, labelNames);
        }

        public ExactCounter register(CollectorRegistry registry) {
            ExactCounter c = create();
            registry.register(c);
            return c;
        }
    }
}
