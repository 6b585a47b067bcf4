package io.etcdjava.server.etcdserver;

import io.etcdjava.api.etcdserverpb.CompactionRequest;
import io.etcdjava.api.etcdserverpb.CompactionResponse;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.DeleteRangeResponse;
import io.etcdjava.api.etcdserverpb.MoveLeaderResponse;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.PutResponse;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.api.etcdserverpb.RangeResponse;
import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.api.etcdserverpb.StatusResponse;
import io.etcdjava.api.etcdserverpb.TxnRequest;
import io.etcdjava.api.etcdserverpb.TxnResponse;
import io.etcdjava.raft.Peer;
import io.etcdjava.server.apply.KvApplier;
import io.etcdjava.server.apply.KvReader;
import io.etcdjava.server.apply.KvRequestValidator;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.lease.LeaseMetrics;
import io.etcdjava.server.lease.LeaseStore;
import io.etcdjava.server.lease.Lessor;
import io.etcdjava.server.lease.LessorConfig;
import io.etcdjava.server.leaseforward.LeaderLookup;
import io.etcdjava.server.leaseforward.LeaseForwardService;
import io.etcdjava.server.leaseforward.LeaseForwarder;
import io.etcdjava.api.internal.MemberChange;
import io.etcdjava.raft.pb.ConfChange;
import io.etcdjava.server.membership.ClusterInfo;
import io.etcdjava.server.membership.Member;
import io.etcdjava.server.membership.MemberIds;
import io.etcdjava.server.membership.MemberRegistry;
import java.util.concurrent.atomic.AtomicReference;
import io.etcdjava.server.mvcc.MvccStore;
import io.etcdjava.server.raftnode.RaftNode;
import io.etcdjava.server.raftnode.RaftNodeConfig;
import io.etcdjava.server.raftnode.RaftStatus;
import io.etcdjava.server.raftnode.Transport;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One etcd member's core: every mutation is proposed through raft and applied by
 * {@link EntryApplier}; reads are served from the local MVCC store, after a ReadIndex barrier
 * unless serializable. Owns the store, the raft driver and the "kv-read" executor.
 */
public final class EtcdServer implements KvService, MemberStatus, AutoCloseable {
    /** The etcd version this member speaks (server and cluster capability). */
    public static final String VERSION = "3.5.0";

    private final MemberSettings settings;
    private final long memberId;
    private final long clusterId;
    private final MvccStore store;
    private final Wait wait;
    private final RequestIds ids;
    private final EntryApplier applier;
    private final RaftNode raft;
    private final Proposer proposer;
    private final KvFrontend kv;
    private final MemberRemoval removal;
    private final MemberPublisher publisher;
    private final LeaderTransfer leaderTransfer;
    private final ExecutorService readExecutor;
    /** Fails proposals past their deadline (see {@link Wait}); one sweep per {@link #TIMEOUT_SWEEP}. */
    private final ScheduledExecutorService timeoutSweeper;
    private static final Duration TIMEOUT_SWEEP = Duration.ofMillis(50);
    private final Duration requestTimeout;
    private final LeaseStore leaseStore;
    private final Lessor lessor;
    private final LeaseFrontend leaseFrontend;
    private final LeaseForwarder leaseForwarder;
    private final MemberRegistry registry;
    private final ClusterFrontend clusterFrontend;

