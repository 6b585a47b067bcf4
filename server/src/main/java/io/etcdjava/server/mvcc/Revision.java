package io.etcdjava.server.mvcc;

/**
 * A point in the store's history: {@code main} counts committed write transactions, {@code sub}
 * numbers the changes inside one of them. Stored as etcd's 17-byte key: 8-byte big-endian main,
 * {@code '_'}, 8-byte big-endian sub; a deletion (tombstone) appends {@code 't'}.
 */
public record Revision(long main, long sub) implements Comparable<Revision> {
    static final int BYTES = 17;
    static final int MARKED_BYTES = 18;
    static final byte TOMBSTONE_MARK = 't';

    @Override
    public int compareTo(Revision o) {
        int c = Long.compare(main, o.main);
        return c != 0 ? c : Long.compare(sub, o.sub);
    }

    boolean greaterThan(Revision o) {
        return compareTo(o) > 0;
    }

    /** The 17-byte key of this revision. */
    public byte[] toBytes() {
        byte[] b = new byte[BYTES];
        putLong(b, 0, main);
        b[8] = '_';
        putLong(b, 9, sub);
        return b;
    }

    /** The 18-byte key of a tombstone written at this revision. */
    public byte[] toTombstoneBytes() {
        byte[] b = new byte[MARKED_BYTES];
        putLong(b, 0, main);
        b[8] = '_';
        putLong(b, 9, sub);
        b[17] = TOMBSTONE_MARK;
        return b;
    }

    /** Decodes a 17- or 18-byte revision key (the mark, if any, is ignored). */
    public static Revision fromBytes(byte[] b) {
        if (b.length != BYTES && b.length != MARKED_BYTES) {
            throw new IllegalArgumentException("not a revision key: " + b.length + " bytes");
        }
        return new Revision(getLong(b, 0), getLong(b, 9));
    }

    /** Whether a revision key marks a deletion. */
    public static boolean isTombstone(byte[] b) {
        return b.length == MARKED_BYTES && b[17] == TOMBSTONE_MARK;
    }

    static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        putLong(b, 0, v);
        return b;
    }

    @Override
    public String toString() {
        return main + "." + sub;
    }
}
