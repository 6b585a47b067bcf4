package io.etcdjava.server.config;

/**
 * A configuration etcd would refuse, carrying etcd's exact message and how etcd reports it
 * (which decides the log lines and the exit code).
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** How etcd surfaces the failure. */
    public enum Kind {
        /** Logged as "failed to verify flags"; exit 1. */
        INVALID_FLAGS,
        /** etcd panics ({@code panic: <message>} on stderr); exit 2. */
        PANIC,
        /** Found while starting the server: "failed to start etcd" then fatal; exit 1. */
        START_FAILED,
        /** Logged at fatal level (a shadowed environment variable); exit 1. */
        FATAL,
        /** Printed bare on stderr (YAML URL errors); exit 1. */
        BARE
    }

    private final Kind kind;

    public ConfigException(String message) {
        this(Kind.INVALID_FLAGS, message);
    }

    public ConfigException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
