package io.etcdjava.server.watch;

/** Event types a watcher does not want (etcd's WatchCreateRequest.FilterType). */
public enum Filter {
    NOPUT,
    NODELETE
}
