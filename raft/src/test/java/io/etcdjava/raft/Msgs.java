package io.etcdjava.raft;

import io.etcdjava.raft.pb.ConfChange;
import io.etcdjava.raft.pb.ConfChangeSingle;
import io.etcdjava.raft.pb.ConfChangeTransition;
import io.etcdjava.raft.pb.ConfChangeType;
import io.etcdjava.raft.pb.ConfChangeV2;
import io.etcdjava.raft.pb.ConfState;
import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import java.util.List;

/** Builders for hand-made messages in tests. */
final class Msgs {
    private Msgs() {
    }

    static Message.Builder msg(MessageType t, long from, long to, long term) {
        return Message.newBuilder().setType(t).setFrom(from).setTo(to).setTerm(term);
    }

    static Message hup() {
        return Message.newBuilder().setType(MessageType.MsgHup).build();
    }

    static Message beat() {
        return Message.newBuilder().setType(MessageType.MsgBeat).build();
    }

    static Message vote(long from, long to, long term, long lastTerm, long lastIndex) {
        return msg(MessageType.MsgVote, from, to, term).setLogTerm(lastTerm).setIndex(lastIndex).build();
    }

    static Message voteResp(long from, long to, long term, boolean reject) {
        return msg(MessageType.MsgVoteResp, from, to, term).setReject(reject).build();
    }

    static Message app(long from, long to, long term, long prevTerm, long prevIndex, long commit, List<Entry> ents) {
        return msg(MessageType.MsgApp, from, to, term).setLogTerm(prevTerm).setIndex(prevIndex)
                .setCommit(commit).addAllEntries(ents).build();
    }

    static Message appResp(long from, long to, long term, long index) {
        return msg(MessageType.MsgAppResp, from, to, term).setIndex(index).build();
    }

    static Message heartbeat(long from, long to, long term, long commit) {
        return msg(MessageType.MsgHeartbeat, from, to, term).setCommit(commit).build();
    }

    static ConfChange cc1(ConfChangeType t, long node) {
        return ConfChange.newBuilder().setType(t).setNodeId(node).build();
    }

    static ConfChangeSingle single(ConfChangeType t, long node) {
        return ConfChangeSingle.newBuilder().setType(t).setNodeId(node).build();
    }

    static ConfChangeV2 cc2(ConfChangeTransition tr, ConfChangeSingle... changes) {
        return ConfChangeV2.newBuilder().setTransition(tr).addAllChanges(List.of(changes)).build();
    }

    static ConfChangeV2 leaveJoint() {
        return ConfChangeV2.getDefaultInstance();
    }

    static ConfState voters(long... ids) {
        ConfState.Builder b = ConfState.newBuilder();
        for (long id : ids) {
            b.addVoters(id);
        }
        return b.build();
    }
}
