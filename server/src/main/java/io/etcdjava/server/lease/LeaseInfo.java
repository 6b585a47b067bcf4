package io.etcdjava.server.lease;

import com.google.protobuf.ByteString;
import java.util.List;

/**
 * A snapshot of one lease as applied: granted TTL, the remaining TTL last checkpointed through raft
 * (0 = none since the last grant or renewal) and the attached keys in byte order.
 */
public record LeaseInfo(long id, long ttl, long remainingTtl, List<ByteString> keys) {
    public LeaseInfo {
        keys = List.copyOf(keys);
    }

    /** The TTL a new expiry clock starts from: the checkpointed remainder if any, else the full TTL. */
    public long startTtl() {
        return remainingTtl > 0 ? remainingTtl : ttl;
    }
}
