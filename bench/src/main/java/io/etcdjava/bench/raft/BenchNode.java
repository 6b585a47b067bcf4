package io.etcdjava.bench.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.etcdjava.raft.Config;
import io.etcdjava.raft.MemoryStorage;
import io.etcdjava.raft.ProposalDroppedException;
import io.etcdjava.raft.RawNode;
import io.etcdjava.raft.Ready;
import io.etcdjava.raft.StateType;
import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.EntryType;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import io.etcdjava.raft.pb.Snapshot;
import io.etcdjava.raft.pb.SnapshotMetadata;
import io.etcdjava.raft.wal.Wal;
import io.etcdjava.raft.wal.WalSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One Raft member for the benchmark: a RawNode driven by its own loop thread, persisting to a
 * real WAL with one fsync per Ready (group commit), talking to its peers through in-memory queues
 * carrying serialized messages. The driver order is the one DESIGN.md prescribes.
 */
final class BenchNode implements AutoCloseable {
    /** A client proposal; {@code reqId} is also the first 8 bytes of its data. */
    record Proposal(long reqId, ByteString data, CompletableFuture<Void> done) {
    }

    private enum Command { TICK, CAMPAIGN }

    final long id;
    private final RawNode node;
    private final MemoryStorage storage = new MemoryStorage();
    private final Wal wal;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final Map<Long, CompletableFuture<Void>> pending = new HashMap<>();
    private final Thread loop;
    private Map<Long, BenchNode> peers = Map.of();
    private volatile boolean running = true;
    private volatile boolean leader;
    private long appliedSinceCompact;

    BenchNode(long id, List<Long> voters, Path walDir) throws IOException {
        this.id = id;
        this.wal = Wal.create(walDir, ByteString.copyFromUtf8("bench-node-" + id));
        // Every member starts from the same configuration, given as an initial snapshot.
        ConfState cs = ConfState.newBuilder().addAllVoters(voters).build();
        storage.applySnapshot(Snapshot.newBuilder()
                .setMetadata(SnapshotMetadata.newBuilder().setConfState(cs).setIndex(1).setTerm(1)).build());
        wal.saveSnapshot(new WalSnapshot(1, 1));
        this.node = new RawNode(Config.builder().id(id).storage(storage).electionTick(10).heartbeatTick(1)
                .preVote(true).checkQuorum(true).maxInflightMsgs(256).maxSizePerMsg(1024 * 1024).build());
        this.loop = new Thread(this::run, "raft-loop-" + id);
    }

    void start(Map<Long, BenchNode> cluster) {
        this.peers = cluster;
        loop.start();
    }

    boolean isLeader() {
        return leader;
    }

    void tick() {
        inbox.add(Command.TICK);
    }

    void campaign() {
        inbox.add(Command.CAMPAIGN);
    }

    void propose(Proposal p) {
        inbox.add(p);
    }

    private void deliver(byte[] wire) {
        inbox.add(wire);
    }

    private void run() {
        List<Object> batch = new ArrayList<>();
        List<Proposal> proposals = new ArrayList<>();
        try {
            while (running) {
                // Block only when there is nothing left to do: advance may have queued more work.
                Object first = node.hasReady() ? inbox.poll() : inbox.poll(10, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    inbox.drainTo(batch);
                    for (Object o : batch) {
                        if (o instanceof Proposal p) {
                            proposals.add(p);
                        } else {
                            handle(o);
                        }
                    }
                    batch.clear();
                    if (!proposals.isEmpty()) {
                        proposeBatch(proposals);
                        proposals.clear();
                    }
                }
                if (node.hasReady()) {
                    processReady(node.ready());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new IllegalStateException("node " + id + " failed to persist", e);
        }
    }

    /** All proposals that arrived together become one MsgProp: one append, one MsgApp per peer. */
    private void proposeBatch(List<Proposal> proposals) {
        List<ByteString> data = new ArrayList<>(proposals.size());
        for (Proposal p : proposals) {
            data.add(p.data());
        }
        try {
            node.proposeAll(data);
            for (Proposal p : proposals) {
                pending.put(p.reqId(), p.done());
            }
        } catch (ProposalDroppedException e) {
            for (Proposal p : proposals) {
                p.done().completeExceptionally(e);
            }
        }
    }

    private void handle(Object o) {
        if (o == Command.TICK) {
            node.tick();
        } else if (o == Command.CAMPAIGN) {
            node.campaign();
        } else if (o instanceof byte[] wire) {
            try {
                node.step(Message.parseFrom(wire));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private void processReady(Ready rd) throws IOException {
        if (rd.softState() != null) {
            leader = rd.softState().raftState() == StateType.LEADER;
        }
        // A leader's replication messages go out while it fsyncs; it counts its own entries only
        // after advance. Everything else (votes, acks) waits for durability.
        List<Message> later = new ArrayList<>();
        for (Message m : rd.messages()) {
            if (leader && isReplication(m.getType())) {
                send(m);
            } else {
                later.add(m);
            }
        }
        wal.save(rd.hardState(), rd.entries());
        storage.append(rd.entries());
        if (rd.hardState() != null) {
            storage.setHardState(rd.hardState());
        }
        for (Message m : later) {
            send(m);
        }
        apply(rd.committedEntries());
        node.advance(rd);
    }

    private static boolean isReplication(MessageType t) {
        return t == MessageType.MsgApp || t == MessageType.MsgHeartbeat || t == MessageType.MsgSnap;
    }

    private void send(Message m) {
        BenchNode to = peers.get(m.getTo());
        if (to != null) {
            to.deliver(m.toByteArray());
        }
    }

    private void apply(List<Entry> committed) {
        for (Entry e : committed) {
            if (e.getType() == EntryType.EntryNormal && e.getData().size() >= 8) {
                CompletableFuture<Void> f = pending.remove(e.getData().asReadOnlyByteBuffer().getLong());
                if (f != null) {
                    f.complete(null);
                }
            }
        }
        if (!committed.isEmpty()) {
            appliedSinceCompact += committed.size();
            long last = committed.get(committed.size() - 1).getIndex();
            // Keep the in-memory log bounded on long runs; followers here never lag that far.
            if (appliedSinceCompact > 100_000 && last > 50_000) {
                storage.compact(last - 50_000);
                appliedSinceCompact = 0;
            }
        }
    }

    @Override
    public void close() throws Exception {
        running = false;
        loop.join(5_000);
        wal.close();
    }
}
