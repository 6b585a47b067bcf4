package io.etcdjava.server.restore;

import io.etcdjava.api.internal.MemberChange;
import io.etcdjava.api.internal.Metadata;
import io.etcdjava.raft.pb.ConfChange;
import io.etcdjava.raft.pb.ConfChangeType;
import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.EntryType;
import io.etcdjava.raft.pb.HardState;
import io.etcdjava.raft.pb.Snapshot;
import io.etcdjava.raft.pb.SnapshotMetadata;
import io.etcdjava.raft.snap.Snapshotter;
import io.etcdjava.raft.wal.Wal;
import io.etcdjava.raft.wal.WalSnapshot;
import io.etcdjava.server.membership.Member;
import io.etcdjava.server.membership.MemberIds;
import io.etcdjava.server.membership.MemberRegistry;
import io.etcdjava.server.mvcc.backend.Backend;
import io.etcdjava.server.mvcc.backend.Batch;
import io.etcdjava.server.mvcc.backend.Schema;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * {@code etcdctl snapshot restore}'s server side: a fresh member's data dir built from an etcd backend
 * snapshot, which {@code bin/etcd} then starts from as an existing member of a new cluster. As etcd's
 * restore does, the keys (every revision, tombstones, the compaction marks) and leases are kept, the old
 * membership is dropped for the members of {@code --initial-cluster}, and the raft state is a log whose
 * first entries add those members, committed and covered by a snapshot at that index (the backend's
 * consistent index), so nothing is replayed and the member resumes at the snapshot's revision.
 *
 * <p>etcdctl loads this class in its own class loader only when restore runs; its public methods take
 * JDK types only for that reason. Not thread-safe; the target directories must not exist.
 */
public final class RestoredMember {
    /** etcd's buckets that hold what a restored member keeps. */
    private static final String KEY_BUCKET = "key";
    private static final String LEASE_BUCKET = "lease";
    private static final String META_BUCKET = "meta";
    /** Puts per backend commit while copying, so a large snapshot does not sit in one write batch. */
    private static final int COMMIT_EVERY = 10_000;
    /** The term of the bootstrap entries and the snapshot, as in etcd's restore. */
    private static final long TERM = 1;

    private RestoredMember() {
    }

    /**
     * Writes the member's data dir.
     *
     * @param name this member's name in {@code initialCluster}
     * @param initialCluster every member's name and peer URLs
     * @param buckets reads the snapshot: {@code buckets.accept(bucket, sink)} hands each key and value
     *     of that bucket, in key order, to {@code sink} (nothing for a missing bucket)
     */
    public static void write(String name, Map<String, List<String>> initialCluster, String clusterToken,
                             Path dataDir, Path walDir, BiConsumer<String, BiConsumer<byte[], byte[]>> buckets)
            throws IOException {
        List<Member> members = members(initialCluster, clusterToken);
        Member self = members.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no member named " + name + " in the initial cluster"));
        long clusterId = MemberIds.clusterId(members.stream().map(Member::id).toList());
        Path memberDir = dataDir.resolve("member");
        createPrivateDirs(memberDir);
        long commit = members.size();
        writeBackend(memberDir.resolve("db"), members, commit, buckets);
        writeRaftState(walDir, memberDir.resolve("snap"), self.id(), clusterId, members, commit);
    }

    /** The new cluster's members in ascending ID order (etcd's order), named as in --initial-cluster. */
    static List<Member> members(Map<String, List<String>> initialCluster, String clusterToken) {
        List<Member> out = new ArrayList<>();
        // etcd keeps each member's peer URLs sorted (types.NewURLs)
        initialCluster.forEach((n, urls) -> out.add(new Member(MemberIds.memberId(urls, clusterToken, null), n,
                urls.stream().sorted().toList(), List.of(), false)));
        out.sort((a, b) -> Long.compareUnsigned(a.id(), b.id()));
        return out;
    }

