package io.etcdjava.server.etcdserver;

import io.etcdjava.raft.RaftLogger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Slf4j sink for the raft core's lines (etcd logs them as "raft" messages). */
final class Slf4jRaftLogger implements RaftLogger {
    private static final Logger raftLog = LoggerFactory.getLogger("raft");

    @Override
    public void info(String msg) {
        raftLog.info(msg);
    }

    @Override
    public void warn(String msg) {
        raftLog.warn(msg);
    }

    @Override
    public void debug(Supplier<String> msg) {
        if (raftLog.isDebugEnabled()) {
            raftLog.debug(msg.get());
        }
    }
}
