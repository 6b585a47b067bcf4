package io.etcdjava.raft;

import static io.etcdjava.raft.Msgs.app;
import static io.etcdjava.raft.Msgs.appResp;
import static io.etcdjava.raft.Network.bytes;
import static io.etcdjava.raft.Network.entries;
import static io.etcdjava.raft.Network.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.raft.pb.Entry;
import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Raft paper §5.3 (log replication): Log Matching and Leader Append-Only among them. */
@Timeout(20)
class RaftPaperReplicationTest {

    /** §5.3: the leader appends a command to its log, then sends AppendEntries for it to every follower. */
    @Test
    void leaderAppendsProposalAndReplicatesItToAllFollowers() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        long li = net.lastIndex(1);
        long commit = net.committed(1);
        net.node(1).raw.propose(bytes("x"));
        List<Message> out = net.drain(1);
        Entry want = Entry.newBuilder().setTerm(1).setIndex(li + 1).setData(bytes("x")).build();
        assertThat(net.log(1)).endsWith(want);
        assertThat(out).extracting(Message::getType).containsOnly(MessageType.MsgApp);
        assertThat(out).extracting(Message::getTo).containsExactlyInAnyOrder(2L, 3L);
        for (Message m : out) {
            assertThat(m.getIndex()).isEqualTo(li);
            assertThat(m.getLogTerm()).isEqualTo(1);
            assertThat(m.getCommit()).isEqualTo(commit);
            assertThat(m.getEntriesList()).containsExactly(want);
        }
    }

    /**
     * §5.3: an entry is committed once the leader has replicated it on a majority; the leader
     * then applies it and tells the followers the new commit index.
     */
    @Test
    void leaderCommitsAndAppliesEntryOnceStoredOnMajority() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        long li = net.lastIndex(1);
        net.node(1).raw.propose(bytes("x"));
        net.drain(1);
        assertThat(net.committed(1)).isEqualTo(li);
        List<Message> out = net.stepCollect(1, appResp(2, 1, 1, li + 1));
        assertThat(net.committed(1)).isEqualTo(li + 1);
        assertThat(net.node(1).appliedData()).containsExactly("x");
        List<Message> apps = ofType(out, MessageType.MsgApp);
        assertThat(apps).extracting(Message::getTo).contains(2L, 3L);
        assertThat(apps).allMatch(m -> m.getCommit() == li + 1);
    }

    /** §5.3: the leader commits exactly when a majority (itself included, once persisted) stores the entry. */
    @Test
    void leaderCommitRequiresAcksFromMajority() {
        record Case(int size, Set<Long> acks, boolean commits) {
        }
        List<Case> cases = List.of(
                new Case(1, Set.of(), true),
                new Case(3, Set.of(), false), new Case(3, Set.of(2L), true), new Case(3, Set.of(2L, 3L), true),
                new Case(5, Set.of(), false), new Case(5, Set.of(2L), false), new Case(5, Set.of(2L, 3L), true),
                new Case(5, Set.of(2L, 3L, 4L, 5L), true));
        for (Case c : cases) {
            long[] ids = java.util.stream.LongStream.rangeClosed(1, c.size).toArray();
            Network net = Network.of(ids);
            net.campaign(1);
            long li = net.lastIndex(1);
            net.node(1).raw.propose(bytes("x"));
            net.drain(1);
            for (long from : c.acks) {
                net.stepCollect(1, appResp(from, 1, 1, li + 1));
            }
            assertThat(net.committed(1)).as("%s", c).isEqualTo(c.commits ? li + 1 : li);
        }
    }

    /**
     * §5.3: committing an entry also commits all preceding entries, including those created by
     * previous leaders; every server then applies them in log order.
     */
    @Test
    void committingAnEntryCommitsAllPrecedingEntriesOfEarlierLeaders() {
        Network net = Network.builder().voters(1, 2, 3)
                .log(1, 1, 2).log(2, 1, 2).log(3, 1).build();
        net.campaign(1);
        assertThat(net.term(1)).isEqualTo(3);
        for (long id = 1; id <= 3; id++) {
            assertThat(net.committed(id)).as("node %d", id).isEqualTo(3);
            assertThat(net.node(id).applied).extracting(Entry::getIndex).containsExactly(1L, 2L, 3L);
            assertThat(net.node(id).appliedData()).containsExactly("t1i1", "t2i2");
        }
    }

    /** §5.3: a follower learns the commit index from AppendEntries and applies entries up to it, in order. */
    @Test
    void followerCommitsUpToLeaderCommitIndex() {
        record Case(int ents, long commit) {
        }
        for (Case c : List.of(new Case(1, 1), new Case(2, 2), new Case(2, 1), new Case(2, 5))) {
            Network net = Network.of(1, 2, 3);
            net.raft(1).becomeFollower(1, 2);
            long[] terms = new long[c.ents];
            java.util.Arrays.fill(terms, 1);
            net.stepCollect(1, app(2, 1, 1, 0, 0, c.commit, entries(1, terms)));
            long want = Math.min(c.commit, c.ents);
            assertThat(net.committed(1)).as("%s", c).isEqualTo(want);
            assertThat(net.node(1).applied).as("%s", c).extracting(Entry::getIndex)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, want).boxed().toList());
        }
    }

    /**
     * §5.3 consistency check: a follower refuses AppendEntries unless its log holds an entry at
     * the preceding index with the preceding term.
     */
    @Test
    void followerRejectsAppendWithoutMatchingPrecedingEntry() {
        record Case(long prevTerm, long prevIndex, boolean reject) {
        }
        List<Case> cases = List.of(new Case(0, 0, false), new Case(1, 1, false), new Case(2, 2, false),
                new Case(1, 2, true), new Case(3, 3, true), new Case(2, 1, true));
        for (Case c : cases) {
            Network net = Network.builder().voters(1, 2, 3).log(1, 1, 2).build();
            net.raft(1).becomeFollower(2, 2);
            List<Message> out = net.stepCollect(1, app(2, 1, 2, c.prevTerm, c.prevIndex, 0, List.of()));
            assertThat(out).hasSize(1);
            Message resp = out.get(0);
            assertThat(resp.getType()).isEqualTo(MessageType.MsgAppResp);
            assertThat(resp.getReject()).as("%s", c).isEqualTo(c.reject);
            if (c.reject) {
                assertThat(resp.getRejectHint()).as("hint is within our log").isLessThanOrEqualTo(2);
            } else {
                assertThat(resp.getIndex()).isEqualTo(c.prevIndex);
            }
        }
    }

    /**
     * §5.3: when an existing entry conflicts with a new one (same index, different term) the
     * follower deletes it and everything after it, then appends the new entries; matching
     * entries are kept.
     */
    @Test
    void followerDeletesConflictingSuffixAndAppendsLeaderEntries() {
        record Case(long prevIndex, long prevTerm, long[] newTerms, long[] want) {
        }
        List<Case> cases = List.of(
                new Case(2, 2, new long[] {3}, new long[] {1, 2, 3}),
                new Case(1, 1, new long[] {3, 4}, new long[] {1, 3, 4}),
                new Case(0, 0, new long[] {1}, new long[] {1, 2}),
                new Case(0, 0, new long[] {3}, new long[] {3}));
        for (Case c : cases) {
            Network net = Network.builder().voters(1, 2, 3).log(1, 1, 2).build();
            net.raft(1).becomeFollower(2, 2);
            net.stepCollect(1, app(2, 1, 4, c.prevTerm, c.prevIndex, 0, entries(c.prevIndex + 1, c.newTerms)));
            assertThat(net.log(1)).extracting(Entry::getTerm).as("%s", java.util.Arrays.toString(c.newTerms))
                    .containsExactlyElementsOf(java.util.Arrays.stream(c.want).boxed().toList());
            assertThat(net.node(1).storage.mem.lastIndex()).isEqualTo(c.want.length);
        }
    }

    /**
     * §5.3, Figure 7: whatever the follower's log looks like (missing entries, extra uncommitted
     * entries, or both), the leader brings it to exactly its own log.
     */
    @Test
    void leaderForcesFollowerLogsToDuplicateItsOwn_figure7() {
        long[] leaderLog = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
        long[][] followers = {
            {1, 1, 1, 4, 4, 5, 5, 6, 6}, // (a)
            {1, 1, 1, 4}, // (b)
            {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6}, // (c)
            {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7}, // (d)
            {1, 1, 1, 4, 4, 4, 4}, // (e)
            {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3}, // (f)
        };
        for (long[] f : followers) {
            Network net = Network.builder().voters(1, 2, 3)
                    .log(1, leaderLog).term(1, 7).log(2, f).log(3, leaderLog).term(3, 7).build();
            net.campaign(1);
            assertThat(net.state(1)).isEqualTo(StateType.LEADER);
            assertThat(net.term(1)).isEqualTo(8);
            assertThat(net.log(2)).as("follower %s", java.util.Arrays.toString(f)).isEqualTo(net.log(1));
            assertThat(net.node(2).storage.mem.lastIndex()).isEqualTo(11);
            assertThat(net.committed(2)).isEqualTo(11);
            assertThat(net.violations()).isEmpty();
        }
    }

    /**
     * Log Matching (§5.3): if two logs contain an entry with the same index and term, the logs are
     * identical in all entries up through that index — checked pairwise after partitions,
     * crashes and competing leaders.
     */
    @Test
    void logMatching_sameIndexAndTermImpliesIdenticalPrefix() {
        for (long seed = 11; seed <= 15; seed++) {
            Network net = Network.builder().voters(1, 2, 3, 4, 5).config(b -> b.electionTick(5)).build();
            int accepted = Scenarios.chaos(net, 5, seed, 60);
            assertThat(accepted).isPositive();
            for (long a = 1; a <= 5; a++) {
                for (long b = a + 1; b <= 5; b++) {
                    List<Entry> la = net.log(a);
                    List<Entry> lb = net.log(b);
                    int n = Math.min(la.size(), lb.size());
                    int lastSame = -1;
                    for (int i = 0; i < n; i++) {
                        if (la.get(i).getTerm() == lb.get(i).getTerm()) {
                            lastSame = i;
                        }
                    }
                    assertThat(la.subList(0, lastSame + 1)).as("seed %d nodes %d,%d", seed, a, b)
                            .isEqualTo(lb.subList(0, lastSame + 1));
                }
            }
            assertThat(net.violations()).as("seed %d", seed).isEmpty();
        }
    }

    /**
     * Leader Append-Only (§5.3): a leader never overwrites or deletes entries in its log. It
     * ignores AppendEntries of its own term and rejections do not shorten its log; the network
     * also checks the rule on every leader after every step of a chaotic run.
     */
    @Test
    void leaderAppendOnly_leaderNeverOverwritesOrDeletesItsEntries() {
        Network net = Network.of(1, 2, 3);
        net.campaign(1);
        net.propose(1, "a");
        net.propose(1, "b");
        List<Entry> before = net.log(1);
        long t = net.term(1);
        net.stepCollect(1, app(2, 1, t, 1, 1, 0, entries(2, t, t, t, t)));
        net.stepCollect(1, Msgs.msg(MessageType.MsgAppResp, 2, 1, t).setIndex(2).setReject(true).setRejectHint(0).build());
        assertThat(net.log(1)).isEqualTo(before);
        assertThat(net.state(1)).isEqualTo(StateType.LEADER);

        for (long seed = 21; seed <= 23; seed++) {
            Network chaos = Network.builder().voters(1, 2, 3, 4, 5).config(b -> b.electionTick(5)).build();
            Scenarios.chaos(chaos, 5, seed, 60);
            assertThat(chaos.violations()).as("seed %d", seed).isEmpty();
        }
    }
}