    private static void writeBackend(Path dbDir, List<Member> members, long consistentIndex,
                                     BiConsumer<String, BiConsumer<byte[], byte[]>> buckets) {
        try (Backend backend = Backend.open(dbDir)) {
            Copier keys = new Copier(backend, Schema.KEY);
            buckets.accept(KEY_BUCKET, keys);
            keys.finish();
            Copier leases = new Copier(backend, Schema.LEASE);
            buckets.accept(LEASE_BUCKET, leases);
            leases.finish();
            try (Batch b = backend.newBatch()) {
                // Compaction marks carry over, so the restored member refuses the revisions etcd compacted.
                buckets.accept(META_BUCKET, (k, v) -> {
                    if (Arrays.equals(k, Schema.META_SCHEDULED_COMPACT) || Arrays.equals(k, Schema.META_FINISHED_COMPACT)) {
                        b.put(Schema.META, k, v);
                    }
                });
                MemberRegistry registry = MemberRegistry.open(backend);
                for (Member m : members) {
                    registry.add(m, b);
                }
                // The bootstrap entries up to this index are in the snapshot: none is applied again.
                b.put(Schema.META, Schema.META_CONSISTENT_INDEX, longBytes(consistentIndex));
                b.put(Schema.META, Schema.META_TERM, longBytes(TERM));
                backend.commit(b);
            }
            backend.forceCommit();
        }
    }

    /** Copies one bucket into a column family, in commits of {@link #COMMIT_EVERY} puts. */
    private static final class Copier implements BiConsumer<byte[], byte[]> {
        private final Backend backend;
        private final Schema cf;
        private Batch batch;

        Copier(Backend backend, Schema cf) {
            this.backend = backend;
            this.cf = cf;
            this.batch = backend.newBatch();
        }

        @Override
        public void accept(byte[] k, byte[] v) {
            if (v == null) {
                return; // a nested bucket: etcd keeps none in these
            }
            batch.put(cf, k, v);
            if (batch.size() >= COMMIT_EVERY) {
                backend.commit(batch);
                batch.close();
                batch = backend.newBatch();
            }
        }

        void finish() {
            try {
                backend.commit(batch);
            } finally {
                batch.close();
            }
        }
    }

    /**
     * The WAL as a new member's first Ready would leave it (metadata, the entries adding every member,
     * committed), then a snapshot at the last of them and its WAL marker: on start the member loads the
     * snapshot and its configuration, and replays nothing.
     */
    private static void writeRaftState(Path walDir, Path snapDir, long selfId, long clusterId, List<Member> members,
                                       long commit) throws IOException {
        createPrivateDirs(walDir);
        List<Entry> entries = new ArrayList<>();
        ConfState.Builder conf = ConfState.newBuilder();
        for (Member m : members) {
            ConfChange cc = ConfChange.newBuilder().setType(ConfChangeType.ConfChangeAddNode).setNodeId(m.id())
                    .setContext(MemberChange.newBuilder().setMember(m.toInternal()).build().toByteString()).build();
            entries.add(Entry.newBuilder().setType(EntryType.EntryConfChange).setTerm(TERM)
                    .setIndex(entries.size() + 1).setData(cc.toByteString()).build());
            conf.addVoters(m.id());
        }
        Metadata md = Metadata.newBuilder().setNodeID(selfId).setClusterID(clusterId).build();
        try (Wal wal = Wal.create(walDir, md.toByteString())) {
            wal.save(HardState.newBuilder().setTerm(TERM).setVote(members.get(0).id()).setCommit(commit).build(),
                    entries);
            Snapshot snap = Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setIndex(commit)
                    .setTerm(TERM).setConfState(conf)).build();
            // The file first, then its marker: a marker never points at a missing snapshot.
            new Snapshotter(snapDir).save(snap);
            wal.saveSnapshot(new WalSnapshot(commit, TERM));
            wal.sync();
        }
    }

    private static void createPrivateDirs(Path dir) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            createPrivateDirs(parent);
        }
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectory(dir);
        }
    }

    private static byte[] longBytes(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }
}
