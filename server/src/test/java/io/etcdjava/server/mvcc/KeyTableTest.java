package io.etcdjava.server.mvcc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class KeyTableTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void findsWhatWasAddedByContentNotIdentity() {
        KeyTable t = new KeyTable();
        KeyIndex foo = new KeyIndex(b("foo"));
        t.add(foo);
        assertThat(t.get(b("foo"))).isSameAs(foo);
        assertThat(t.get(b("fo"))).isNull();
        assertThat(t.get(new byte[0])).isNull();
        assertThat(t.size()).isEqualTo(1);
    }

    @Test
    void removeIsByIdentityAndReportsAbsence() {
        KeyTable t = new KeyTable();
        KeyIndex foo = new KeyIndex(b("foo"));
        t.add(foo);
        assertThat(t.remove(new KeyIndex(b("foo")))).isFalse();
        assertThat(t.get(b("foo"))).isSameAs(foo);
        assertThat(t.remove(foo)).isTrue();
        assertThat(t.get(b("foo"))).isNull();
        assertThat(t.remove(foo)).isFalse();
        assertThat(t.size()).isZero();
    }

    /** "Aa" and "BB" share a String-style hash, so long probe runs with wrap-around are exercised. */
    @Test
    void collidingKeysSurviveRemovalsInsideTheirProbeRun() {
        List<byte[]> keys = new ArrayList<>();
        for (String a : List.of("Aa", "BB")) {
            for (String c : List.of("Aa", "BB")) {
                for (String d : List.of("Aa", "BB")) {
                    keys.add(b(a + c + d));
                }
            }
        }
        assertThat(keys).extracting(KeyTable::hash).containsOnly(KeyTable.hash(keys.get(0)));
        KeyTable t = new KeyTable();
        List<KeyIndex> added = new ArrayList<>();
        for (byte[] k : keys) {
            KeyIndex ki = new KeyIndex(k);
            t.add(ki);
            added.add(ki);
        }
        for (int i = 0; i < added.size(); i += 2) {
            assertThat(t.remove(added.get(i))).isTrue();
        }
        for (int i = 0; i < added.size(); i++) {
            assertThat(t.get(keys.get(i))).isSameAs(i % 2 == 0 ? null : added.get(i));
        }
    }

    /** Random adds and removes, growing and shrinking, always agree with a HashMap. */
    @Test
    void agreesWithAHashMapUnderRandomChurn() {
        Random rnd = new Random(42);
        KeyTable t = new KeyTable();
        Map<String, KeyIndex> model = new HashMap<>();
        for (int step = 0; step < 200_000; step++) {
            String k = "k" + rnd.nextInt(step < 100_000 ? 20_000 : 500);
            KeyIndex have = model.get(k);
            if (have == null) {
                KeyIndex ki = new KeyIndex(b(k));
                t.add(ki);
                model.put(k, ki);
            } else if (rnd.nextBoolean()) {
                assertThat(t.remove(have)).isTrue();
                model.remove(k);
            }
            if (step % 997 == 0) {
                assertThat(t.size()).isEqualTo(model.size());
            }
        }
        for (int i = 0; i < 20_000; i++) {
            String k = "k" + i;
            assertThat(t.get(b(k))).as(k).isSameAs(model.get(k));
        }
        for (KeyIndex ki : new ArrayList<>(model.values())) {
            assertThat(t.remove(ki)).isTrue();
        }
        assertThat(t.size()).isZero();
    }
}
