package io.etcdjava.server.etcdserver;

import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdjava.api.internal.ClusterMemberAttrSetRequest;
import io.etcdjava.api.internal.MemberChange;
import io.etcdjava.raft.pb.ConfChange;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.log.Log;
import io.etcdjava.server.membership.Member;
import io.etcdjava.server.membership.MemberIds;
import io.etcdjava.server.membership.MemberRegistry;
import io.etcdjava.server.mvcc.MvccStore;
import io.etcdjava.server.mvcc.WriteTxn;
import java.util.List;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies membership entries (conf changes carrying a {@link MemberChange}, and members'
 * published attributes) to the {@link MemberRegistry}, in the same backend batch as the consistent
 * index. Apply thread only. Raft itself already applied the conf change to its configuration.
 */
final class MembershipApplier {
    private static final Logger log = LoggerFactory.getLogger(MembershipApplier.class);

    private final MvccStore store;
    private final MemberRegistry registry;
    private final LongConsumer removedMember;

    /** @param removedMember told the ID of each member removed (this member stops if it is itself) */
    MembershipApplier(MvccStore store, MemberRegistry registry, LongConsumer removedMember) {
        this.store = store;
        this.registry = registry;
        this.removedMember = removedMember;
    }

    /** Re-reads the members from the backend (it was just replaced by a snapshot's database). */
    void reload() {
        registry.reload();
    }

    /** Applies a conf change entry; returns the view after it, or the reason it was refused. */
    Object applyConfChange(Entry e, ConfChange cc) {
        MemberChange change;
        try {
            change = cc.getContext().isEmpty() ? MemberChange.getDefaultInstance()
                    : MemberChange.parseFrom(cc.getContext());
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException("undecodable conf change context at index " + e.getIndex(), ex);
        }
        Object result;
        boolean removed = false;
        try (WriteTxn txn = store.write(e.getIndex(), e.getTerm())) {
            try {
                Member m = change.hasMember() ? Member.fromInternal(change.getMember())
                        : Member.unstarted(cc.getNodeId(), List.of(), false);
                switch (cc.getType()) {
                    case ConfChangeAddNode, ConfChangeAddLearnerNode -> {
                        if (cc.getId() == 0) {
                            registry.addInitial(m, txn.batch());
                        } else if (change.getIsPromote()) {
                            registry.promote(cc.getNodeId(), txn.batch());
                        } else {
                            registry.add(m, txn.batch());
                        }
                    }
                    case ConfChangeRemoveNode -> {
                        registry.remove(cc.getNodeId(), txn.batch());
                        removed = true;
                    }
                    case ConfChangeUpdateNode -> registry.updatePeerUrls(cc.getNodeId(), m.peerUrls(), txn.batch());
                    default -> throw new IllegalStateException("unknown conf change type " + cc.getType());
                }
                result = registry.view();
            } catch (EtcdException refused) {
                result = refused;
            }
        }
        if (!(result instanceof EtcdException)) {
            logChange(cc, change);
            registry.fire();
            if (removed) {
                removedMember.accept(cc.getNodeId());
            }
        }
        return result;
    }

    /** Records a member's published name and client URLs. */
    void setAttributes(ClusterMemberAttrSetRequest attr, long index, long term) {
        try (WriteTxn txn = store.write(index, term)) {
            registry.setAttributes(attr.getMemberID(), attr.getMemberAttributes().getName(),
                    attr.getMemberAttributes().getClientUrlsList(), txn.batch());
        }
        registry.fire();
    }

    private static void logChange(ConfChange cc, MemberChange change) {
        String id = MemberIds.hex(cc.getNodeId());
        switch (cc.getType()) {
            case ConfChangeAddNode, ConfChangeAddLearnerNode -> {
                if (change.getIsPromote()) {
                    Log.info(log, "promote member", "promoted-member-id", id);
                } else {
                    Log.info(log, cc.getType() == io.etcdjava.raft.pb.ConfChangeType.ConfChangeAddLearnerNode
                                    ? "added learner member" : "added member",
                            "added-peer-id", id, "added-peer-peer-urls",
                            change.getMember().getRaftAttributes().getPeerUrlsList());
                }
            }
            case ConfChangeRemoveNode -> Log.info(log, "removed member", "removed-remote-peer-id", id);
            case ConfChangeUpdateNode -> Log.info(log, "updated member", "updated-remote-peer-id", id,
                    "updated-remote-peer-urls", change.getMember().getRaftAttributes().getPeerUrlsList());
            default -> { }
        }
    }
}
