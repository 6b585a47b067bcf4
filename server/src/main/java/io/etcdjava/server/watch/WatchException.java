package io.etcdjava.server.watch;

/** A watch request the store refused; the message is etcd's, sent to clients as {@code cancel_reason}. */
public final class WatchException extends RuntimeException {
    /** etcd's mvcc.ErrWatcherDuplicateID. */
    public static final String DUPLICATE_ID = "mvcc: duplicate watch ID provided on the WatchStream";
    /** etcd's mvcc.ErrEmptyWatcherRange. */
    public static final String EMPTY_RANGE = "mvcc: watcher range is empty";

    WatchException(String message) {
        super(message, null, false, false);
    }
}
