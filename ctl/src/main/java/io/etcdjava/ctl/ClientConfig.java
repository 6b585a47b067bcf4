package io.etcdjava.ctl;

import java.util.List;

/** What the global flags say about reaching the cluster. */
record ClientConfig(List<String> endpoints, long dialTimeoutNanos, long commandTimeoutNanos, long keepAliveTimeNanos,
    long keepAliveTimeoutNanos, boolean insecureTransport, boolean insecureSkipVerify, String cacert, String cert,
    String key, String user, String password) {}
