package io.etcdjava.server.mvcc;

import java.util.List;

import io.etcdjava.api.mvccpb.Event;

/**
 * Told about every committed write transaction that changed keys, on the apply thread, after the
 * change is durable in the store's batch and visible to readers. Hook for the watch subsystem.
 */
@FunctionalInterface
public interface KvChangeListener {
    /**
     * @param revision the revision the transaction created
     * @param events its changes in sub-revision order: PUT with the new kv; DELETE with kv =
     *     {key, mod_revision = revision} and prev_kv = the value it deleted. A PUT carries no
     *     prev_kv: read the value at {@code mod_revision - 1} if needed. Must not throw or block.
     */
    void onCommit(long revision, List<Event> events);

    /**
     * The store's whole content was replaced (a snapshot from the leader); revisions up to
     * {@code currentRevision} are in it, history at or below {@code compactRevision} is gone.
     * Apply thread; must not block.
     */
    default void onRestore(long currentRevision, long compactRevision) {
    }
}
