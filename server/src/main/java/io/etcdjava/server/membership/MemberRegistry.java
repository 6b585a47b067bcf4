package io.etcdjava.server.membership;

import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.mvcc.backend.Backend;
import io.etcdjava.server.mvcc.backend.Batch;
import io.etcdjava.server.mvcc.backend.BackendException;
import io.etcdjava.server.mvcc.backend.Schema;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The cluster's members and the IDs removed from it, as raft apply left them. Changed only on the
 * apply thread, by conf changes and published attributes, each written to {@link Schema#MEMBERS}
 * in the batch of the raft entry that caused it (so it is durable exactly when the consistent
 * index says so). Readers on any thread see an immutable {@link View}.
 *
 * <p>Backend layout: {@code "m" + 8-byte id → internal Member}, {@code "r" + 8-byte id → empty}.
 */
public final class MemberRegistry {
    /** etcd allows at most one learner at a time (--experimental-max-learners defaults to 1). */
    public static final int MAX_LEARNERS = 1;
    private static final byte MEMBER = 'm';
    private static final byte REMOVED = 'r';

    /** An immutable state of the registry; members in ascending unsigned ID order. */
    public record View(Map<Long, Member> byId, Set<Long> removed) {
        public View {
            TreeMap<Long, Member> sorted = new TreeMap<>(Long::compareUnsigned);
            sorted.putAll(byId);
            byId = Collections.unmodifiableMap(sorted);
            removed = Set.copyOf(removed);
        }

        public List<Member> members() {
            return List.copyOf(byId.values());
        }

        public Optional<Member> member(long id) {
            return Optional.ofNullable(byId.get(id));
        }

        public boolean isRemoved(long id) {
            return removed.contains(id);
        }

        long learners() {
            return byId.values().stream().filter(Member::isLearner).count();
        }
    }

    private final Backend backend;
    private volatile View view;
    private final List<Consumer<View>> listeners = new CopyOnWriteArrayList<>();

    private MemberRegistry(Backend backend, View view) {
        this.backend = backend;
        this.view = view;
    }

    /** Loads the registry from the backend (empty for a new member). */
    public static MemberRegistry open(Backend backend) {
        return new MemberRegistry(backend, read(backend));
    }

    /** The current members and removed IDs. */
    public View view() {
        return view;
    }

    public List<Member> members() {
        return view.members();
    }

    public Optional<Member> member(long id) {
        return view.member(id);
    }

    public boolean isRemoved(long id) {
        return view.isRemoved(id);
    }

    /** Called (on the apply thread) with the new view after every change and every reload. */
    public void addListener(Consumer<View> listener) {
        listeners.add(listener);
    }

    /**
     * Re-reads everything from the backend: after the backend was replaced by a snapshot from the
     * leader, the members are whatever that snapshot holds. Apply thread (or before it starts).
     */
    public void reload() {
        view = read(backend);
        fire();
    }

    // ------------------------------------------------------------------ validation (etcd's checks)

    /** Whether adding {@code m} is allowed: a fresh ID, fresh peer URLs, and not too many learners. */
    public static void checkAdd(View v, Member m) {
        if (v.isRemoved(m.id())) {
            throw EtcdError.MEMBER_NOT_FOUND.exception();
        }
        if (v.byId().containsKey(m.id())) {
            throw EtcdError.MEMBER_EXIST.exception();
        }
        checkPeerUrlsFree(v, m.id(), m.peerUrls());
        if (m.isLearner() && v.learners() + 1 > MAX_LEARNERS) {
            throw EtcdError.TOO_MANY_LEARNERS.exception();
        }
    }

    public static void checkRemove(View v, long id) {
        existing(v, id);
    }

    public static void checkUpdate(View v, long id, List<String> peerUrls) {
        existing(v, id);
        checkPeerUrlsFree(v, id, peerUrls);
    }

    public static void checkPromote(View v, long id) {
        if (!existing(v, id).isLearner()) {
            throw EtcdError.MEMBER_NOT_LEARNER.exception();
        }
    }

    private static Member existing(View v, long id) {
        Member m = v.byId().get(id);
        if (v.isRemoved(id) || m == null) {
            throw EtcdError.MEMBER_NOT_FOUND.exception();
        }
        return m;
    }

    private static void checkPeerUrlsFree(View v, long self, List<String> urls) {
        Set<String> wanted = new HashSet<>(urls);
        for (Member other : v.byId().values()) {
            if (other.id() != self && other.peerUrls().stream().anyMatch(wanted::contains)) {
                throw EtcdError.PEER_URL_EXIST.exception();
            }
        }
    }

    // ------------------------------------------------------------------ apply (apply thread only)

    /** Adds a member (validated again here: every member applies the same checks in log order). */
    public void add(Member m, Batch batch) {
        View v = view;
        checkAdd(v, m);
        put(v, m, batch);
    }

    /**
     * Adds a member found in a bootstrap entry of a new cluster. Those entries are committed by
     * fiat on every member, so the registry takes them as they are.
     */
    public void addInitial(Member m, Batch batch) {
        View v = view;
        if (!v.byId().containsKey(m.id()) && !v.isRemoved(m.id())) {
            put(v, m, batch);
        }
    }

    public void remove(long id, Batch batch) {
        View v = view;
        checkRemove(v, id);
        Map<Long, Member> byId = new TreeMap<>(v.byId());
        byId.remove(id);
        Set<Long> removed = new HashSet<>(v.removed());
        removed.add(id);
        batch.delete(Schema.MEMBERS, key(MEMBER, id));
        batch.put(Schema.MEMBERS, key(REMOVED, id), new byte[0]);
        view = new View(byId, removed);
    }

    public void updatePeerUrls(long id, List<String> peerUrls, Batch batch) {
        View v = view;
        checkUpdate(v, id, peerUrls);
        put(v, v.byId().get(id).withPeerUrls(peerUrls), batch);
    }

    public void promote(long id, Batch batch) {
        View v = view;
        checkPromote(v, id);
        put(v, v.byId().get(id).promoted(), batch);
    }

    /**
     * Records what a started member published. Ignored for a member no longer in the cluster (a
     * publication can be committed after the member's removal).
     */
    public void setAttributes(long id, String name, List<String> clientUrls, Batch batch) {
        View v = view;
        Member m = v.byId().get(id);
        if (m != null) {
            put(v, m.withAttributes(name, clientUrls), batch);
        }
    }

    /** Tells the listeners about the changes applied since the last call (after the batch committed). */
    public void fire() {
        View v = view;
        for (Consumer<View> l : listeners) {
            l.accept(v);
        }
    }

    private void put(View v, Member m, Batch batch) {
        Map<Long, Member> byId = new TreeMap<>(v.byId());
        byId.put(m.id(), m);
        batch.put(Schema.MEMBERS, key(MEMBER, m.id()), m.toInternal().toByteArray());
        view = new View(byId, v.removed());
    }

    // ------------------------------------------------------------------ backend

    private static View read(Backend backend) {
        Map<Long, Member> byId = new TreeMap<>();
        Set<Long> removed = new HashSet<>();
        backend.forEach(Schema.MEMBERS, new byte[0], null, (k, val) -> {
            if (k.length != 9) {
                return true;
            }
            long id = ByteBuffer.wrap(k, 1, 8).getLong();
            if (k[0] == MEMBER) {
                try {
                    byId.put(id, Member.fromInternal(io.etcdjava.api.internal.Member.parseFrom(val)));
                } catch (InvalidProtocolBufferException e) {
                    throw new BackendException("undecodable member " + MemberIds.hex(id) + ": " + e.getMessage());
                }
            } else if (k[0] == REMOVED) {
                removed.add(id);
            }
            return true;
        });
        return new View(byId, removed);
    }

    private static byte[] key(byte kind, long id) {
        return ByteBuffer.allocate(9).put(kind).putLong(id).array();
    }

    @Override
    public String toString() {
        List<String> ids = new ArrayList<>();
        for (Member m : view.members()) {
            ids.add(MemberIds.hex(m.id()));
        }
        return "MemberRegistry" + ids;
    }
}
