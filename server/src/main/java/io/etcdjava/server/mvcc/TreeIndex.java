package io.etcdjava.server.mvcc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The in-memory index: key (unsigned byte order) → {@link KeyIndex}. Many readers, one writer (the
 * apply thread); every access holds {@link #lock}.
 *
 * <p>Ranges follow etcd: {@code end == null} is the single key, an empty {@code end} is every key
 * {@code >= key}, otherwise {@code [key, end)}.
 */
final class TreeIndex {
    private static final int COMPACT_CHUNK = 1024;

    /** A live key at some revision with the revision that holds its value. */
    record KeyRev(byte[] key, Revision rev) {
    }

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final TreeMap<byte[], KeyIndex> tree = new TreeMap<>(Arrays::compareUnsigned);
    /** The same key indexes by hash, for point lookups (the tree only serves ranges). */
    private final KeyTable table = new KeyTable();
    /** Keys alive at the newest revision (etcd_debugging_mvcc_keys_total). */
    private volatile long liveKeys;

    long liveKeys() {
        return liveKeys;
    }

    int size() {
        lock.readLock().lock();
        try {
            return tree.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    KeyIndex.Entry get(byte[] key, long atRev) {
        lock.readLock().lock();
        try {
            KeyIndex ki = table.get(key);
            return ki == null ? null : ki.get(atRev);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Live keys in the range at {@code atRev}, in key order, with the revision of each value. */
    List<KeyRev> range(byte[] key, byte[] end, long atRev) {
        lock.readLock().lock();
        try {
            if (end == null) {
                KeyIndex ki = table.get(key);
                KeyIndex.Entry e = ki == null ? null : ki.get(atRev);
                return e == null ? List.of() : List.of(new KeyRev(ki.key, e.modified()));
            }
            List<KeyRev> out = new ArrayList<>();
            for (KeyIndex ki : view(key, end).values()) {
                KeyIndex.Entry e = ki.get(atRev);
                if (e != null) {
                    out.add(new KeyRev(ki.key, e.modified()));
                }
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** All revisions at or after {@code rev} of the keys in the range, in revision order. */
    List<Revision> rangeSince(byte[] key, byte[] end, long rev) {
        lock.readLock().lock();
        try {
            if (end == null) {
                KeyIndex ki = table.get(key);
                return ki == null ? List.of() : ki.since(rev);
            }
            List<Revision> out = new ArrayList<>();
            for (KeyIndex ki : view(key, end).values()) {
                out.addAll(ki.since(rev));
            }
            Collections.sort(out);
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    private NavigableMap<byte[], KeyIndex> view(byte[] key, byte[] end) {
        if (end.length == 0) {
            return tree.tailMap(key, true);
        }
        if (Arrays.compareUnsigned(key, end) >= 0) {
            return Collections.emptyNavigableMap();
        }
        return tree.subMap(key, true, end, false);
    }

    void put(byte[] key, Revision rev) {
        lock.writeLock().lock();
        try {
            KeyIndex ki = table.get(key);
            if (ki == null) {
                ki = new KeyIndex(key);
                tree.put(key, ki);
                table.add(ki);
            }
            if (ki.put(rev.main(), rev.sub())) {
                liveKeys++;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Marks {@code key} deleted at {@code rev}; false if it was not alive. */
    boolean tombstone(byte[] key, Revision rev) {
        lock.writeLock().lock();
        try {
            KeyIndex ki = table.get(key);
            if (ki == null || !ki.tombstone(rev.main(), rev.sub())) {
                return false;
            }
            liveKeys--;
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Replays one stored revision while rebuilding the index at open (revisions arrive in order).
     * A key first seen after compaction starts from the create revision and version in its value.
     */
    void restore(byte[] key, Revision rev, boolean tombstone, long createRevision, long version) {
        lock.writeLock().lock();
        try {
            KeyIndex ki = table.get(key);
            if (ki != null) {
                if (tombstone) {
                    if (!ki.isEmpty() && ki.tombstone(rev.main(), rev.sub())) {
                        liveKeys--;
                    }
                } else if (ki.put(rev.main(), rev.sub())) {
                    liveKeys++;
                }
            } else if (!tombstone) {
                ki = new KeyIndex(key);
                ki.restore(new Revision(createRevision, 0), rev, version);
                tree.put(key, ki);
                table.add(ki);
                liveKeys++;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Compacts every key at {@code rev}; returns the revisions that must stay in the store. Holds
     * the write lock a chunk of keys at a time so readers are not stalled for the whole walk
     * (reads at revisions {@code >= rev} see the same answers before and after).
     */
    Set<Revision> compact(long rev) {
        List<KeyIndex> all;
        lock.readLock().lock();
        try {
            all = new ArrayList<>(tree.values());
        } finally {
            lock.readLock().unlock();
        }
        Set<Revision> available = new HashSet<>();
        for (int i = 0; i < all.size(); i += COMPACT_CHUNK) {
            lock.writeLock().lock();
            try {
                for (KeyIndex ki : all.subList(i, Math.min(all.size(), i + COMPACT_CHUNK))) {
                    ki.compact(rev, available);
                    if (ki.isEmpty()) {
                        tree.remove(ki.key, ki);
                        table.remove(ki);
                    }
                }
            } finally {
                lock.writeLock().unlock();
            }
        }
        return available;
    }

    /** The revisions a compaction at {@code rev} would keep (for hashing). */
    Set<Revision> keep(long rev) {
        Set<Revision> available = new HashSet<>();
        lock.readLock().lock();
        try {
            for (KeyIndex ki : tree.values()) {
                ki.keep(rev, available);
            }
        } finally {
            lock.readLock().unlock();
        }
        return available;
    }

    /** Test hook: the key index of {@code key} as text, or null. */
    String describe(byte[] key) {
        lock.readLock().lock();
        try {
            KeyIndex ki = table.get(key);
            return ki == null ? null : ki.generations.toString();
        } finally {
            lock.readLock().unlock();
        }
    }

    void clear() {
        lock.writeLock().lock();
        try {
            tree.clear();
            table.clear();
            liveKeys = 0;
        } finally {
            lock.writeLock().unlock();
        }
    }
}
