package io.etcdjava.server.mvcc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class KeyIndexTest {
    private static Revision r(long main, long sub) {
        return new Revision(main, sub);
    }

    /** put@2, put@4, del@6, put@8, put@10, del@12, put@14, put@14.1, put@16 (etcd's key_index_test shape). */
    private static KeyIndex sample() {
        KeyIndex ki = new KeyIndex("foo".getBytes());
        ki.put(2, 0);
        ki.put(4, 0);
        ki.tombstone(6, 0);
        ki.put(8, 0);
        ki.put(10, 0);
        ki.tombstone(12, 0);
        ki.put(14, 0);
        ki.put(14, 1);
        ki.put(16, 0);
        return ki;
    }

    @Test
    void aDeletionClosesTheGenerationAndOpensAnEmptyOne() {
        KeyIndex ki = new KeyIndex("foo".getBytes());
        ki.put(1, 0);
        ki.put(2, 0);
        ki.tombstone(3, 0);
        assertThat(ki.generations).hasSize(2);
        assertThat(ki.generations.get(0).revs).containsExactly(r(1, 0), r(2, 0), r(3, 0));
        assertThat(ki.generations.get(1).isEmpty()).isTrue();
        assertThat(ki.tombstone(4, 0)).as("deleting a deleted key").isFalse();
    }

    @Test
    void getAnswersAsOfARevision() {
        KeyIndex ki = sample();
        assertThat(ki.get(1)).isNull();
        assertThat(ki.get(2)).isEqualTo(new KeyIndex.Entry(r(2, 0), r(2, 0), 1));
        assertThat(ki.get(5)).isEqualTo(new KeyIndex.Entry(r(4, 0), r(2, 0), 2));
        assertThat(ki.get(6)).as("deleted at 6").isNull();
        assertThat(ki.get(7)).isNull();
        assertThat(ki.get(8)).isEqualTo(new KeyIndex.Entry(r(8, 0), r(8, 0), 1));
        assertThat(ki.get(11)).isEqualTo(new KeyIndex.Entry(r(10, 0), r(8, 0), 2));
        assertThat(ki.get(13)).isNull();
        assertThat(ki.get(14)).isEqualTo(new KeyIndex.Entry(r(14, 1), r(14, 0), 2));
        assertThat(ki.get(100)).isEqualTo(new KeyIndex.Entry(r(16, 0), r(14, 0), 3));
    }

    @Test
    void putBelowTheLastRevisionIsRefused() {
        KeyIndex ki = new KeyIndex("a".getBytes());
        ki.put(5, 0);
        assertThatThrownBy(() -> ki.put(5, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void compactionKeepsTheNewestRevisionAtOrBelowIt() {
        KeyIndex ki = sample();
        Set<Revision> avail = new HashSet<>();
        ki.compact(5, avail);
        assertThat(avail).containsExactly(r(4, 0));
        assertThat(ki.generations.get(0).revs).containsExactly(r(4, 0), r(6, 0));
        assertThat(ki.get(5)).isEqualTo(new KeyIndex.Entry(r(4, 0), r(2, 0), 2));
    }

    @Test
    void compactionAtTheTombstoneDropsTheGeneration() {
        KeyIndex ki = sample();
        Set<Revision> avail = new HashSet<>();
        ki.compact(6, avail);
        assertThat(avail).isEmpty();
        assertThat(ki.generations.get(0).revs).containsExactly(r(8, 0), r(10, 0), r(12, 0));
        assertThat(ki.generations).hasSize(2);
    }

    @Test
    void compactionInsideALaterGeneration() {
        KeyIndex ki = sample();
        Set<Revision> avail = new HashSet<>();
        ki.compact(15, avail);
        assertThat(avail).containsExactly(r(14, 1));
        assertThat(ki.generations).hasSize(1);
        assertThat(ki.generations.get(0).revs).containsExactly(r(14, 1), r(16, 0));
        assertThat(ki.get(15)).isEqualTo(new KeyIndex.Entry(r(14, 1), r(14, 0), 2));
        assertThat(ki.get(16)).isEqualTo(new KeyIndex.Entry(r(16, 0), r(14, 0), 3));
    }

    @Test
    void compactionPastTheLastTombstoneEmptiesTheKey() {
        KeyIndex ki = new KeyIndex("a".getBytes());
        ki.put(1, 0);
        ki.tombstone(2, 0);
        Set<Revision> avail = new HashSet<>();
        ki.compact(2, avail);
        assertThat(ki.isEmpty()).isTrue();
        assertThat(avail).isEmpty();
    }

    @Test
    void keepMatchesWhatCompactWouldKeep() {
        for (long at = 1; at <= 17; at++) {
            Set<Revision> kept = new HashSet<>();
            sample().keep(at, kept);
            Set<Revision> compacted = new HashSet<>();
            sample().compact(at, compacted);
            assertThat(kept).as("at %d", at).isEqualTo(compacted);
        }
    }

    @Test
    void sinceListsOneRevisionPerMainRevision() {
        KeyIndex ki = sample();
        assertThat(ki.since(13)).containsExactly(r(14, 1), r(16, 0));
        assertThat(ki.since(1)).isEqualTo(List.of(r(2, 0), r(4, 0), r(6, 0), r(8, 0), r(10, 0), r(12, 0),
                r(14, 1), r(16, 0)));
    }
}
