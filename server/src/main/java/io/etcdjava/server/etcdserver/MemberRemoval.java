package io.etcdjava.server.etcdserver;

import io.etcdjava.server.log.Log;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removals from the cluster as this member learns of them. Its own ends it (about a second after,
 * as etcd waits); another member's, while this one leads, goes to a listener that tells the
 * removed member it is out.
 */
final class MemberRemoval {
    // EtcdServer's logger: the lines' "caller" stays what operators grep for.
    private static final Logger log = LoggerFactory.getLogger(EtcdServer.class);

    private final long memberId;
    /** The leader raft currently knows, 0 if none. */
    private final LongSupplier leader;
    private final CompletableFuture<Void> removed = new CompletableFuture<>();
    /** Set by whichever first learns of this member's removal: its own apply, the leader's notice, a peer. */
    private final AtomicBoolean removalSeen = new AtomicBoolean();
    private volatile LongConsumer peerRemovedListener = id -> { };

    MemberRemoval(long memberId, LongSupplier leader) {
        this.memberId = memberId;
        this.leader = leader;
    }

    /** Completes once this member was removed, a second after it learnt so. */
    CompletableFuture<Void> removed() {
        return removed;
    }

    boolean isRemoved() {
        return removed.isDone();
    }

    void onPeerRemoved(LongConsumer listener) {
        this.peerRemovedListener = listener;
    }

    /** Member {@code id} was removed: applied here (apply thread) or, for this member, told by a peer. */
    void memberRemoved(long id) {
        if (id != memberId) {
            if (leader.getAsLong() == memberId) {
                peerRemovedListener.accept(id);
            }
            return;
        }
        if (!removalSeen.compareAndSet(false, true)) {
            return;
        }
        Log.warn(log, "server error", "error", "the member has been permanently removed from the cluster");
        Log.warn(log, "data-dir used by this member must be removed");
        CompletableFuture.runAsync(() -> removed.complete(null),
                CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS));
    }
}
