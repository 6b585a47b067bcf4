package io.etcdjava.testing.check;

import java.util.ArrayList;
import java.util.List;

/** Builds small histories for checker tests; times are plain numbers, ids count up. */
final class H {
    private final List<Op> ops = new ArrayList<>();
    private long nextId = 1;

    H put(int c, String key, String value, long inv, long comp, long rev) {
        ops.add(Op.put(nextId++, c, key, value, inv, comp, rev));
        return this;
    }

    H putLost(int c, String key, String value, long inv) {
        ops.add(Op.put(nextId++, c, key, value, inv, 0, 0).indeterminate());
        return this;
    }

    H get(int c, String key, String read, long modRev, long inv, long comp, long rev) {
        ops.add(Op.get(nextId++, c, key, read, modRev, inv, comp, rev));
        return this;
    }

    H del(int c, String key, boolean deleted, long inv, long comp, long rev) {
        ops.add(Op.delete(nextId++, c, key, deleted, inv, comp, rev));
        return this;
    }

    H cas(int c, String key, String expect, String value, boolean ok, long inv, long comp, long rev) {
        ops.add(Op.casValue(nextId++, c, key, expect, value, ok, inv, comp, rev));
        return this;
    }

    H casRev(int c, String key, long expectModRev, String value, boolean ok, long inv, long comp, long rev) {
        ops.add(Op.casModRev(nextId++, c, key, expectModRev, value, ok, inv, comp, rev));
        return this;
    }

    H add(Op op) {
        ops.add(op);
        return this;
    }

    long nextId() {
        return nextId++;
    }

    List<Op> ops() {
        return List.copyOf(ops);
    }
}
