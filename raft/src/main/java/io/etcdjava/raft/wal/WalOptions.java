package io.etcdjava.raft.wal;

import java.util.Objects;
import java.util.function.LongConsumer;

/** Tunables for {@link Wal}; {@link #defaults()} suits production. */
public final class WalOptions {
    /** etcd's segment size order of magnitude: big enough that rollovers are rare. */
    public static final long DEFAULT_SEGMENT_SIZE = 64L * 1024 * 1024;
    /** Room for a segment's header, metadata and hard state, with slack. */
    public static final long MIN_SEGMENT_SIZE = 4 * 1024;

    private static final WalOptions DEFAULTS = builder().build();

    private final long segmentSize;
    private final LongConsumer fsyncNanosObserver;
    private final boolean preallocateInBackground;

    private WalOptions(Builder b) {
        this.segmentSize = b.segmentSize;
        this.fsyncNanosObserver = b.fsyncNanosObserver;
        this.preallocateInBackground = b.preallocateInBackground;
    }

    public static WalOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Size segments are preallocated to; a segment is rolled over once it grows past it. */
    public long segmentSize() {
        return segmentSize;
    }

    /** Called with the duration of every fsync the WAL waits for, in nanoseconds. */
    public LongConsumer fsyncNanosObserver() {
        return fsyncNanosObserver;
    }

    /** Whether the next segment is zero-filled on a background thread ahead of rollover. */
    public boolean preallocateInBackground() {
        return preallocateInBackground;
    }

    public static final class Builder {
        private long segmentSize = DEFAULT_SEGMENT_SIZE;
        private LongConsumer fsyncNanosObserver = nanos -> { };
        private boolean preallocateInBackground = true;

        private Builder() {
        }

        public Builder segmentSize(long bytes) {
            if (bytes < MIN_SEGMENT_SIZE) {
                throw new IllegalArgumentException(
                        "segment size " + bytes + " is below the minimum " + MIN_SEGMENT_SIZE);
            }
            this.segmentSize = bytes;
            return this;
        }

        public Builder fsyncNanosObserver(LongConsumer observer) {
            this.fsyncNanosObserver = Objects.requireNonNull(observer, "observer");
            return this;
        }

        public Builder preallocateInBackground(boolean enabled) {
            this.preallocateInBackground = enabled;
            return this;
        }

        public WalOptions build() {
            return new WalOptions(this);
        }
    }
}
