package io.etcdjava.server.membership;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Member and cluster IDs derived exactly as etcd derives them, so a member started with the same
 * flags has the same IDs as under etcd (the default member is 8e9e05c52164694d in cluster
 * cdf818194e3a8c32).
 */
public final class MemberIds {
    private MemberIds() {
    }

    /** SHA-1 over the sorted peer URLs, the cluster token and (for added members) a time; first 8 bytes. */
    public static long memberId(Collection<String> peerUrls, String clusterToken, Long unixSeconds) {
        List<String> sorted = new ArrayList<>(peerUrls);
        sorted.sort(null);
        StringBuilder b = new StringBuilder();
        for (String u : sorted) {
            b.append(u);
        }
        b.append(clusterToken);
        if (unixSeconds != null) {
            b.append(unixSeconds);
        }
        return first8(sha1(b.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** SHA-1 over the members' IDs in ascending (unsigned) order, 8 bytes big-endian each. */
    public static long clusterId(Collection<Long> memberIds) {
        List<Long> sorted = new ArrayList<>(memberIds);
        sorted.sort(Long::compareUnsigned);
        ByteBuffer buf = ByteBuffer.allocate(8 * sorted.size());
        for (long id : sorted) {
            buf.putLong(id);
        }
        return first8(sha1(buf.array()));
    }

    /** etcd prints IDs as lower-case hex without padding. */
    public static String hex(long id) {
        return Long.toHexString(id);
    }

    private static byte[] sha1(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-1", e);
        }
    }

    private static long first8(byte[] hash) {
        return ByteBuffer.wrap(hash, 0, 8).getLong();
    }
}
