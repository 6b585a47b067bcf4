package io.etcdjava.server.log;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Found by logback through {@code META-INF/services}; installs JSON to stderr at info so that
 * nothing logged before the configuration is parsed looks different, and stops logback from
 * looking for XML files.
 */
public final class EtcdLogbackConfigurator extends ContextAwareBase implements Configurator {
    public EtcdLogbackConfigurator() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        EtcdLogging.configureDefault(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
