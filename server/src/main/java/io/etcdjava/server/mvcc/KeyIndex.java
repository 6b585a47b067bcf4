package io.etcdjava.server.mvcc;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The revisions of one key, grouped in generations: a generation runs from a creation to the
 * deletion (tombstone) that ends it; the last generation is the live one (empty once the key is
 * deleted). Example for put@1, put@2, delete@3, put@4, delete@5:
 * {@code [{1,2,3t}, {4,5t}, {}]}.
 *
 * <p>Compacting at {@code r} drops, in the generation alive at {@code r}, every revision below the
 * newest one {@code <= r} (that one still answers reads at {@code r}), drops whole older generations,
 * and drops the generation too when what remains of it is only its tombstone.
 *
 * <p>Not thread-safe: {@link TreeIndex} guards every instance with its lock.
 */
final class KeyIndex {
    static final Revision ZERO = new Revision(0, 0);

    /** What a read at some revision learns about a key. */
    record Entry(Revision modified, Revision created, long version) {
    }

    static final class Generation {
        long ver;
        Revision created = ZERO;
        final ArrayList<Revision> revs = new ArrayList<>(2);

        boolean isEmpty() {
            return revs.isEmpty();
        }

        Revision last() {
            return revs.get(revs.size() - 1);
        }

        /**
         * Walks revisions newest first while {@code keepGoing} holds; returns the position where it
         * stopped, or -1 if it walked them all.
         */
        int walk(java.util.function.Predicate<Revision> keepGoing) {
            for (int i = revs.size() - 1; i >= 0; i--) {
                if (!keepGoing.test(revs.get(i))) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public String toString() {
            return "g{created=" + created + " ver=" + ver + " revs=" + revs + "}";
        }
    }

    final byte[] key;
    Revision modified = ZERO;
    final ArrayList<Generation> generations = new ArrayList<>(1);

    KeyIndex(byte[] key) {
        this.key = key;
    }

    /** Records a put; returns true when it (re)creates the key. */
    boolean put(long main, long sub) {
        Revision rev = new Revision(main, sub);
        if (!rev.greaterThan(modified)) {
            throw new IllegalStateException("put with smaller revision " + rev + " than " + modified);
        }
        if (generations.isEmpty()) {
            generations.add(new Generation());
        }
        Generation g = generations.get(generations.size() - 1);
        boolean created = g.isEmpty();
        if (created) {
            g.created = rev;
        }
        g.revs.add(rev);
        g.ver++;
        modified = rev;
        return created;
    }

    /** Rebuilds a key whose history before {@code modified} was compacted away. */
    void restore(Revision created, Revision modified, long ver) {
        if (!generations.isEmpty()) {
            throw new IllegalStateException("restore on non-empty key index");
        }
        this.modified = modified;
        Generation g = new Generation();
        g.created = created;
        g.ver = ver;
        g.revs.add(modified);
        generations.add(g);
    }

    /**
     * Records a deletion and opens a new empty generation. Returns false (and changes nothing) if
     * the key is not alive.
     */
    boolean tombstone(long main, long sub) {
        if (isEmpty()) {
            throw new IllegalStateException("tombstone on empty key index");
        }
        if (generations.get(generations.size() - 1).isEmpty()) {
            return false;
        }
        put(main, sub);
        generations.add(new Generation());
        return true;
    }

    /** The key's state as of {@code atRev}, or null if it did not exist then. */
    Entry get(long atRev) {
        Generation g = findGeneration(atRev);
        if (g == null || g.isEmpty()) {
            return null;
        }
        int n = g.walk(rev -> rev.main() > atRev);
        if (n == -1) {
            return null;
        }
        return new Entry(g.revs.get(n), g.created, g.ver - (g.revs.size() - n - 1));
    }

    /**
     * Revisions at or after {@code rev} (main), keeping only the highest sub revision of each main
     * revision. Used by watchers catching up.
     */
    List<Revision> since(long rev) {
        Revision since = new Revision(rev, 0);
        int gi;
        for (gi = generations.size() - 1; gi > 0; gi--) {
            Generation g = generations.get(gi);
            if (g.isEmpty()) {
                continue;
            }
            if (since.greaterThan(g.created)) {
                break;
            }
        }
        List<Revision> out = new ArrayList<>();
        long last = 0;
        for (; gi < generations.size(); gi++) {
            for (Revision r : generations.get(gi).revs) {
                if (since.greaterThan(r)) {
                    continue;
                }
                if (r.main() == last) {
                    out.set(out.size() - 1, r);
                    continue;
                }
                out.add(r);
                last = r.main();
            }
        }
        return out;
    }

    /**
     * Drops what a compaction at {@code atRev} makes unreachable; adds the revisions that must stay
     * in the store to {@code available}.
     */
    void compact(long atRev, Set<Revision> available) {
        if (isEmpty()) {
            throw new IllegalStateException("compact on empty key index");
        }
        int[] pos = doCompact(atRev, available);
        int genIdx = pos[0];
        int revIndex = pos[1];
        Generation g = generations.get(genIdx);
        if (!g.isEmpty()) {
            if (revIndex != -1) {
                g.revs.subList(0, revIndex).clear();
            }
            // Only a tombstone left in a closed generation: nothing to read there any more.
            if (g.revs.size() == 1 && genIdx != generations.size() - 1) {
                available.remove(g.revs.get(0));
                genIdx++;
            }
        }
        generations.subList(0, genIdx).clear();
    }

    /** Adds to {@code available} the revisions a compaction at {@code atRev} would keep. */
    void keep(long atRev, Set<Revision> available) {
        if (isEmpty()) {
            return;
        }
        int[] pos = doCompact(atRev, available);
        Generation g = generations.get(pos[0]);
        if (!g.isEmpty() && pos[1] == g.revs.size() - 1 && pos[0] != generations.size() - 1) {
            available.remove(g.revs.get(pos[1]));
        }
    }

    private int[] doCompact(long atRev, Set<Revision> available) {
        int genIdx = 0;
        Generation g = generations.get(0);
        // Skip generations that ended (tombstone) at or before atRev.
        while (genIdx < generations.size() - 1) {
            if (g.last().main() > atRev) {
                break;
            }
            genIdx++;
            g = generations.get(genIdx);
        }
        int revIndex = g.walk(rev -> {
            if (rev.main() <= atRev) {
                available.add(rev);
                return false;
            }
            return true;
        });
        return new int[] {genIdx, revIndex};
    }

    boolean isEmpty() {
        return generations.size() == 1 && generations.get(0).isEmpty();
    }

    /** The generation alive at {@code rev}, or null if the key did not exist then. */
    private Generation findGeneration(long rev) {
        int lastg = generations.size() - 1;
        for (int cg = lastg; cg >= 0; cg--) {
            Generation g = generations.get(cg);
            if (g.isEmpty()) {
                continue;
            }
            if (cg != lastg && g.last().main() <= rev) {
                return null;
            }
            if (g.revs.get(0).main() <= rev) {
                return g;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return new String(key, java.nio.charset.StandardCharsets.UTF_8) + generations;
    }
}
