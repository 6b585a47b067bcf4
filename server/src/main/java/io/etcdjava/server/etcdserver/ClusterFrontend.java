package io.etcdjava.server.etcdserver;

import com.google.protobuf.ByteString;
import io.etcdjava.api.etcdserverpb.MemberAddRequest;
import io.etcdjava.api.etcdserverpb.MemberAddResponse;
import io.etcdjava.api.etcdserverpb.MemberListRequest;
import io.etcdjava.api.etcdserverpb.MemberListResponse;
import io.etcdjava.api.etcdserverpb.MemberPromoteRequest;
import io.etcdjava.api.etcdserverpb.MemberPromoteResponse;
import io.etcdjava.api.etcdserverpb.MemberRemoveRequest;
import io.etcdjava.api.etcdserverpb.MemberRemoveResponse;
import io.etcdjava.api.etcdserverpb.MemberUpdateRequest;
import io.etcdjava.api.etcdserverpb.MemberUpdateResponse;
import io.etcdjava.api.etcdserverpb.ResponseHeader;
import io.etcdjava.api.internal.MemberChange;
import io.etcdjava.raft.Status;
import io.etcdjava.raft.pb.ConfChange;
import io.etcdjava.raft.pb.ConfChangeType;
import io.etcdjava.raft.tracker.Progress;
import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.log.Log;
import io.etcdjava.server.membership.Member;
import io.etcdjava.server.membership.MemberIds;
import io.etcdjava.server.membership.MemberRegistry;
import io.etcdjava.server.membership.ReconfigCheck;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Cluster API of a member: checks a request the way etcd does before proposing it (valid
 * URLs, strict reconfiguration, a learner in sync before promotion), proposes the conf change and
 * answers with the member list as applying it left it.
 */
final class ClusterFrontend implements ClusterService {
    private static final Logger log = LoggerFactory.getLogger(ClusterFrontend.class);
    private static final Set<String> URL_SCHEMES = Set.of("http", "https", "unix", "unixs");

    /** What the frontend needs of the member core. */
    interface Core {
        long memberId();

        /** Proposes a conf change; completes with what applying it produced (a registry view). */
        CompletableFuture<Object> proposeConfChange(ConfChange.Builder cc);

        ResponseHeader header();

        /** The raft core's status, with peer progress when leading. */
        CompletableFuture<Status> raftDetails();

        /** Completes once a local read is linearizable. */
        CompletableFuture<Void> linearizableBarrier();
    }

    private final Core core;
    private final MemberRegistry registry;
    private final boolean strictReconfig;
    private final Supplier<Long> clock;
    /** Asks the leader to promote a learner when this member is not the leader. */
    private volatile LongFunction<CompletableFuture<List<Member>>> promoteForwarder;

    ClusterFrontend(Core core, MemberRegistry registry, boolean strictReconfig, Supplier<Long> unixSeconds) {
        this.core = core;
        this.registry = registry;
        this.strictReconfig = strictReconfig;
        this.clock = unixSeconds;
    }

    void setPromoteForwarder(LongFunction<CompletableFuture<List<Member>>> forwarder) {
        this.promoteForwarder = forwarder;
    }

    @Override
    public CompletableFuture<MemberAddResponse> memberAdd(MemberAddRequest request) {
        return guarded(() -> {
            List<String> urls = checkUrls(request.getPeerURLsList());
            Member m = Member.unstarted(MemberIds.memberId(urls, "", clock.get()), urls, request.getIsLearner());
            MemberRegistry.checkAdd(registry.view(), m);
            if (strictReconfig && !m.isLearner()) {
                refuseIf(() -> ReconfigCheck.checkAddVoter(registry.members()), "rejecting member add request");
            }
            ConfChange.Builder cc = ConfChange.newBuilder()
                    .setType(m.isLearner() ? ConfChangeType.ConfChangeAddLearnerNode : ConfChangeType.ConfChangeAddNode)
                    .setNodeId(m.id()).setContext(context(m, false));
            return apply(cc).thenApply(members -> MemberAddResponse.newBuilder().setHeader(core.header())
                    .setMember(m.toApi()).addAllMembers(api(members)).build());
        });
    }

    @Override
    public CompletableFuture<MemberRemoveResponse> memberRemove(MemberRemoveRequest request) {
        long id = request.getID();
        return guarded(() -> {
            MemberRegistry.checkRemove(registry.view(), id);
            CompletableFuture<Void> checked = CompletableFuture.completedFuture(null);
            if (strictReconfig) {
                refuseIf(() -> ReconfigCheck.checkRemoveVoter(registry.members(), id),
                        "rejecting member remove request; not enough healthy members");
                checked = core.raftDetails().thenAccept(st -> {
                    if (!st.progress().isEmpty()) {
                        Map<Long, Boolean> active = new HashMap<>();
                        st.progress().forEach((peer, pr) -> active.put(peer, pr.recentActive()));
                        refuseIf(() -> ReconfigCheck.checkActiveQuorumAfterRemove(registry.members(), id,
                                core.memberId(), active),
                                "rejecting member remove request; local member has not been connected to all peers, "
                                        + "reconfigure breaks active quorum");
                    }
                });
            }
            ConfChange.Builder cc = ConfChange.newBuilder().setType(ConfChangeType.ConfChangeRemoveNode).setNodeId(id);
            return checked.thenCompose(v -> apply(cc)).thenApply(members -> MemberRemoveResponse.newBuilder()
                    .setHeader(core.header()).addAllMembers(api(members)).build());
        });
    }

