package io.etcdjava.server.embed;

import io.etcdjava.server.MemberLauncher;
import io.etcdjava.server.config.ServerConfig;
import io.etcdjava.server.log.Log;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What {@code bin/etcd} runs: start the member, serve until SIGTERM/SIGINT, stop cleanly. */
public final class MemberRunner implements MemberLauncher {
    private static final Logger log = LoggerFactory.getLogger(MemberRunner.class);

    @Override
    public int run(ServerConfig config) throws Exception {
        EmbeddedEtcd member;
        try {
            member = EmbeddedEtcd.start(config);
        } catch (MemberRemovedException e) {
            // Restarted after its removal: the peers said so and it stopped; etcd then exits 0.
            return 0;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            if (member.terminated().isDone()) {
                stopped.countDown();
                return;
            }
            Log.info(log, "received signal; shutting down", "signal", "terminated");
            try {
                member.close();
            } catch (Exception e) {
                Log.error(log, "failed to stop the member cleanly", e);
            } finally {
                stopped.countDown();
            }
        }, "etcd-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // A member removed from the cluster closes itself; the process then ends (exit 0, as etcd).
        member.terminated().thenRun(stopped::countDown);
        stopped.await();
        return 0;
    }
}
