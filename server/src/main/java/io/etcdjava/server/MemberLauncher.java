package io.etcdjava.server;

import io.etcdjava.server.config.ServerConfig;

/**
 * Runs one member once {@link Main} has a valid configuration. Found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.etcdjava.server.MemberLauncher});
 * when none is registered, Main logs "member not implemented yet" and exits 1.
 *
 * <p>When {@link #run} is called, logging is configured from the config, the start-up lines are
 * logged ("starting an etcd server"), and {@code data-dir} and {@code data-dir/member} exist,
 * are directories and are writable (created 0700 if they were missing).
 */
@FunctionalInterface
public interface MemberLauncher {
    /**
     * Starts the member and blocks until it has stopped.
     *
     * @return the process exit code (0 after a clean stop)
     * @throws Exception when the member cannot start; Main logs it the way etcd reports a failed
     *     start ("failed to start etcd", then fatal) and exits 1
     */
    int run(ServerConfig config) throws Exception;
}
