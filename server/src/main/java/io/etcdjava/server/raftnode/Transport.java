package io.etcdjava.server.raftnode;

import io.etcdjava.raft.pb.Message;
import java.util.List;

/** Sends raft messages to peers; a single-member cluster has nowhere to send. */
public interface Transport {
    Transport NONE = msgs -> { };

    /** Must not block: called from the raft loop. Lost messages are fine; raft retries. */
    void send(List<Message> messages);
}
