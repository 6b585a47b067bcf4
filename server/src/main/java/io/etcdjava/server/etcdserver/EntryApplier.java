package io.etcdjava.server.etcdserver;

import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdjava.api.internal.InternalRaftRequest;
import io.etcdjava.raft.pb.ConfChange;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.EntryType;
import io.etcdjava.server.apply.KvApplier;
import io.etcdjava.server.errors.EtcdException;
import io.etcdjava.server.lease.LeaseStore;
import io.etcdjava.server.membership.MemberIds;
import io.etcdjava.server.mvcc.MvccStore;
import io.etcdjava.server.raftnode.Applier;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies committed raft entries to the member's stores, on the apply thread only, and hands each
 * result to the proposer waiting for it. Deterministic: the same entries give the same state on
 * every member. Entries the backend already holds (index ≤ consistent index) are skipped, which
 * is what makes replaying the WAL after a crash safe.
 */
final class EntryApplier implements Applier {
    private static final Logger log = LoggerFactory.getLogger(EntryApplier.class);

    /** Writes past which a write group commits before the next entry (bounds its memory). */
    static final long GROUP_BYTES = 4L << 20;

    /** The result for a proposer, held back until its entry's group is in the backend. */
    private record Answer(long id, Object result) {
    }

    private final MvccStore store;
    private final KvApplier kv;
    private final LeaseStore leases;
    private final Wait wait;
    /** Apply thread only: answers of the open write group. */
    private final List<Answer> answers = new java.util.ArrayList<>();
    private final MembershipApplier membership;
    /** Set once raft has told us who we are; only used to recognise our own publication. */
    private volatile long localMemberId;
    private volatile String clusterVersion;
    private final SnapshotInstaller installer;

    EntryApplier(MvccStore store, KvApplier kv, LeaseStore leases, Wait wait, MembershipApplier membership,
                 SnapshotInstaller installer) {
        this.store = store;
        this.kv = kv;
        this.leases = leases;
        this.wait = wait;
        this.membership = membership;
        this.installer = installer;
    }

    @Override
    public void installSnapshot(io.etcdjava.raft.pb.Snapshot snap) {
        if (installer != null) {
            installer.install(snap);
            // The received database carries the member list as of the snapshot.
            membership.reload();
        }
    }

    void setLocalMemberId(long id) {
        this.localMemberId = id;
    }

    String clusterVersion() {
        return clusterVersion;
    }

    /**
     * Applies the entries in write groups (see {@link MvccStore#beginGroup()}): a group goes to
     * RocksDB in one batch, and only then are its proposers answered and its revision visible. A
     * group closes at the end of the entries, before and after a membership change, and once it
     * holds {@link #GROUP_BYTES} of writes.
     */
    @Override
    public void apply(List<Entry> committed) {
        store.beginGroup();
        boolean applied = false;
        try {
            for (Entry e : committed) {
                if (e.getIndex() <= store.consistentIndex()) {
                    continue;
                }
                if (e.getType() == EntryType.EntryNormal && !e.getData().isEmpty()) {
                    applyRequest(e);
                } else if (e.getType() == EntryType.EntryConfChange) {
                    commitGroup();
                    applyConfChange(e);
                    commitGroup();
                } else {
                    // Leader no-ops (and V2 conf changes, which we never propose) touch no key.
                    kv.noop(e.getIndex(), e.getTerm());
                }
                if (store.groupBytes() >= GROUP_BYTES) {
                    commitGroup();
                }
            }
            applied = true;
        } finally {
            if (applied) {
                store.commitGroup();
                answer();
            } else {
                // The member stops: entries not in the backend are replayed from the WAL.
                answers.clear();
                store.discardGroup();
            }
        }
    }

    /** Commits the open group, answers its proposers and opens the next group. */
    private void commitGroup() {
        store.commitGroup();
        answer();
        store.beginGroup();
    }

    private void answer() {
        for (Answer a : answers) {
            wait.trigger(a.id(), a.result());
        }
        answers.clear();
    }

    private void applyConfChange(Entry e) {
        ConfChange cc;
        try {
            cc = ConfChange.parseFrom(e.getData());
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException("undecodable conf change at index " + e.getIndex(), ex);
        }
        Object result = membership.applyConfChange(e, cc);
        if (cc.getId() != 0) {
            answers.add(new Answer(cc.getId(), result));
        }
    }

    private void applyRequest(Entry e) {
        InternalRaftRequest req;
        try {
            req = InternalRaftRequest.parseFrom(e.getData());
        } catch (InvalidProtocolBufferException ex) {
            // Only our own members write the log; an undecodable entry means a corrupt log.
            throw new IllegalStateException("undecodable raft entry at index " + e.getIndex(), ex);
        }
        long id = req.getHeader().getID();
        Object result;
        try {
            result = dispatch(req, e.getIndex(), e.getTerm());
        } catch (EtcdException ex) {
            result = ex;
        }
        answers.add(new Answer(id, result));
    }

    private Object dispatch(InternalRaftRequest req, long index, long term) {
        if (req.hasPut()) {
            return kv.put(req.getPut(), index, term);
        }
        if (req.hasDeleteRange()) {
            return kv.deleteRange(req.getDeleteRange(), index, term);
        }
        if (req.hasTxn()) {
            return kv.txn(req.getTxn(), index, term);
        }
        if (req.hasCompaction()) {
            return kv.compact(req.getCompaction(), index, term);
        }
        if (req.hasLeaseGrant()) {
            return leases.grant(req.getLeaseGrant(), index, term);
        }
        if (req.hasLeaseRevoke()) {
            return leases.revoke(req.getLeaseRevoke().getID(), index, term);
        }
        if (req.hasLeaseCheckpoint()) {
            leases.checkpoint(req.getLeaseCheckpoint(), index, term);
            return Boolean.TRUE;
        }
        if (req.hasClusterMemberAttrSet()) {
            var attr = req.getClusterMemberAttrSet();
            membership.setAttributes(attr, index, term);
            if (attr.getMemberID() == localMemberId) {
                log.atInfo().addKeyValue("local-member-id", MemberIds.hex(localMemberId))
                        .addKeyValue("local-member-attributes", attr.getMemberAttributes().getName())
                        .log("applied local member attributes");
            }
            return Boolean.TRUE;
        }
        kv.noop(index, term);
        if (req.hasClusterVersionSet()) {
            String ver = req.getClusterVersionSet().getVer();
            if (!ver.equals(clusterVersion)) {
                log.atInfo().addKeyValue("cluster-version", ver).log("set the cluster version");
                log.atInfo().addKeyValue("cluster-version", ver.substring(0, ver.lastIndexOf('.')))
                        .log("enabled capabilities for cluster version");
                clusterVersion = ver;
            }
        }
        return Boolean.TRUE;
    }

    @Override
    public long forceCommit() {
        store.forceCommit();
        return store.consistentIndex();
    }
}
