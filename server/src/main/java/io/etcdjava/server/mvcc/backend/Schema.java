package io.etcdjava.server.mvcc.backend;

import java.nio.charset.StandardCharsets;

/**
 * Every column family of the member's RocksDB database, and the well-known keys of the
 * {@link #META} family. One place to look when asking "where is X stored?".
 */
public enum Schema {
    /** MVCC revisions: 17-byte revision key (18 with the tombstone mark) → mvccpb.KeyValue. */
    KEY("key"),
    /** Consistent index, raft term, scheduled/finished compaction revisions. */
    META("meta"),
    /** Reserved for the lessor. */
    LEASE("lease"),
    /** Reserved for the auth store (users, roles, enabled flag, auth revision). */
    AUTH("auth"),
    /** Reserved for cluster membership. */
    MEMBERS("members"),
    /** Reserved for alarms (NOSPACE, CORRUPT). */
    ALARM("alarm");

    /** Raft index of the last entry whose effects are in the store; 8-byte big-endian. */
    public static final byte[] META_CONSISTENT_INDEX = ascii("consistent_index");
    /** Raft term of that entry; 8-byte big-endian. */
    public static final byte[] META_TERM = ascii("term");
    /** Revision bytes (17) of the compaction last requested. */
    public static final byte[] META_SCHEDULED_COMPACT = ascii("scheduledCompactRev");
    /** Revision bytes (17) of the compaction last physically finished. */
    public static final byte[] META_FINISHED_COMPACT = ascii("finishedCompactRev");

    private final String cfName;
    private final byte[] nameBytes;

    Schema(String cfName) {
        this.cfName = cfName;
        this.nameBytes = ascii(cfName);
    }

    /** The RocksDB column family name (etcd's bucket name). */
    public String cfName() {
        return cfName;
    }

    byte[] nameBytes() {
        return nameBytes.clone();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
