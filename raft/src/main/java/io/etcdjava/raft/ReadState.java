package io.etcdjava.raft;

import com.google.protobuf.ByteString;

/**
 * Answer to a read-index request: once the application has applied up to {@code index}, a read
 * identified by {@code requestCtx} may be served locally and is linearizable.
 */
public record ReadState(long index, ByteString requestCtx) {
}
