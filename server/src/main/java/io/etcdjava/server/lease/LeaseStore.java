package io.etcdjava.server.lease;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdjava.api.etcdserverpb.LeaseCheckpoint;
import io.etcdjava.api.etcdserverpb.LeaseCheckpointRequest;
import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.LeaseGrantResponse;
import io.etcdjava.api.leasepb.Lease;
import io.etcdjava.api.mvccpb.Event;
import io.etcdjava.api.mvccpb.KeyValue;
import io.etcdjava.server.apply.Applied;
import io.etcdjava.server.apply.LeaseLookup;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.mvcc.MvccStore;
import io.etcdjava.server.mvcc.RangeOptions;
import io.etcdjava.server.mvcc.ReadTxn;
import io.etcdjava.server.mvcc.WriteTxn;
import io.etcdjava.server.mvcc.backend.Schema;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The applied state of every lease: granted TTL, checkpointed remaining TTL and attached keys.
 * Changed only by the apply thread (grant, revoke, checkpoint, key changes), deterministically and
 * without clocks; expiry times belong to the leader's {@link Lessor}. Each lease is one record in
 * {@link Schema#LEASE}, written in the same batch as the raft entry that changed it; attachments are
 * not stored but rebuilt at open from the keys' lease fields, as etcd does.
 *
 * <p>Lock: the store's monitor guards the maps; it is taken by the apply thread and by readers
 * (TimeToLive, Leases, the lessor) and never held while calling out, except into the MVCC write
 * of a revoke.
 */
public final class LeaseStore implements LeaseLookup {
    /** etcd's lease.MaxLeaseTTL, in seconds. */
    public static final long MAX_LEASE_TTL = 9_000_000_000L;

    /** Told about grants, revokes and checkpoints once applied (the lessor). Apply thread; must not block. */
    public interface Listener {
        void granted(long id);

        void revoked(long id);

        /** A checkpoint of {@code remaining} seconds (0: cleared by a renewal) applied to a known lease. */
        default void checkpointed(long id, long remaining) {
        }
    }

    private final MvccStore store;
    private final long minTtl;
    private final LeaseMetrics metrics;
    private final Map<Long, Entry> leases = new HashMap<>();
    /**
     * The lease each attached key names (etcd's lessor itemMap), so a put's event need not carry
     * the previous value just to tell which lease the key leaves.
     */
    private final Map<ByteString, Long> leaseOfKey = new HashMap<>();
    private volatile Listener listener = new Listener() {
        @Override
        public void granted(long id) {
        }

        @Override
        public void revoked(long id) {
        }
    };

    private static final class Entry {
        final long id;
        final long ttl;
        long remainingTtl;
        final TreeSet<ByteString> keys = new TreeSet<>(ByteString.unsignedLexicographicalComparator());

        Entry(long id, long ttl, long remainingTtl) {
            this.id = id;
            this.ttl = ttl;
            this.remainingTtl = remainingTtl;
        }

        LeaseInfo info() {
            return new LeaseInfo(id, ttl, remainingTtl, new ArrayList<>(keys));
        }

        byte[] record() {
            return Lease.newBuilder().setID(id).setTTL(ttl).setRemainingTTL(remainingTtl).build().toByteArray();
        }
    }

    private LeaseStore(MvccStore store, long minTtl, LeaseMetrics metrics) {
        this.store = store;
        this.minTtl = minTtl;
        this.metrics = metrics;
    }

    /**
     * Loads the leases persisted in {@code store} and reattaches every live key that names one.
     *
     * @param minTtlSeconds grants below it are raised to it (etcd: ceil(1.5 × election timeout))
     */
    public static LeaseStore open(MvccStore store, long minTtlSeconds, LeaseMetrics metrics) {
        LeaseStore s = new LeaseStore(store, minTtlSeconds, metrics);
        synchronized (s) {
            s.replaceAll(s.load());
        }
        return s;
    }

    /** Every persisted lease with the live keys that name it. */
    private Map<Long, Entry> load() {
        Map<Long, Entry> out = new HashMap<>();
        store.backend().forEach(Schema.LEASE, null, null, (k, v) -> {
            Lease l;
            try {
                l = Lease.parseFrom(v);
            } catch (InvalidProtocolBufferException e) {
                throw new UncheckedIOException("corrupt lease record", e);
            }
            // Records written below the current minimum are raised, as etcd's restore does.
            out.put(l.getID(), new Entry(l.getID(), Math.max(l.getTTL(), minTtl), l.getRemainingTTL()));
            return true;
        });
        try (ReadTxn r = store.read()) {
            for (KeyValue kv : r.range(new byte[] {0}, new byte[0], RangeOptions.ALL).kvs()) {
                Entry e = kv.getLease() == 0 ? null : out.get(kv.getLease());
                if (e != null) {
                    e.keys.add(kv.getKey());
                }
            }
        }
        return out;
    }

    /**
     * Reloads every lease after the store's content was replaced (a snapshot from the leader) and
     * tells the listener which leases appeared and which are gone. Apply thread.
     */
    public void reload() {
        Map<Long, Entry> fresh = load();
        List<Long> gone = new ArrayList<>();
        List<Long> added = new ArrayList<>();
        synchronized (this) {
            for (Long id : leases.keySet()) {
                if (!fresh.containsKey(id)) {
                    gone.add(id);
                }
            }
            for (Long id : fresh.keySet()) {
                if (!leases.containsKey(id)) {
                    added.add(id);
                }
            }
            replaceAll(fresh);
        }
        Listener l = listener;
        gone.forEach(l::revoked);
        added.forEach(l::granted);
    }

    public LeaseMetrics metrics() {
        return metrics;
    }

    /** Minimum TTL a grant is raised to, in seconds. */
    public long minTtl() {
        return minTtl;
    }

    public void setListener(Listener l) {
        this.listener = l;
    }

    // ------------------------------------------------------------------ apply thread

    /**
     * Applies a LeaseGrant: the request's ID must be set (the proposer chose one).
     *
     * @throws io.etcdjava.server.errors.EtcdException LEASE_NOT_FOUND for ID 0, LEASE_TTL_TOO_LARGE,
     *     LEASE_EXIST; the raft index is recorded as applied all the same
     */
    public Applied<LeaseGrantResponse> grant(LeaseGrantRequest r, long raftIndex, long raftTerm) {
        try (WriteTxn txn = store.write(raftIndex, raftTerm)) {
            if (r.getID() == 0) {
                throw EtcdError.LEASE_NOT_FOUND.exception();
            }
            if (r.getTTL() > MAX_LEASE_TTL) {
                throw EtcdError.LEASE_TTL_TOO_LARGE.exception();
            }
            Entry e;
            synchronized (this) {
                if (leases.containsKey(r.getID())) {
                    throw EtcdError.LEASE_EXIST.exception();
                }
                e = new Entry(r.getID(), Math.max(r.getTTL(), minTtl), 0);
                leases.put(e.id, e);
            }
            txn.batch().put(Schema.LEASE, idBytes(e.id), e.record());
            metrics.granted.inc();
            metrics.ttl.observe(e.ttl);
            listener.granted(e.id);
            return new Applied<>(LeaseGrantResponse.newBuilder().setID(e.id).setTTL(e.ttl).build(), txn.readRev());
        }
    }

    /**
     * Applies a LeaseRevoke: deletes every attached key (in byte order) and the lease in one write
     * transaction, so all deletions share one revision.
     *
     * @return the store revision after the revoke
     * @throws io.etcdjava.server.errors.EtcdException LEASE_NOT_FOUND
     */
    public long revoke(long id, long raftIndex, long raftTerm) {
        WriteTxn txn = store.write(raftIndex, raftTerm);
        Entry e;
        List<ByteString> keys;
        synchronized (this) {
            e = leases.get(id);
            keys = e == null ? List.of() : new ArrayList<>(e.keys);
        }
        if (e == null) {
            txn.close();
            throw EtcdError.LEASE_NOT_FOUND.exception();
        }
        try {
            for (ByteString k : keys) {
                txn.deleteRange(k.toByteArray(), null);
            }
            txn.batch().delete(Schema.LEASE, idBytes(id));
        } catch (RuntimeException | Error ex) {
            txn.abort();
            throw ex;
        }
        long rev = txn.readRev();
        txn.close();
        synchronized (this) {
            leases.remove(id);
            for (ByteString k : keys) {
                leaseOfKey.remove(k, id);
            }
        }
        metrics.revoked.inc();
        listener.revoked(id);
        return rev;
    }

    /** Applies checkpoints of remaining TTLs; unknown leases are skipped, as etcd does. */
    public void checkpoint(LeaseCheckpointRequest r, long raftIndex, long raftTerm) {
        List<LeaseCheckpoint> applied = new ArrayList<>(r.getCheckpointsCount());
        List<Lease> records = new ArrayList<>(r.getCheckpointsCount());
        try (WriteTxn txn = store.write(raftIndex, raftTerm)) {
            synchronized (this) {
                for (LeaseCheckpoint cp : r.getCheckpointsList()) {
                    Entry e = leases.get(cp.getID());
                    if (e != null) {
                        e.remainingTtl = cp.getRemainingTTL();
                        records.add(Lease.newBuilder().setID(e.id).setTTL(e.ttl).setRemainingTTL(e.remainingTtl).build());
                        applied.add(cp);
                    }
                }
            }
            // Outside the monitor: a batch of a thousand checkpoints must not hold up the lessor
            // (and the keep-alives waiting on it) while RocksDB takes the writes.
            for (Lease l : records) {
                txn.batch().put(Schema.LEASE, idBytes(l.getID()), l.toByteArray());
            }
        }
        for (LeaseCheckpoint cp : applied) {
            listener.checkpointed(cp.getID(), cp.getRemainingTTL());
        }
    }

    /**
     * Moves attachments along the committed changes of one KV write: a put attaches the key to its
     * new lease and detaches it from the previous one; a delete detaches it.
     */
    @Override
    public void applied(List<Event> events) {
        synchronized (this) {
            for (Event ev : events) {
                ByteString key = ev.getKv().getKey();
                // Most clusters attach few keys: skip hashing the key when none is attached.
                long before = leaseOfKey.isEmpty() ? 0 : leaseOfKey.getOrDefault(key, 0L);
                long after = ev.getType() == Event.EventType.PUT ? ev.getKv().getLease() : 0;
                if (before == after) {
                    continue;
                }
                if (before != 0) {
                    detach(key, before);
                }
                if (after != 0) {
                    attach(key, after);
                }
            }
        }
    }

    // ------------------------------------------------------------------ readers

    @Override
    public synchronized boolean exists(long leaseId) {
        return leases.containsKey(leaseId);
    }

    public synchronized Optional<LeaseInfo> lookup(long id) {
        Entry e = leases.get(id);
        return e == null ? Optional.empty() : Optional.of(e.info());
    }

    /** Granted TTL and checkpointed remainder without copying keys; null if unknown. */
    synchronized long[] ttls(long id) {
        Entry e = leases.get(id);
        return e == null ? null : new long[] {e.ttl, e.remainingTtl};
    }

    public synchronized List<Long> ids() {
        return new ArrayList<>(leases.keySet());
    }

    /** Every lease without its keys (the lessor's view when it becomes leader). */
    public synchronized List<LeaseInfo> all() {
        List<LeaseInfo> out = new ArrayList<>(leases.size());
        for (Entry e : leases.values()) {
            out.add(new LeaseInfo(e.id, e.ttl, e.remainingTtl, List.of()));
        }
        return out;
    }

    public synchronized int size() {
        return leases.size();
    }

    // ------------------------------------------------------------------ internals

    private void replaceAll(Map<Long, Entry> fresh) {
        leases.clear();
        leases.putAll(fresh);
        leaseOfKey.clear();
        for (Entry e : fresh.values()) {
            for (ByteString k : e.keys) {
                leaseOfKey.put(k, e.id);
            }
        }
    }

    private void attach(ByteString key, long id) {
        Entry e = leases.get(id);
        if (e != null) {
            e.keys.add(key);
            leaseOfKey.put(key, id);
        }
    }

    private void detach(ByteString key, long id) {
        Entry e = leases.get(id);
        if (e != null) {
            e.keys.remove(key);
        }
        leaseOfKey.remove(key, id);
    }

    static byte[] idBytes(long id) {
        return ByteBuffer.allocate(8).putLong(id).array();
    }
}
