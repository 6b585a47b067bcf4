package io.etcdjava.server.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Points logback at etcd-style JSON lines, in code: no XML lookup, no scanning. Call
 * {@link #configure} once the configuration is known; until then the defaults installed by
 * {@link EtcdLogbackConfigurator} apply (info and above, to stderr).
 */
public final class EtcdLogging {
    private EtcdLogging() {
    }

    /**
     * Sends logs at {@code level} and above to each output, etcd's {@code --log-outputs} values:
     * "default" or "stderr", "stdout", "systemd/journal" (written to stderr here), or a file path
     * to append to.
     *
     * @throws IllegalArgumentException for a level etcd does not know
     */
    public static void configure(String level, List<String> outputs) {
        int threshold = ZapLevel.rank(level);
        LoggerContext ctx = context();
        if (ctx == null) {
            return;
        }
        List<OutputStreamAppender<ILoggingEvent>> appenders = new ArrayList<>();
        for (String out : outputs.isEmpty() ? List.of("default") : outputs) {
            appenders.add(switch (out) {
                case "default", "stderr", "systemd/journal" -> console(ctx, "System.err");
                case "stdout" -> console(ctx, "System.out");
                default -> file(ctx, out);
            });
        }
        install(ctx, threshold, appenders);
    }

    /** Sends logs to one stream (tests; embedding). */
    public static void configure(String level, OutputStream out) {
        int threshold = ZapLevel.rank(level);
        LoggerContext ctx = context();
        if (ctx == null) {
            return;
        }
        OutputStreamAppender<ILoggingEvent> a = new OutputStreamAppender<>();
        a.setContext(ctx);
        a.setName("etcd-stream");
        a.setOutputStream(out);
        install(ctx, threshold, List.of(a));
    }

    /** The start-up default: info and above to stderr. */
    static void configureDefault(LoggerContext ctx) {
        install(ctx, ZapLevel.INFO, List.of(console(ctx, "System.err")));
    }

    private static LoggerContext context() {
        ILoggerFactory f = LoggerFactory.getILoggerFactory();
        return f instanceof LoggerContext ctx ? ctx : null;
    }

    private static OutputStreamAppender<ILoggingEvent> console(LoggerContext ctx, String target) {
        ConsoleAppender<ILoggingEvent> a = new ConsoleAppender<>();
        a.setContext(ctx);
        a.setName("etcd-" + target);
        a.setTarget(target);
        return a;
    }

    private static OutputStreamAppender<ILoggingEvent> file(LoggerContext ctx, String path) {
        FileAppender<ILoggingEvent> a = new FileAppender<>();
        a.setContext(ctx);
        a.setName("etcd-file-" + path);
        a.setFile(path);
        a.setAppend(true);
        a.setPrudent(false);
        return a;
    }

    private static synchronized void install(LoggerContext ctx, int threshold,
                                             List<OutputStreamAppender<ILoggingEvent>> appenders) {
        ctx.reset();
        ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        // the logger level makes disabled calls cheap; the filter handles zap's levels above error
        root.setLevel(switch (threshold) {
            case ZapLevel.DEBUG -> Level.DEBUG;
            case ZapLevel.INFO -> Level.INFO;
            case ZapLevel.WARN -> Level.WARN;
            default -> Level.ERROR;
        });
        for (OutputStreamAppender<ILoggingEvent> a : appenders) {
            ZapJsonEncoder enc = new ZapJsonEncoder();
            enc.setContext(ctx);
            enc.start();
            a.setEncoder(enc);
            a.setImmediateFlush(true);
            if (threshold > ZapLevel.ERROR) {
                a.addFilter(new RankFilter(threshold));
            }
            a.start();
            root.addAppender(a);
        }
    }

    /** Drops events below a zap level above error (dpanic, panic, fatal). */
    private static final class RankFilter extends Filter<ILoggingEvent> {
        private final int threshold;

        RankFilter(int threshold) {
            this.threshold = threshold;
            start();
        }

        @Override
        public FilterReply decide(ILoggingEvent event) {
            return ZapLevel.rank(event) >= threshold ? FilterReply.NEUTRAL : FilterReply.DENY;
        }
    }
}
