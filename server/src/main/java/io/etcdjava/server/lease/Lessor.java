package io.etcdjava.server.lease;

import io.etcdjava.api.etcdserverpb.LeaseCheckpoint;
import io.etcdjava.api.etcdserverpb.LeaseCheckpointRequest;
import io.etcdjava.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdjava.api.internal.InternalRaftRequest;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's half of leases: expiry clocks, keep-alives, and the proposals that turn time into
 * raft entries — revokes of expired leases (rate-limited) and checkpoints of remaining TTLs. The
 * applied state lives in {@link LeaseStore}; this class only reads it and proposes.
 *
 * <p>Threads: owns one scheduler thread, "lease-lessor", which ticks and proposes. {@link #renew}
 * and {@link #timeToLive} run on callers' threads. Lock: this object's monitor guards the expiry
 * state; it is never held while proposing or completing futures.
 */
public final class Lessor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Lessor.class);
    private static final int MAX_CHECKPOINT_BATCH = 1000;
    private static final long NANOS = 1_000_000_000L;

    /** Proposes a request through raft; completes with what applying it produced. */
    @FunctionalInterface
    public interface Proposer {
        CompletableFuture<Object> propose(InternalRaftRequest.Builder request);
    }

    /** A lease's remaining TTL as this member sees it, plus its applied state. */
    public record TimeToLive(long id, long remaining, long grantedTtl, List<com.google.protobuf.ByteString> keys) {
    }

    private final LeaseStore store;
    private final LessorConfig config;
    private final Proposer proposer;
    private final LongSupplier leaderTerm;
    private final LongSupplier nanoClock;
    private final LeaseMetrics metrics;
    private final ScheduledExecutorService scheduler;

    /** Applied grants (+id) and revokes (-id is ambiguous, so a record) in apply order. */
    private final ConcurrentLinkedQueue<long[]> appliedEvents = new ConcurrentLinkedQueue<>();

    // Guarded by this.
    private long primaryTerm;
    private final Map<Long, Long> expiry = new HashMap<>();
    private final Set<Long> revoking = new HashSet<>();
    private final Map<Long, Long> retryAt = new HashMap<>();
    private final Map<Long, CompletableFuture<Void>> revokedSignals = new HashMap<>();
    private final List<Long> pendingClears = new ArrayList<>();
    private final List<CompletableFuture<Void>> pendingClearWaiters = new ArrayList<>();
    private boolean clearScheduled;
    private double revokeTokens;
    private long lastTick;
    private long lastCheckpoint;

    /**
     * @param leaderTerm the current term while this member is the leader, else 0
     * @param nanoClock a monotonic clock in nanoseconds (System::nanoTime outside tests)
     */
    public Lessor(LeaseStore store, LessorConfig config, Proposer proposer, LongSupplier leaderTerm,
                  LongSupplier nanoClock, LeaseMetrics metrics) {
        this.store = store;
        this.config = config;
        this.proposer = proposer;
        this.leaderTerm = leaderTerm;
        this.nanoClock = nanoClock;
        this.metrics = metrics;
        this.lastTick = nanoClock.getAsLong();
        this.lastCheckpoint = lastTick;
        store.setListener(new LeaseStore.Listener() {
            @Override
            public void granted(long id) {
                appliedEvents.add(new long[] {1, id});
            }

            @Override
            public void revoked(long id) {
                appliedEvents.add(new long[] {0, id});
            }
        });
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lease-lessor");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts ticking on the "lease-lessor" thread. */
    public Lessor start() {
        long ms = config.tick().toMillis();
        scheduler.scheduleWithFixedDelay(this::tickSafely, ms, ms, TimeUnit.MILLISECONDS);
        return this;
    }

    // ------------------------------------------------------------------ callers

    /**
     * Keep-alive: restarts the lease's clock at its full TTL. Completes with the TTL, or fails
     * with LEASE_NOT_FOUND (unknown or expired — after its revoke applied) or NOT_LEADER-like
     * NO_LEADER when this member is not the leader (forwarding is not implemented yet).
     */
    public CompletableFuture<Long> renew(long id) {
        CompletableFuture<Void> waitRevoked = null;
        CompletableFuture<Void> clear = null;
        long ttl;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            if (!ensurePrimary(now)) {
                return CompletableFuture.failedFuture(EtcdError.NO_LEADER.exception());
            }
            long[] ttls = store.ttls(id);
            if (ttls == null) {
                return CompletableFuture.failedFuture(EtcdError.LEASE_NOT_FOUND.exception());
            }
            Long exp = expiry.get(id);
            if (exp != null && exp <= now) {
                // Expired: its revoke is pending or in flight; answer once it applied, as etcd does.
                waitRevoked = revokedSignals.computeIfAbsent(id, k -> new CompletableFuture<>());
                ttl = -1;
            } else {
                ttl = ttls[0];
                expiry.put(id, now + ttl * NANOS);
                metrics.renewed.inc();
                if (ttls[1] > 0) {
                    // A checkpointed remainder would survive a restart; clear it so the renewal does.
                    clear = new CompletableFuture<>();
                    pendingClears.add(id);
                    pendingClearWaiters.add(clear);
                    if (!clearScheduled) {
                        clearScheduled = true;
                        scheduler.execute(this::flushClears);
                    }
                }
            }
        }
        if (waitRevoked != null) {
            return waitRevoked.thenCompose(v -> CompletableFuture.failedFuture(EtcdError.LEASE_NOT_FOUND.exception()));
        }
        if (clear != null) {
            return clear.thenApply(v -> ttl);
        }
        return CompletableFuture.completedFuture(ttl);
    }

    /** The lease's remaining TTL (seconds, truncated, as etcd) and keys; empty if unknown. */
    public Optional<TimeToLive> timeToLive(long id, boolean withKeys) {
        Optional<LeaseInfo> info = store.lookup(id);
        if (info.isEmpty()) {
            return Optional.empty();
        }
        LeaseInfo l = info.get();
        long remaining;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            Long exp = ensurePrimary(now) ? expiry.get(id) : null;
            remaining = exp == null ? l.startTtl() : Math.max(0, (exp - now) / NANOS);
        }
        return Optional.of(new TimeToLive(id, remaining, l.ttl(), withKeys ? l.keys() : List.of()));
    }

    /** Every lease's ID, soonest expiry first when this member is the leader (etcd's order). */
    public List<Long> leases() {
        List<Long> ids = store.ids();
        synchronized (this) {
            if (ensurePrimary(nanoClock.getAsLong())) {
                ids.sort(Comparator.comparingLong(id -> expiry.getOrDefault(id, Long.MAX_VALUE)));
            }
        }
        return ids;
    }

    // ------------------------------------------------------------------ the tick

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.atWarn().setCause(e).log("lessor tick failed");
        }
    }

    /** One round: follow leadership, take in applied grants/revokes, propose revokes and checkpoints. */
    void tick() {
        List<Long> toRevoke = new ArrayList<>();
        List<LeaseCheckpoint> checkpoints = new ArrayList<>();
        List<CompletableFuture<Void>> revoked = new ArrayList<>();
        synchronized (this) {
            long now = nanoClock.getAsLong();
            boolean primary = ensurePrimary(now);
            drainApplied(now, primary, revoked);
            double elapsed = (now - lastTick) / (double) NANOS;
            lastTick = now;
            if (primary) {
                double cap = Math.max(1.0, config.revokesPerSecond() * config.tick().toNanos() / (double) NANOS);
                revokeTokens = Math.min(cap, revokeTokens + elapsed * config.revokesPerSecond());
                for (Map.Entry<Long, Long> e : expiry.entrySet()) {
                    if (revokeTokens < 1) {
                        break;
                    }
                    long id = e.getKey();
                    if (e.getValue() <= now && !revoking.contains(id) && retryAt.getOrDefault(id, 0L) <= now) {
                        revoking.add(id);
                        toRevoke.add(id);
                        revokeTokens--;
                    }
                }
                if (now - lastCheckpoint >= config.checkpointInterval().toNanos()) {
                    lastCheckpoint = now;
                    for (Map.Entry<Long, Long> e : expiry.entrySet()) {
                        long left = e.getValue() - now;
                        long[] ttls = store.ttls(e.getKey());
                        if (left <= 0 || ttls == null) {
                            continue;
                        }
                        long remaining = (left + NANOS - 1) / NANOS;
                        if (remaining != ttls[1]) {
                            checkpoints.add(LeaseCheckpoint.newBuilder().setID(e.getKey())
                                    .setRemainingTTL(remaining).build());
                        }
                    }
                }
            }
        }
        revoked.forEach(f -> f.complete(null));
        for (long id : toRevoke) {
            proposeRevoke(id);
        }
        proposeCheckpoints(checkpoints, List.of());
    }

    private void drainApplied(long now, boolean primary, List<CompletableFuture<Void>> revoked) {
        long[] ev;
        while ((ev = appliedEvents.poll()) != null) {
            long id = ev[1];
            if (ev[0] == 1) {
                long[] ttls = store.ttls(id);
                if (primary && ttls != null && !expiry.containsKey(id)) {
                    expiry.put(id, now + ttls[0] * NANOS);
                }
            } else {
                expiry.remove(id);
                revoking.remove(id);
                retryAt.remove(id);
                CompletableFuture<Void> f = revokedSignals.remove(id);
                if (f != null) {
                    revoked.add(f);
                }
            }
        }
    }

    /**
     * Follows leadership: on becoming leader (or a new term as leader) every lease restarts its
     * clock from its checkpointed remainder plus one election timeout; on losing it, no clocks.
     */
    private boolean ensurePrimary(long now) {
        long term = leaderTerm.getAsLong();
        if (term == 0) {
            if (primaryTerm != 0) {
                primaryTerm = 0;
                expiry.clear();
                revoking.clear();
                retryAt.clear();
            }
            return false;
        }
        if (term != primaryTerm) {
            primaryTerm = term;
            expiry.clear();
            revoking.clear();
            retryAt.clear();
            long extend = config.electionTimeout().toNanos();
            for (LeaseInfo l : store.all()) {
                expiry.put(l.id(), now + extend + l.startTtl() * NANOS);
            }
            revokeTokens = 0;
            lastTick = now;
            lastCheckpoint = now;
        }
        return true;
    }

    private void proposeRevoke(long id) {
        proposer.propose(InternalRaftRequest.newBuilder().setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(id)))
                .whenComplete((r, err) -> {
                    if (err == null) {
                        return;
                    }
                    Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                    synchronized (this) {
                        revoking.remove(id);
                        if (!(cause instanceof EtcdException ee && ee.error() == EtcdError.LEASE_NOT_FOUND)) {
                            retryAt.put(id, nanoClock.getAsLong() + config.retryInterval().toNanos());
                            log.atWarn().addKeyValue("lease-id", Long.toHexString(id))
                                    .addKeyValue("error", cause.toString()).log("failed to revoke lease");
                        }
                    }
                });
    }

    private void flushClears() {
        List<Long> ids;
        List<CompletableFuture<Void>> waiters;
        synchronized (this) {
            clearScheduled = false;
            ids = new ArrayList<>(pendingClears);
            waiters = new ArrayList<>(pendingClearWaiters);
            pendingClears.clear();
            pendingClearWaiters.clear();
        }
        List<LeaseCheckpoint> cps = new ArrayList<>(ids.size());
        for (long id : ids) {
            cps.add(LeaseCheckpoint.newBuilder().setID(id).setRemainingTTL(0).build());
        }
        proposeCheckpoints(cps, waiters);
    }

    private void proposeCheckpoints(List<LeaseCheckpoint> cps, List<CompletableFuture<Void>> waiters) {
        List<CompletableFuture<Object>> all = new ArrayList<>();
        for (int i = 0; i < cps.size(); i += MAX_CHECKPOINT_BATCH) {
            LeaseCheckpointRequest.Builder b = LeaseCheckpointRequest.newBuilder()
                    .addAllCheckpoints(cps.subList(i, Math.min(cps.size(), i + MAX_CHECKPOINT_BATCH)));
            all.add(proposer.propose(InternalRaftRequest.newBuilder().setLeaseCheckpoint(b)));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).whenComplete((v, err) -> {
            for (CompletableFuture<Void> w : waiters) {
                if (err != null) {
                    w.completeExceptionally(err);
                } else {
                    w.complete(null);
                }
            }
        });
    }

    @Override
    public void close() throws InterruptedException {
        scheduler.shutdownNow();
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
    }
}
