package io.etcdjava.raft.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InflightsTest {

    private static Inflights filled(int capacity, long from, long toInclusive) {
        Inflights in = new Inflights(capacity);
        for (long i = from; i <= toInclusive; i++) {
            in.add(i);
        }
        return in;
    }

    @Test
    void addCountsUntilFull() {
        Inflights in = new Inflights(10);
        for (int i = 0; i < 10; i++) {
            assertThat(in.full()).isFalse();
            in.add(i);
            assertThat(in.count()).isEqualTo(i + 1);
        }
        assertThat(in.full()).isTrue();
    }

    @Test
    void addingToAFullWindowThrows() {
        Inflights in = filled(3, 1, 3);
        assertThatIllegalStateException().isThrownBy(() -> in.add(4));
        assertThat(in.count()).isEqualTo(3);
    }

    @Test
    void zeroCapacityIsAlwaysFull() {
        Inflights in = new Inflights(0);
        assertThat(in.full()).isTrue();
        assertThatIllegalStateException().isThrownBy(() -> in.add(1));
    }

    @Test
    void negativeCapacityIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Inflights(-1));
    }

    @Test
    void freeLEFreesEverythingUpToAndIncludingTheIndex() {
        Inflights in = filled(10, 0, 9);
        in.freeLE(4);
        assertThat(in.count()).isEqualTo(5);
        in.freeLE(8);
        assertThat(in.count()).isEqualTo(1);
        in.freeLE(9);
        assertThat(in.count()).isZero();
    }

    @Test
    void freeLEBelowTheOldestIsANoOp() {
        Inflights in = filled(10, 5, 9);
        in.freeLE(4);
        assertThat(in.count()).isEqualTo(5);
    }

    @Test
    void freeLEOnEmptyIsANoOp() {
        Inflights in = new Inflights(4);
        in.freeLE(100);
        assertThat(in.count()).isZero();
    }

    @Test
    void windowWrapsAroundTheRingAndStillFreesInOrder() {
        Inflights in = filled(10, 0, 9);
        in.freeLE(4); // five free slots at the front of the ring
        for (long i = 10; i < 15; i++) {
            in.add(i); // these wrap to the start of the buffer
        }
        assertThat(in.full()).isTrue();
        in.freeLE(8);
        assertThat(in.count()).isEqualTo(6); // 9..14 left, spanning the wrap point
        in.freeLE(12);
        assertThat(in.count()).isEqualTo(2);
        in.freeLE(14);
        assertThat(in.count()).isZero();
        // After emptying, the full capacity is usable again.
        for (long i = 15; i < 25; i++) {
            in.add(i);
        }
        assertThat(in.full()).isTrue();
    }

    @Test
    void freeFirstOneFreesOnlyTheOldest() {
        Inflights in = filled(10, 0, 9);
        in.freeFirstOne();
        assertThat(in.count()).isEqualTo(9);
        in.freeLE(8);
        in.freeFirstOne();
        assertThat(in.count()).isZero();
        in.freeFirstOne(); // no-op when empty
        assertThat(in.count()).isZero();
    }

    @Test
    void resetEmptiesTheWindow() {
        Inflights in = filled(3, 1, 3);
        in.reset();
        assertThat(in.count()).isZero();
        assertThat(in.full()).isFalse();
        in.add(7);
        in.freeLE(7);
        assertThat(in.count()).isZero();
    }

    @Test
    void copyIsIndependentOfTheOriginal() {
        Inflights in = filled(4, 1, 3);
        Inflights cp = in.copy();
        in.freeLE(3);
        cp.add(4);
        assertThat(in.count()).isZero();
        assertThat(cp.count()).isEqualTo(4);
        assertThat(cp.full()).isTrue();
        cp.freeLE(2);
        assertThat(cp.count()).isEqualTo(2);
    }

    @Test
    void behavesLikeABoundedQueueUnderRandomOperations() {
        Random rnd = new Random(7);
        for (int round = 0; round < 200; round++) {
            int cap = 1 + rnd.nextInt(8);
            Inflights in = new Inflights(cap);
            ArrayDeque<Long> model = new ArrayDeque<>();
            long next = 1;
            for (int op = 0; op < 200; op++) {
                int k = rnd.nextInt(4);
                if (k <= 1 && model.size() < cap) {
                    next += rnd.nextInt(3);
                    in.add(next);
                    model.addLast(next);
                } else if (k == 2) {
                    long to = next - rnd.nextInt(4);
                    in.freeLE(to);
                    while (!model.isEmpty() && model.peekFirst() <= to) {
                        model.removeFirst();
                    }
                } else {
                    in.freeFirstOne();
                    // Freeing "the first one" frees every entry with that same index.
                    if (!model.isEmpty()) {
                        long first = model.peekFirst();
                        while (!model.isEmpty() && model.peekFirst() <= first) {
                            model.removeFirst();
                        }
                    }
                }
                assertThat(in.count()).isEqualTo(model.size());
                assertThat(in.full()).isEqualTo(model.size() == cap);
            }
        }
    }
}
