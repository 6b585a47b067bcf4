package io.etcdjava.server.mvcc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RevisionTest {
    @Test
    void encodesAsEtcdsSeventeenByteKey() {
        byte[] b = new Revision(0x0102030405060708L, 0x1112131415161718L).toBytes();
        assertThat(b).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, '_', 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18);
        assertThat(Revision.fromBytes(b)).isEqualTo(new Revision(0x0102030405060708L, 0x1112131415161718L));
        assertThat(Revision.isTombstone(b)).isFalse();
    }

    @Test
    void tombstoneAppendsT() {
        byte[] b = new Revision(5, 2).toTombstoneBytes();
        assertThat(b).hasSize(18);
        assertThat(b[17]).isEqualTo((byte) 't');
        assertThat(Revision.isTombstone(b)).isTrue();
        assertThat(Revision.fromBytes(b)).isEqualTo(new Revision(5, 2));
    }

    @Test
    void byteOrderIsRevisionOrder() {
        Revision[] revs = {new Revision(1, 0), new Revision(1, 1), new Revision(2, 0), new Revision(255, 0),
            new Revision(256, 0), new Revision(1L << 40, 3)};
        for (int i = 1; i < revs.length; i++) {
            assertThat(revs[i]).isGreaterThan(revs[i - 1]);
            assertThat(Arrays.compareUnsigned(revs[i - 1].toBytes(), revs[i].toBytes())).isNegative();
        }
        // a tombstone sorts right after the plain key of the same revision, before the next sub
        assertThat(Arrays.compareUnsigned(new Revision(3, 0).toTombstoneBytes(), new Revision(3, 1).toBytes()))
                .isNegative();
    }
}
