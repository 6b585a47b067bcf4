package io.etcdjava.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

/** Test shorthand for running the parser. */
final class Parse {
    private Parse() {
    }

    static ParseResult args(String... args) {
        return ConfigParser.parse(args, Map.of());
    }

    static ParseResult withEnv(Map<String, String> env, String... args) {
        return ConfigParser.parse(args, new LinkedHashMap<>(env));
    }

    static ServerConfig ok(String... args) {
        ParseResult r = args(args);
        assertThat(r).as("parse result").isInstanceOf(ParseResult.Run.class);
        return ((ParseResult.Run) r).config();
    }

    static ParseResult.Run run(ParseResult r) {
        assertThat(r).as("parse result").isInstanceOf(ParseResult.Run.class);
        return (ParseResult.Run) r;
    }

    static ConfigException invalid(String... args) {
        return invalid(args(args));
    }

    static ConfigException invalid(ParseResult r) {
        assertThat(r).as("parse result").isInstanceOf(ParseResult.Invalid.class);
        return ((ParseResult.Invalid) r).error();
    }

    static ParseResult.Print print(String... args) {
        ParseResult r = args(args);
        assertThat(r).as("parse result").isInstanceOf(ParseResult.Print.class);
        return (ParseResult.Print) r;
    }
}
