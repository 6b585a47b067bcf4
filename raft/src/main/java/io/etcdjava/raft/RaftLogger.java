package io.etcdjava.raft;

import java.util.function.Supplier;

/**
 * Where the core reports what it does. The core does no I/O itself; the server plugs in its
 * JSON logger so operators see etcd's election lines ("became leader at term N").
 */
public interface RaftLogger {
    RaftLogger NOOP = new RaftLogger() {
        @Override
        public void info(String msg) {
        }

        @Override
        public void warn(String msg) {
        }

        @Override
        public void debug(Supplier<String> msg) {
        }
    };

    void info(String msg);

    void warn(String msg);

    /** Lazily built, since debug lines sit on hot paths. */
    void debug(Supplier<String> msg);
}
