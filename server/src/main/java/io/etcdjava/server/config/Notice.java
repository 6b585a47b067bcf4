package io.etcdjava.server.config;

import java.util.List;

/**
 * Something the parser wants logged once logging is up (env vars used, deprecated flags...).
 * Parsing runs before the logger exists, so it collects these instead of logging.
 *
 * @param level zap level name: "info", "warn", "error" or "fatal"
 * @param fields alternating key, value pairs
 */
public record Notice(String level, String message, List<Object> fields) {
    public Notice {
        fields = List.copyOf(fields);
    }

    static Notice info(String message, Object... kv) {
        return new Notice("info", message, List.of(kv));
    }

    static Notice warn(String message, Object... kv) {
        return new Notice("warn", message, List.of(kv));
    }
}
