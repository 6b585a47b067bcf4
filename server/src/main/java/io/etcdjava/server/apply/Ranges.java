package io.etcdjava.server.apply;

import com.google.protobuf.ByteString;

/** Range-end conventions of the wire API, in one place. */
final class Ranges {
    private static final byte[] FROM_KEY = new byte[0];

    private Ranges() {
    }

    /**
     * The store's form of a wire range end: absent/empty → null (the single key), {@code "\0"} →
     * empty (every key from the start key on), otherwise the bytes.
     */
    static byte[] end(ByteString rangeEnd) {
        if (rangeEnd.isEmpty()) {
            return null;
        }
        if (rangeEnd.size() == 1 && rangeEnd.byteAt(0) == 0) {
            return FROM_KEY;
        }
        return rangeEnd.toByteArray();
    }

    static int compare(ByteString a, ByteString b) {
        return ByteString.unsignedLexicographicalComparator().compare(a, b);
    }
}
