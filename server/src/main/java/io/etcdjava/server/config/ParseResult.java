package io.etcdjava.server.config;

import java.util.List;

/** What {@link ConfigParser#parse} decided: run, print something and exit, or refuse. */
public sealed interface ParseResult {

    /** Start a member with this configuration, after logging the notices. */
    record Run(ServerConfig config, List<Notice> notices) implements ParseResult {
        public Run {
            notices = List.copyOf(notices);
        }
    }

    /**
     * Print and exit without logging: {@code --version}, {@code --help}, and flag syntax errors
     * (which Go's flag package reports on stderr, followed by the usage, exit 2).
     */
    record Print(int exitCode, String stdout, String stderr) implements ParseResult {
    }

    /**
     * The configuration is refused. Log the notices, then the error as its kind says
     * (see {@link ConfigException.Kind}), and exit.
     */
    record Invalid(ConfigException error, List<Notice> notices) implements ParseResult {
        public Invalid {
            notices = List.copyOf(notices);
        }
    }
}
