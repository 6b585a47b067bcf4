package io.etcdjava.server.apply;

import java.util.concurrent.CompletableFuture;

import io.etcdjava.api.etcdserverpb.CompactionResponse;

/**
 * An applied compaction: the response (without header), the revision to report, and a future
 * completing once the compacted revisions are physically gone from the store (wait on it when the
 * request asked for {@code physical}).
 */
public record CompactApplied(CompactionResponse response, long revision, CompletableFuture<Void> physical) {
}
