package io.etcdjava.server.embed;

import io.etcdjava.raft.pb.Message;
import io.etcdjava.server.raftnode.Transport;
import java.util.List;

/**
 * Lets raft start before the peer transport exists: the transport needs the cluster and member
 * IDs the WAL holds, which are known only once raft opened it. Messages before then are dropped
 * (raft resends).
 */
final class DeferredTransport implements Transport {
    private volatile Transport delegate = Transport.NONE;

    void set(Transport t) {
        delegate = t;
    }

    @Override
    public void send(List<Message> messages) {
        delegate.send(messages);
    }
}
