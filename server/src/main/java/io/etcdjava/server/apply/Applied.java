package io.etcdjava.server.apply;

/**
 * A KV response without its header, and the revision the header must report. The caller adds
 * cluster_id, member_id and raft_term.
 */
public record Applied<T>(T response, long revision) {
}