    @Override
    public CompletableFuture<MemberUpdateResponse> memberUpdate(MemberUpdateRequest request) {
        return guarded(() -> {
            List<String> urls = checkUrls(request.getPeerURLsList());
            MemberRegistry.checkUpdate(registry.view(), request.getID(), urls);
            Member current = registry.member(request.getID()).orElseThrow();
            ConfChange.Builder cc = ConfChange.newBuilder().setType(ConfChangeType.ConfChangeUpdateNode)
                    .setNodeId(request.getID()).setContext(context(current.withPeerUrls(urls), false));
            return apply(cc).thenApply(members -> MemberUpdateResponse.newBuilder().setHeader(core.header())
                    .addAllMembers(api(members)).build());
        });
    }

    @Override
    public CompletableFuture<MemberListResponse> memberList(MemberListRequest request) {
        CompletableFuture<Void> barrier = request.getLinearizable() ? core.linearizableBarrier()
                : CompletableFuture.completedFuture(null);
        return barrier.thenApply(v -> MemberListResponse.newBuilder().setHeader(core.header())
                .addAllMembers(api(registry.members())).build());
    }

    @Override
    public CompletableFuture<MemberPromoteResponse> memberPromote(MemberPromoteRequest request) {
        return promote(request.getID()).thenApply(members -> MemberPromoteResponse.newBuilder()
                .setHeader(core.header()).addAllMembers(api(members)).build());
    }

    /**
     * Promotes a learner. Only the leader knows how far the learner's log is, so a follower hands
     * the request to the leader (over the peer port), as etcd does.
     */
    CompletableFuture<List<Member>> promote(long id) {
        return guarded(() -> {
            MemberRegistry.checkPromote(registry.view(), id);
            return core.raftDetails().thenCompose(st -> {
                if (st.progress().isEmpty()) {
                    LongFunction<CompletableFuture<List<Member>>> forward = promoteForwarder;
                    if (forward == null) {
                        throw EtcdError.NOT_LEADER.exception();
                    }
                    return forward.apply(id);
                }
                Progress learner = st.progress().get(id);
                Progress leader = st.progress().get(st.id());
                if (learner != null && leader != null) {
                    ReconfigCheck.checkLearnerInSync(learner.match(), leader.match());
                }
                if (strictReconfig) {
                    refuseIf(() -> ReconfigCheck.checkPromote(registry.members()),
                            "rejecting member promote request; not enough healthy members");
                }
                Member m = registry.member(id).orElseThrow(EtcdError.MEMBER_NOT_FOUND::exception);
                return apply(ConfChange.newBuilder().setType(ConfChangeType.ConfChangeAddNode).setNodeId(id)
                        .setContext(context(m.promoted(), true)));
            });
        });
    }

    private CompletableFuture<List<Member>> apply(ConfChange.Builder cc) {
        return core.proposeConfChange(cc).thenApply(r -> ((MemberRegistry.View) r).members());
    }

    private void refuseIf(Runnable check, String warning) {
        try {
            check.run();
        } catch (EtcdException e) {
            Log.warn(log, warning, "local-member-id", MemberIds.hex(core.memberId()), "error", e.getMessage());
            throw e;
        }
    }

    private static ByteString context(Member m, boolean promote) {
        return MemberChange.newBuilder().setMember(m.toInternal()).setIsPromote(promote).build().toByteString();
    }

    private static List<io.etcdjava.api.etcdserverpb.Member> api(List<Member> members) {
        List<io.etcdjava.api.etcdserverpb.Member> out = new ArrayList<>(members.size());
        for (Member m : members) {
            out.add(m.toApi());
        }
        return out;
    }

    /** etcd's types.NewURLs: scheme http(s)/unix(s), host:port, no path; returned sorted. */
    static List<String> checkUrls(List<String> urls) {
        List<String> out = new ArrayList<>(urls.size());
        for (String s : urls) {
            URI u;
            try {
                u = new URI(s);
            } catch (Exception e) {
                throw EtcdError.MEMBER_BAD_URLS.exception();
            }
            if (u.getScheme() == null || !URL_SCHEMES.contains(u.getScheme()) || u.getHost() == null
                    || u.getPort() < 0 || (u.getRawPath() != null && !u.getRawPath().isEmpty())) {
                throw EtcdError.MEMBER_BAD_URLS.exception();
            }
            out.add(s);
        }
        out.sort(null);
        return out;
    }

    private static <T> CompletableFuture<T> guarded(Supplier<CompletableFuture<T>> body) {
        try {
            return body.get();
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

}
