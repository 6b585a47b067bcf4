package io.etcdjava.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.server.it.EtcdProcess.Kind;
import io.etcdjava.server.it.EtcdProcess.Outcome;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/etcd} starts the member's JVM with its own defaults, and a flag in
 * {@code ETCD_JAVA_OPTS} still wins. {@code -version} makes java print and exit before the jar runs.
 */
class LauncherJvmOptionsIT {
    private static final Pattern SCALING = Pattern.compile("CompileThresholdScaling\\s+=\\s+(\\S+)");

    private static String scaling(String javaOpts) throws Exception {
        Outcome out = EtcdProcess.runToExit(Kind.OURS, Map.of("ETCD_JAVA_OPTS", javaOpts));
        assertThat(out.exitCode()).as("%s", out).isZero();
        Matcher m = SCALING.matcher(out.stdout());
        assertThat(m.find()).as("flag not printed: %s", out).isTrue();
        return m.group(1);
    }

    @Test
    void theMemberCompilesItsRequestPathEarly() throws Exception {
        assertThat(scaling("-XX:+PrintFlagsFinal -version")).isEqualTo("0.250000");
    }

    @Test
    void etcdJavaOptsOverrideTheDefaults() throws Exception {
        assertThat(scaling("-XX:CompileThresholdScaling=1.0 -XX:+PrintFlagsFinal -version")).isEqualTo("1.000000");
    }
}
