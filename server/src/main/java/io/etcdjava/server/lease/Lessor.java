package io.etcdjava.server.lease;

import io.etcdjava.api.etcdserverpb.LeaseCheckpoint;
import io.etcdjava.api.internal.InternalRaftRequest;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's half of leases: expiry clocks, keep-alives, and the proposals that turn time into
 * raft entries — revokes of expired leases (rate-limited) and checkpoints of remaining TTLs. The
 * applied state lives in {@link LeaseStore}; this class only reads it and proposes.
 *
 * <p>Every member also keeps a <em>shadow</em> deadline per lease ({@link Shadows}): the local
 * time a grant or clear was applied plus the TTL, moved forward by checkpoints. A renewal is
 * answered from memory when the lease's last renewal recorded through raft (a clear, or the grant)
 * applied less than half an election timeout before; otherwise only once the checkpoint that clears
 * the lease's remainder applied. Leases renewed from memory are checkpointed every checkpoint
 * interval. So a shadow deadline is never earlier than the deadline of an acknowledged renewal by
 * more than half an election timeout, however slowly raft commits the checkpoints, and never later
 * than the leader's deadline plus raft's delay. A new leader starts each lease's clock from its
 * shadow deadline (or now, if that passed while there was no leader) plus one election timeout
 * (etcd: remaining TTL plus one election timeout): no lease expires early, and none lives more than
 * one election timeout past its deadline or the moment a leader took over, whichever is later.
 * After a full restart there are no shadows: clocks start from the checkpointed remainders, as in
 * etcd, which every lease gets at least every few seconds.
 *
 * <p>Why renewals may wait for raft at all (etcd answers every one from memory): a leader that
 * answers a renewal and dies before anything of it left the machine leaves the next leader unable
 * to tell a renewed lease from a dead client's, so it must either expire the renewed lease early or
 * keep the dead one a whole TTL past its deadline (etcd's reset). Recording the renewal first keeps
 * both bounds; the renewals of one keep-alive stream do not wait for each other.
 *
 * <p>Threads: owns one scheduler thread, "lease-lessor", which ticks and proposes. {@link #renew}
 * and {@link #timeToLive} run on callers' threads; the store listener on the apply thread only
 * queues events ({@link AppliedEvents}). Lock: this object's monitor guards the expiry state, its
 * own fields and the helpers that are not thread-safe ({@link ExpiryQueue}, {@link RevokeBudget},
 * {@link CheckpointSchedule}, {@link Shadows}); it is never held while proposing or completing
 * futures.
 */
public final class Lessor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Lessor.class);
    /** Applied events taken in per hold of the monitor, so keep-alives never wait behind a backlog. */
    private static final int DRAIN_CHUNK = 256;
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
    private final LongSupplier leaderTerm;
    private final LongSupplier nanoClock;
    private final LeaseMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private final LeaseProposals proposals;
    private final AppliedEvents appliedEvents;
    private final ConcurrentLinkedQueue<Renewal> renewals = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean renewalsScheduled = new AtomicBoolean();

    // Guarded by this.
    private long primaryTerm;
    private final ExpiryQueue expiry = new ExpiryQueue();
    /**
     * Leader only: when (leader's clock) a renewal or grant last restarted a lease's clock through
     * an applied raft entry. Every member's shadow is at least that time plus the TTL.
     */
    private final Map<Long, Long> coveredSince = new HashMap<>();
    /** Every member: the deadline the applied grants and checkpoints imply, on this member's clock. */
    private final Shadows shadow = new Shadows();
    private final Map<Long, CompletableFuture<Void>> revokedSignals = new HashMap<>();
    private final List<Long> pendingClears = new ArrayList<>();
    private final List<CompletableFuture<Void>> pendingClearWaiters = new ArrayList<>();
    private final RevokeBudget revokeBudget;
    private final CheckpointSchedule checkpointSchedule;
    private volatile boolean closed;

    /**
     * @param leaderTerm the current term while this member is the leader, else 0
     * @param nanoClock a monotonic clock in nanoseconds (System::nanoTime outside tests)
     */
    public Lessor(LeaseStore store, LessorConfig config, Proposer proposer, LongSupplier leaderTerm,
                  LongSupplier nanoClock, LeaseMetrics metrics) {
        this.store = store;
        this.config = config;
        this.leaderTerm = leaderTerm;
        this.nanoClock = nanoClock;
        this.metrics = metrics;
        long created = nanoClock.getAsLong();
        this.revokeBudget = new RevokeBudget(config, created);
        this.checkpointSchedule = new CheckpointSchedule(store, expiry, config, created);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lease-lessor");
            t.setDaemon(true);
            return t;
        });
        this.proposals = new LeaseProposals(proposer, scheduler);
        this.appliedEvents = new AppliedEvents(nanoClock, scheduler, this::drainTask);
        store.setListener(appliedEvents);
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
     * with LEASE_NOT_FOUND (unknown, or expired and then revoked), {@link NotPrimaryException}
     * when this member does not lead (or stopped leading while an expired lease awaited its revoke)
     * or STOPPED once the lessor is closed (etcd's answer on a stopping server).
     *
     * <p>Only queues the request: the lessor thread takes renewals in batches, so the caller (an
     * event loop) never waits for this object's monitor.
     */
    public CompletableFuture<Long> renew(long id) {
        Renewal r = new Renewal(id, new CompletableFuture<>());
        renewals.add(r);
        if (closed) {
            // No lessor thread will take this, close() may have drained the queue already, and a
            // renewQueued dropped by shutdownNow leaves the flag set. (A renewal that read closed
            // as false was queued before close() set it, and close() drains it.)
            failQueuedRenewals();
            return r.result();
        }
        if (!renewalsScheduled.getAndSet(true)) {
            try {
                scheduler.execute(this::renewQueued);
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // Left set, the flag would make every later renewal only queue, unanswered forever.
                renewalsScheduled.set(false);
                failQueuedRenewals();
            }
        }
        return r.result();
    }

    /** A keep-alive waiting for the lessor thread. */
    private record Renewal(long id, CompletableFuture<Long> result) {
    }

    /** Lessor thread: renews every queued lease under one hold of the monitor, answers outside it. */
    private void renewQueued() {
        renewalsScheduled.set(false);
        List<Renewal> batch = new ArrayList<>();
        Renewal r;
        while ((r = renewals.poll()) != null) {
            batch.add(r);
        }
        if (batch.isEmpty()) {
            return;
        }
        List<Runnable> answers = new ArrayList<>(batch.size());
        synchronized (this) {
            long now = nanoClock.getAsLong();
            boolean primary = ensurePrimary(now);
            for (Renewal x : batch) {
                answers.add(primary ? renewLocked(x, now) : () -> x.result().completeExceptionally(new NotPrimaryException()));
            }
        }
        answers.forEach(Runnable::run);
        flushClears();
    }

    /** The lessor thread is gone: what is queued will never be taken. */
    private void failQueuedRenewals() {
        Renewal r;
        while ((r = renewals.poll()) != null) {
            r.result().completeExceptionally(EtcdError.STOPPED.exception());
        }
    }

    /** One renewal on the leader; returns how to answer it once the monitor is released. */
    private Runnable renewLocked(Renewal r, long now) {
        long id = r.id();
        CompletableFuture<Long> result = r.result();
        // Applied events not yet taken in can only send a renewal through raft (a grant not yet
        // seen) or are caught by the store (a revoke: the lease is gone from it already).
        long[] ttls = store.ttls(id);
        if (ttls == null) {
            return () -> result.completeExceptionally(EtcdError.LEASE_NOT_FOUND.exception());
        }
        Long exp = expiry.get(id);
        if (exp != null && exp <= now) {
            // Expired: its revoke is pending or in flight; answer once it applied, as etcd does.
            CompletableFuture<Void> revoked = revokedSignals.computeIfAbsent(id, k -> new CompletableFuture<>());
            return () -> revoked.whenComplete((v, err) ->
                    result.completeExceptionally(err != null ? err : EtcdError.LEASE_NOT_FOUND.exception()));
        }
        long ttl = ttls[0];
        expiry.set(id, now + ttl * NANOS);
        metrics.renewed.inc();
        Long covered = coveredSince.get(id);
        if (ttls[1] == 0 && covered != null && now - covered <= config.electionTimeout().toNanos() / 2) {
            // Every member's shadow is within half an election timeout of this renewal's deadline:
            // a new leader's extension covers it even if nothing of it reaches raft.
            checkpointSchedule.unrecorded(id);
            return () -> result.complete(ttl);
        }
        // A checkpointed remainder would outlive the renewal in a restart or on a new leader, or
        // the members' shadows lag too far behind it for a new leader's extension to cover: the
        // renewal counts only once the clear applied.
        CompletableFuture<Void> clear = new CompletableFuture<>();
        clear.whenComplete((v, err) -> {
            if (err != null) {
                result.completeExceptionally(err);
                return;
            }
            synchronized (this) {
                coveredSince.merge(id, now, Math::max);
            }
            result.complete(ttl);
        });
        pendingClears.add(id);
        pendingClearWaiters.add(clear);
        return () -> { };
    }

    /**
     * The lease's remaining TTL (seconds, truncated, as etcd) and keys; empty if unknown.
     *
     * @throws NotPrimaryException when this member does not lead: only the leader knows
     */
    public Optional<TimeToLive> timeToLive(long id, boolean withKeys) {
        long remaining;
        List<CompletableFuture<Void>> revoked = new ArrayList<>();
        synchronized (this) {
            long now = nanoClock.getAsLong();
            if (!ensurePrimary(now)) {
                throw new NotPrimaryException();
            }
            drainApplied(now, true, revoked, Integer.MAX_VALUE);
            Long exp = expiry.get(id);
            remaining = exp == null ? -1 : Math.max(0, (exp - now) / NANOS);
        }
        // A revoke taken in here is taken by no one else: its waiting keep-alives are answered now.
        revoked.forEach(f -> f.complete(null));
        Optional<LeaseInfo> info = store.lookup(id);
        if (info.isEmpty()) {
            return Optional.empty();
        }
        LeaseInfo l = info.get();
        return Optional.of(new TimeToLive(id, remaining < 0 ? l.startTtl() : remaining, l.ttl(),
                withKeys ? l.keys() : List.of()));
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

    /** One round: follow leadership, take in applied events, propose revokes and checkpoints. */
    void tick() {
        List<Long> toRevoke = new ArrayList<>();
        List<LeaseCheckpoint> checkpoints = new ArrayList<>();
        List<CompletableFuture<Void>> revoked = new ArrayList<>();
        synchronized (this) {
            long now = nanoClock.getAsLong();
            boolean primary = ensurePrimary(now);
            drainApplied(now, primary, revoked, Integer.MAX_VALUE);
            revokeBudget.advance(now, primary);
            if (primary) {
                expiry.takeExpired(now, revokeBudget, toRevoke);
                checkpointSchedule.collect(now, checkpoints);
            }
        }
        revoked.forEach(f -> f.complete(null));
        for (long id : toRevoke) {
            proposeRevoke(id);
        }
        proposals.checkpoints(checkpoints, List.of());
    }

    /** Takes in applied events on the lessor thread, a chunk per hold of the monitor. */
    private void drainTask() {
        appliedEvents.draining();
        List<CompletableFuture<Void>> revoked = new ArrayList<>();
        boolean more = true;
        while (more) {
            synchronized (this) {
                long now = nanoClock.getAsLong();
                more = drainApplied(now, ensurePrimary(now), revoked, DRAIN_CHUNK);
            }
        }
        revoked.forEach(f -> f.complete(null));
    }

    /** Takes in at most {@code max} applied events; true if more are waiting. */
    private boolean drainApplied(long now, boolean primary, List<CompletableFuture<Void>> revoked, int max) {
        AppliedEvents.Event ev;
        for (int n = 0; n < max; n++) {
            if ((ev = appliedEvents.poll()) == null) {
                return false;
            }
            long id = ev.id();
            switch (ev.kind()) {
                case GRANTED -> {
                    long[] ttls = store.ttls(id);
                    if (ttls != null) {
                        // A fresh grant has no remainder; a lease from a snapshot may.
                        shadow.restarted(id, ev.at(), ttls[1] > 0 ? ttls[1] : ttls[0]);
                        if (primary && !expiry.contains(id)) {
                            expiry.set(id, now + ttls[0] * NANOS);
                            checkpointSchedule.unrecorded(id);
                            coveredSince.put(id, ev.at());
                        }
                    }
                }
                case CHECKPOINTED -> {
                    long[] ttls = store.ttls(id);
                    if (ttls != null) {
                        if (ev.remaining() > 0) {
                            shadow.checkpointed(id, ev.at(), ev.remaining());
                        } else {
                            shadow.restarted(id, ev.at(), ttls[0]);
                        }
                        long implied = shadow.get(id);
                        Long exp = expiry.get(id);
                        if (primary && ev.remaining() == 0 && exp != null && exp < implied && !expiry.revoking(id)) {
                            // A renewal the previous leader acknowledged, applied after we took over.
                            expiry.set(id, implied);
                        }
                    }
                }
                case REVOKED -> {
                    shadow.remove(id);
                    expiry.remove(id);
                    checkpointSchedule.remove(id);
                    coveredSince.remove(id);
                    CompletableFuture<Void> f = revokedSignals.remove(id);
                    if (f != null) {
                        revoked.add(f);
                    }
                }
            }
        }
        return !appliedEvents.isEmpty();
    }

    /**
     * Follows leadership: on becoming leader (or a new term as leader) every lease's clock
     * restarts at its shadow deadline (or, with none, its checkpointed remainder from now) plus
     * one election timeout, crowded seconds spread out; on losing it, no clocks.
     */
    private boolean ensurePrimary(long now) {
        // A stopping member acknowledges nothing more: raft may still call it leader.
        long term = closed ? 0 : leaderTerm.getAsLong();
        if (term == 0) {
            if (primaryTerm != 0) {
                primaryTerm = 0;
                demote();
            }
            return false;
        }
        if (term != primaryTerm) {
            if (primaryTerm != 0) {
                demote();
            }
            primaryTerm = term;
            promote(now);
        }
        return true;
    }

    private void promote(long now) {
        drainApplied(now, false, new ArrayList<>(), Integer.MAX_VALUE);
        // Other members' shadows lack this member's extension: first renewals go through raft.
        coveredSince.clear();
        long extend = config.electionTimeout().toNanos();
        List<LeaseInfo> all = store.all();
        ExpirySpreader.Due[] dues = new ExpirySpreader.Due[all.size()];
        for (int i = 0; i < dues.length; i++) {
            LeaseInfo l = all.get(i);
            Long seen = shadow.get(l.id());
            // Overdue leases get one election timeout from now: their clients could not renew
            // while there was no leader.
            long base = seen != null ? Math.max(seen, now) : now + l.startTtl() * NANOS;
            dues[i] = new ExpirySpreader.Due(l.id(), base + extend);
        }
        ExpirySpreader.spread(dues, now, config.revokesPerSecond());
        for (ExpirySpreader.Due d : dues) {
            expiry.set(d.id, d.deadline);
            checkpointSchedule.unrecorded(d.id);
        }
        revokeBudget.reset(now);
        checkpointSchedule.restart(now);
        if (dues.length > 0) {
            log.atInfo().addKeyValue("leases", dues.length).addKeyValue("extend", config.electionTimeout().toString())
                    .log("promoted lessor");
        }
    }

    private void demote() {
        expiry.clear();
        checkpointSchedule.clear();
        coveredSince.clear();
        List<CompletableFuture<Void>> waiting = new ArrayList<>(revokedSignals.values());
        revokedSignals.clear();
        // Keep-alives waiting for a revoke that may never come: let them ask the new leader.
        Runnable fail = () -> waiting.forEach(f -> f.completeExceptionally(new NotPrimaryException()));
        try {
            scheduler.execute(fail);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            fail.run();
        }
    }

    private void proposeRevoke(long id) {
        proposals.revoke(id).whenComplete((r, err) -> {
            if (err == null) {
                return;
            }
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            synchronized (this) {
                expiry.revokeFailed(id);
                if (!(cause instanceof EtcdException ee && ee.error() == EtcdError.LEASE_NOT_FOUND)
                        && expiry.contains(id)) {
                    expiry.set(id, nanoClock.getAsLong() + config.retryInterval().toNanos());
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
            ids = new ArrayList<>(pendingClears);
            waiters = new ArrayList<>(pendingClearWaiters);
            pendingClears.clear();
            pendingClearWaiters.clear();
        }
        proposals.clears(ids, waiters);
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        synchronized (this) {
            ensurePrimary(nanoClock.getAsLong());
        }
        scheduler.shutdownNow();
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
        failQueuedRenewals();
    }
}