    private EtcdServer(MemberSettings s, MvccStore store, Wait wait, EntryApplier applier, RaftNode raft,
                       LeaseStore leaseStore, MemberRegistry registry) {
        this.settings = s;
        this.store = store;
        this.wait = wait;
        this.applier = applier;
        this.raft = raft;
        this.memberId = raft.memberId();
        this.clusterId = raft.clusterId();
        this.ids = new RequestIds(memberId, System.currentTimeMillis());
        AtomicInteger n = new AtomicInteger();
        this.readExecutor = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                r -> {
                    Thread t = new Thread(r, "kv-read-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        // etcd: 5 s plus two election timeouts for leader changes in between.
        this.requestTimeout = Duration.ofSeconds(5).plus(s.heartbeat().multipliedBy(2L * s.electionTicks()));
        this.timeoutSweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "etcd-request-timeouts");
            t.setDaemon(true);
            return t;
        });
        timeoutSweeper.scheduleWithFixedDelay(() -> wait.expire(System.nanoTime(), EtcdError.TIMEOUT::exception),
                TIMEOUT_SWEEP.toMillis(), TIMEOUT_SWEEP.toMillis(), TimeUnit.MILLISECONDS);
        this.proposer = new Proposer(raft, wait, ids, s.maxRequestBytes(), requestTimeout);
        this.kv = new KvFrontend(new KvReader(store), new KvRequestValidator(s.maxTxnOps()), proposer::propose,
                this::header, () -> withTimeout(raft.linearizableBarrier()), readExecutor);
        this.removal = new MemberRemoval(memberId, () -> raft.status().leader());
        this.publisher = new MemberPublisher(s, memberId, clusterId, raft, proposer, applier::clusterVersion,
                removal::isRemoved, requestTimeout);
        this.leaseStore = leaseStore;
        this.lessor = new Lessor(leaseStore, LessorConfig.defaults(s.heartbeat().multipliedBy(s.electionTicks()))
                .withRevokesPerSecond(s.leaseRevokeRate()),
                proposer::propose, this::leaderTerm, System::nanoTime, leaseStore.metrics()).start();
        this.leaseForwarder = new LeaseForwarder(clusterId, memberId, new LeaderLookup() {
            @Override
            public long leader() {
                return raft.status().leader();
            }

            @Override
            public List<String> peerUrls(long member) {
                return registry.member(member).map(Member::peerUrls).orElse(List.of());
            }
        }, requestTimeout);
        this.leaseFrontend = new LeaseFrontend(proposer::propose, this::header, store::currentRevision, ids::next, lessor,
                leaseForwarder);
        this.registry = registry;
        this.leaderTransfer = new LeaderTransfer(memberId, raft, registry, () -> header(store.currentRevision()),
                requestTimeout);
        this.clusterFrontend = new ClusterFrontend(new ClusterCore(), registry, s.strictReconfigCheck(),
                () -> System.currentTimeMillis() / 1000);
    }

    /**
     * Opens (or creates) the member's data dir and starts raft. Returns once raft is running;
     * {@link #ready()} completes when the member knows a leader and published itself.
     */
    public static EtcdServer start(MemberSettings s) throws IOException {
        return start(s, nanos -> { });
    }

    /** As {@link #start(MemberSettings)}, reporting every WAL fsync's duration in nanoseconds. */
    public static EtcdServer start(MemberSettings s, java.util.function.LongConsumer walFsyncNanos) throws IOException {
        return start(s, walFsyncNanos, Transport.NONE);
    }

    /**
     * As {@link #start(MemberSettings, java.util.function.LongConsumer)}, sending raft messages
     * to the other members through {@code transport}; peers' messages come in through
     * {@link #stepPeerMessage}.
     */
    public static EtcdServer start(MemberSettings s, java.util.function.LongConsumer walFsyncNanos,
                                   Transport transport) throws IOException {
        return start(s, walFsyncNanos, transport, null);
    }

    /**
     * As {@link #start(MemberSettings, java.util.function.LongConsumer, Transport)}; with
     * {@code joined} non-null and no WAL yet, the member joins that running cluster (its log starts
     * empty and the leader fills it) instead of bootstrapping a new one from --initial-cluster.
     * With a WAL, both are ignored: the WAL knows who the member is.
     */
    public static EtcdServer start(MemberSettings s, java.util.function.LongConsumer walFsyncNanos,
                                   Transport transport, ClusterInfo joined) throws IOException {
        return start(s, walFsyncNanos, transport, joined, srv -> { });
    }

    /**
     * As {@link #start(MemberSettings, java.util.function.LongConsumer, Transport, ClusterInfo)},
     * calling {@code beforeRaft} with the opened server before raft starts ticking (etcd binds its
     * peer listeners before its raft node starts): whoever serves the peer port can do so from
     * raft's first tick on. If it throws, the server is closed and the error rethrown.
     */
    public static EtcdServer start(MemberSettings s, java.util.function.LongConsumer walFsyncNanos,
                                   Transport transport, ClusterInfo joined,
                                   java.util.function.Consumer<EtcdServer> beforeRaft) throws IOException {
        Files.createDirectories(s.memberDir());
        List<Long> members = new ArrayList<>();
        List<Peer> peers = new ArrayList<>();
        long localId;
        long clusterId;
        if (joined == null) {
            for (Map.Entry<String, List<String>> m : s.initialCluster().entrySet()) {
                long id = MemberIds.memberId(m.getValue(), s.clusterToken(), null);
                members.add(id);
                // The bootstrap entries carry each member, as every conf change does.
                Member member = new Member(id, "", m.getValue(), List.of(), false);
                peers.add(new Peer(id, MemberChange.newBuilder().setMember(member.toInternal()).build().toByteString()));
            }
            peers.sort((a, b) -> Long.compareUnsigned(a.id(), b.id()));
            localId = MemberIds.memberId(s.advertisePeerUrls(), s.clusterToken(), null);
            clusterId = MemberIds.clusterId(members);
        } else {
            localId = joined.localId();
            clusterId = joined.clusterId();
        }
        SnapshotInstaller.recover(s.memberDir().resolve("db"));
        MvccStore store = MvccStore.open(s.memberDir().resolve("db"));
        try {
            Wait wait = new Wait();
            // etcd's minimum lease TTL: ceil(1.5 election timeouts), in whole heartbeats.
            long minTtl = (s.heartbeat().toMillis() * ((3L * s.electionTicks()) / 2) + 999) / 1000;
            LeaseStore leases = LeaseStore.open(store, minTtl, new LeaseMetrics());
            MemberRegistry registry = MemberRegistry.open(store.backend());
            AtomicReference<EtcdServer> self = new AtomicReference<>();
            MembershipApplier membership = new MembershipApplier(store, registry, id -> {
                EtcdServer srv = self.get();
                if (srv != null) {
                    srv.removal.memberRemoved(id);
                }
            });
            EntryApplier applier = new EntryApplier(store, new KvApplier(store, leases), leases, wait, membership,
                    new SnapshotInstaller(store, leases, s.memberDir().resolve("db"), s.memberDir().resolve("snap"),
                            step -> { }));
            RaftNode raft = RaftNode.open(new RaftNodeConfig(localId, clusterId, peers, s.effectiveWalDir(),
                    s.memberDir().resolve("snap"), s.heartbeat(), s.electionTicks(), s.snapshotCount(),
                    s.snapshotCatchUpEntries(), s.preVote(), new Slf4jRaftLogger(), walFsyncNanos), applier, transport);
            applier.setLocalMemberId(raft.memberId());
            EtcdServer server = new EtcdServer(s, store, wait, applier, raft, leases, registry);
            self.set(server);
            startRaft(server, beforeRaft);
            return server;
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static void startRaft(EtcdServer server, java.util.function.Consumer<EtcdServer> beforeRaft) {
        try {
            beforeRaft.accept(server);
        } catch (RuntimeException e) {
            // Everything but the store (the caller closes it): raft's storage, the lessor's threads.
            try {
                server.leaseForwarder.close();
                server.lessor.close();
                server.raft.closeUnstarted();
                server.readExecutor.shutdown();
            } catch (Exception c) {
                e.addSuppressed(c);
            }
            throw e;
        }
        server.raft.run();
    }

    public long memberId() {
        return memberId;
    }

    /** Hands a raft message from a peer to raft; never blocks (called on the peer port's event loop). */
    public void stepPeerMessage(io.etcdjava.raft.pb.Message m) {
        raft.step(m);
    }

    /** The transport could not reach {@code peer}. */
    public void reportUnreachable(long peer) {
        raft.reportUnreachable(peer);
    }

    /** Whether the snapshot raft sent to {@code peer} arrived. */
    public void reportSnapshot(long peer, boolean failed) {
        raft.reportSnapshot(peer, failed);
    }

    public long clusterId() {
        return clusterId;
    }

    /** The cluster's members as this member applied them. */
    public MemberRegistry members() {
        return registry;
    }

    /** The Cluster API of this member. */
    public ClusterService cluster() {
        return clusterFrontend;
    }

    /** Whether this member is a learner (replicates, never votes, serves little). */
    @Override
    public boolean isLearner() {
        return registry.member(memberId).map(Member::isLearner).orElse(false);
    }

    /**
     * Completes (about a second after it applied the removal, as etcd waits) once this member was
     * removed from the cluster; its owner then stops it.
     */
    public CompletableFuture<Void> removedFromCluster() {
        return removal.removed();
    }

    /**
     * Told (on the apply thread) of every other member removed while this member leads, so the
     * removed member can be told it is out.
     */
    public void onPeerRemoved(java.util.function.LongConsumer listener) {
        removal.onPeerRemoved(listener);
    }

    /** For a follower: how to ask the leader to promote a learner. */
    public void setPromoteForwarder(java.util.function.LongFunction<CompletableFuture<List<Member>>> forwarder) {
        clusterFrontend.setPromoteForwarder(forwarder);
    }

    /** Promotes a learner on behalf of a follower (peer port); this member must lead. */
    public CompletableFuture<List<Member>> promoteForPeer(long id) {
        return withTimeout(clusterFrontend.promote(id));
    }

    /**
     * A peer told this member it was removed (the leader's notice, or a peer refusing its raft
     * stream after it restarted removed); stops it as applying the removal would.
     */
    public void removedByLeader() {
        removal.memberRemoved(memberId);
    }

    /** The Lease API of this member. */
    public LeaseService leases() {
        return leaseFrontend;
    }

    /** The peer-port service through which followers reach this member's lessor when it leads. */
    public io.grpc.BindableService leaseForwardService() {
        return new LeaseForwardService(clusterId, lessor,
                () -> raft.waitApplied(raft.status().commitIndex()));
    }

    public LeaseMetrics leaseMetrics() {
        return leaseStore.metrics();
    }

    /** The current term while this member leads, else 0 (what the lessor follows). */
    private long leaderTerm() {
        RaftStatus st = raft.status();
        return st.leader() == memberId ? st.term() : 0;
    }

    public RaftStatus raftStatus() {
        return raft.status();
    }

    public long appliedIndex() {
        return raft.appliedIndex();
    }

    public long leaderChanges() {
        return raft.leaderChanges();
    }

    /** Proposals waiting to be applied (etcd_server_proposals_pending). */
    public int pendingProposals() {
        return wait.size();
    }

    /** Proposals that failed (etcd_server_proposals_failed_total). */
    public long failedProposals() {
        return proposer.failedProposals();
    }

    public long dbSize() {
        return store.dbSize();
    }

    /**
     * Writes a consistent copy of the whole backend into {@code target} (which must not exist) for
     * a snapshot to a peer; returns the raft snapshot metadata of the applied state it holds.
     */
    public io.etcdjava.raft.pb.SnapshotMetadata checkpointBackend(java.nio.file.Path target) throws Exception {
        // On the apply thread, so the copy holds exactly what the metadata says was applied (etcd's merged snapshot).
        return raft.atAppliedState(() -> store.backend().checkpoint(target)).get(2, TimeUnit.MINUTES);
    }

    /** Where raft snapshots and received databases live (member/snap). */
    public java.nio.file.Path snapDir() {
        return settings.memberDir().resolve("snap");
    }

    /** Reports every backend batch commit's duration in nanoseconds. */
    public void observeBackendCommits(java.util.function.LongConsumer observer) {
        store.backend().setCommitObserver(observer);
    }

    public long keysTotal() {
        return store.keysTotal();
    }

    /** The member's MVCC store (the watch store listens to it and reads its history). */
    public MvccStore mvccStore() {
        return store;
    }

    /** The cluster version once the leader set it; null before ("not_decided" on /version). */
    public String clusterVersion() {
        return applier.clusterVersion();
    }

    /**
     * Completes once this member knows a leader, has published its name and client URLs through
     * raft, and (as leader) set the cluster version — the point where etcd starts serving.
     */
    public CompletableFuture<Void> ready() {
        return publisher.ready();
    }

    // ------------------------------------------------------------------ KV

    @Override
    public CompletableFuture<RangeResponse> range(RangeRequest request) {
        return kv.range(request);
    }

    @Override
    public CompletableFuture<PutResponse> put(PutRequest request) {
        return kv.put(request);
    }

    @Override
    public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request) {
        return kv.deleteRange(request);
    }

    @Override
    public CompletableFuture<TxnResponse> txn(TxnRequest request) {
        return kv.txn(request);
    }

    @Override
    public CompletableFuture<CompactionResponse> compact(CompactionRequest request) {
        return kv.compact(request);
    }

    // ------------------------------------------------------------------ status

    @Override
    public CompletableFuture<StatusResponse> status() {
        RaftStatus rs = raft.status();
        StatusResponse.Builder b = StatusResponse.newBuilder()
                .setHeader(header(store.currentRevision()))
                .setVersion(VERSION)
                .setDbSize(store.dbSize())
                .setDbSizeInUse(store.dbSizeInUse())
                .setLeader(rs.leader())
                .setRaftIndex(rs.commitIndex())
                .setRaftTerm(rs.term())
                .setRaftAppliedIndex(raft.appliedIndex())
                .setIsLearner(isLearner());
        // As etcd: a member without a leader says so in the status errors (endpoint status' ERRORS column).
        if (!rs.hasLeader()) {
            b.addErrors(EtcdError.NO_LEADER.message());
        }
        return CompletableFuture.completedFuture(b.build());
    }

    @Override
    public CompletableFuture<MoveLeaderResponse> moveLeader(long transferee) {
        return leaderTransfer.moveTo(transferee);
    }

    @Override
    public boolean hasLeader() {
        return raft.status().hasLeader();
    }

    @Override
    public CompletableFuture<Void> checkHealth() {
        // The failure's message is the /health "reason", in etcd 3.5's words.
        if (!hasLeader()) {
            return CompletableFuture.failedFuture(new IllegalStateException("RAFT NO LEADER"));
        }
        return withTimeout(raft.linearizableBarrier()).exceptionallyCompose(err -> CompletableFuture.failedFuture(
                new IllegalStateException("QGET ERROR:" + Futures.unwrap(err).getMessage())));
    }

    // ------------------------------------------------------------------ internals

    ResponseHeader header(long revision) {
        return ResponseHeader.newBuilder().setClusterId(clusterId).setMemberId(memberId)
                .setRevision(revision).setRaftTerm(raft.status().term()).build();
    }

    /** The member core as the Cluster API sees it. */
    private final class ClusterCore implements ClusterFrontend.Core {
        @Override
        public long memberId() {
            return memberId;
        }

        @Override
        public CompletableFuture<Object> proposeConfChange(ConfChange.Builder cc) {
            return proposer.proposeConfChange(cc);
        }

        @Override
        public ResponseHeader header() {
            return EtcdServer.this.header(store.currentRevision());
        }

        @Override
        public CompletableFuture<io.etcdjava.raft.Status> raftDetails() {
            return withTimeout(raft.detailedStatus());
        }

        @Override
        public CompletableFuture<Void> linearizableBarrier() {
            return withTimeout(raft.linearizableBarrier());
        }
    }

    private <T> CompletableFuture<T> withTimeout(CompletableFuture<T> f) {
        return Futures.withTimeout(f, requestTimeout);
    }

    @Override
    public void close() throws Exception {
        try {
            leaseForwarder.close();
            lessor.close();
            raft.close();
        } finally {
            timeoutSweeper.shutdownNow();
            wait.failAll(EtcdError.STOPPED.exception());
            readExecutor.shutdown();
            readExecutor.awaitTermination(5, TimeUnit.SECONDS);
            store.close();
        }
    }
}
