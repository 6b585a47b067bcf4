package io.etcdjava.server.mvcc;

import java.util.Arrays;

/**
 * Point lookups of the index: key → {@link KeyIndex} in an open-addressing hash table, beside the
 * ordered tree that serves ranges. A put looks its key up twice; in a tree of 100,000 keys each
 * lookup walks ~17 nodes and compares ~17 byte arrays, most of them cache misses, which made the
 * tree walk a third of the apply thread's time. Here a lookup compares cached hashes first and
 * touches one key. About 12 bytes per key at the 0.5 load factor, against ~40 for a HashMap entry.
 *
 * <p>Not thread-safe: {@link TreeIndex} guards it with its lock.
 */
final class KeyTable {
    private static final int MIN_CAPACITY = 16;

    private KeyIndex[] slots = new KeyIndex[MIN_CAPACITY];
    private int[] hashes = new int[MIN_CAPACITY];
    private int size;

    static int hash(byte[] key) {
        int h = Arrays.hashCode(key);
        return h ^ (h >>> 16);
    }

    int size() {
        return size;
    }

    KeyIndex get(byte[] key) {
        int h = hash(key);
        int mask = slots.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            KeyIndex ki = slots[i];
            if (ki == null) {
                return null;
            }
            if (hashes[i] == h && Arrays.equals(ki.key, key)) {
                return ki;
            }
        }
    }

    /** Adds {@code ki}, whose key must not be in the table yet. */
    void add(KeyIndex ki) {
        if (2 * (size + 1) > slots.length) {
            resize(slots.length * 2);
        }
        insert(ki, hash(ki.key));
        size++;
    }

    /** Removes exactly {@code ki} (by identity); false if it is not there. */
    boolean remove(KeyIndex ki) {
        int h = hash(ki.key);
        int mask = slots.length - 1;
        int i = h & mask;
        while (slots[i] != ki) {
            if (slots[i] == null) {
                return false;
            }
            i = (i + 1) & mask;
        }
        // backward-shift deletion: pull later members of the probe run into the hole so no
        // lookup stops early at it (no tombstones to clean up later)
        int hole = i;
        for (int j = (hole + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            int home = hashes[j] & mask;
            boolean homeInsideGap = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!homeInsideGap) {
                slots[hole] = slots[j];
                hashes[hole] = hashes[j];
                hole = j;
            }
        }
        slots[hole] = null;
        hashes[hole] = 0;
        size--;
        if (slots.length > MIN_CAPACITY && 8 * size < slots.length) {
            resize(slots.length / 2);
        }
        return true;
    }

    void clear() {
        slots = new KeyIndex[MIN_CAPACITY];
        hashes = new int[MIN_CAPACITY];
        size = 0;
    }

    private void insert(KeyIndex ki, int h) {
        int mask = slots.length - 1;
        int i = h & mask;
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        slots[i] = ki;
        hashes[i] = h;
    }

    private void resize(int capacity) {
        KeyIndex[] oldSlots = slots;
        int[] oldHashes = hashes;
        slots = new KeyIndex[capacity];
        hashes = new int[capacity];
        for (int i = 0; i < oldSlots.length; i++) {
            if (oldSlots[i] != null) {
                insert(oldSlots[i], oldHashes[i]);
            }
        }
    }
}
