package io.etcdjava.raft;

import com.google.protobuf.ByteString;

/** A member of the initial configuration given to {@link RawNode#bootstrap}. */
public record Peer(long id, ByteString context) {
    public static Peer of(long id) {
        return new Peer(id, ByteString.EMPTY);
    }
}
