package io.etcdjava.raft;

import static io.etcdjava.raft.Msgs.app;
import static io.etcdjava.raft.Msgs.hup;
import static io.etcdjava.raft.Msgs.vote;
import static io.etcdjava.raft.Msgs.voteResp;
import static io.etcdjava.raft.Network.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.raft.pb.Message;
import io.etcdjava.raft.pb.MessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Raft paper §5.1 (terms) and §5.2 (leader election). */
@Timeout(10)
class RaftPaperElectionTest {

    /** §5.2: "When servers start up, they begin as followers." */
    @Test
    void serversStartAsFollowers() {
        Network net = Network.of(1, 2, 3);
        for (long id = 1; id <= 3; id++) {
            assertThat(net.state(id)).isEqualTo(StateType.FOLLOWER);
            assertThat(net.term(id)).isZero();
            assertThat(net.raft(id).lead).isZero();
        }
    }

    /** §5.1: a server seeing a larger term in any message adopts it and reverts to follower, whatever its role. */
    @Test
    void anyRoleAdoptsLargerTermAndBecomesFollower() {
        for (StateType role : List.of(StateType.FOLLOWER, StateType.CANDIDATE, StateType.LEADER)) {
            Network net = Network.of(1, 2, 3);
            Raft r = net.raft(1);
            if (role != StateType.FOLLOWER) {
                r.becomeCandidate();
            }
            if (role == StateType.LEADER) {
                r.becomeLeader();
            }
            net.drain(1);
            net.stepCollect(1, app(2, 1, 5, 0, 0, 0, List.of()));
            assertThat(r.state).as("from %s", role).isEqualTo(StateType.FOLLOWER);
            assertThat(r.term).as("from %s", role).isEqualTo(5);
            assertThat(r.lead).as("from %s", role).isEqualTo(2);
        }
    }

    /** §5.1: a request carrying a stale term is rejected (ignored) and changes nothing. */
    @Test
    void messageWithStaleTermIsIgnored() {
        Network net = Network.builder().voters(1, 2, 3).log(1, 1, 2, 3).build();
        Raft r = net.raft(1);
        assertThat(r.term).isEqualTo(3);
        List<Message> out = net.stepCollect(1, app(2, 1, 2, 3, 3, 3, Network.entries(4, 2)));
        assertThat(out).isEmpty();
        assertThat(r.term).isEqualTo(3);
        assertThat(r.raftLog.lastIndex()).isEqualTo(3);
        assertThat(r.raftLog.committed()).isZero();
        assertThat(r.lead).isZero();
    }

    /** §5.2: the leader sends periodic heartbeats to all followers to maintain its authority. */
    @Test
    void leaderSendsHeartbeatsEveryHeartbeatTimeout() {
        Network net = Network.builder().voters(1, 2, 3).config(b -> b.heartbeatTick(2)).build();
        net.campaign(1);
        assertThat(net.state(1)).isEqualTo(StateType.LEADER);
        assertThat(net.tickCollect(1)).isEmpty();
        List<Message> out = net.tickCollect(1);
        assertThat(out).extracting(Message::getType).containsOnly(MessageType.MsgHeartbeat);
        assertThat(out).extracting(Message::getTo).containsExactlyInAnyOrder(2L, 3L);
        assertThat(out).allMatch(m -> m.getTerm() == net.term(1) && m.getEntriesCount() == 0);
    }

    /**
     * §5.2: a follower that hears nothing for an election timeout increments its term, votes for
     * itself, becomes a candidate and asks every other server for its vote.
     */
    @Test
    void followerStartsElectionAfterElectionTimeout() {
        Network net = Network.builder().voters(1, 2, 3).log(1, 1, 1).build();
        List<Message> out = tickUntilSends(net, 1);
        Raft r = net.raft(1);
        assertThat(r.state).isEqualTo(StateType.CANDIDATE);
        assertThat(r.term).isEqualTo(2);
        assertThat(r.vote).isEqualTo(1);
        assertThat(out).extracting(Message::getType).containsOnly(MessageType.MsgVote);
        assertThat(out).extracting(Message::getTo).containsExactlyInAnyOrder(2L, 3L);
        assertThat(out).allMatch(m -> m.getTerm() == 2 && m.getLogTerm() == 1 && m.getIndex() == 2);
    }

    /** §5.2: a candidate that neither wins nor loses times out and starts a new election with a new term. */
    @Test
    void candidateStartsNewElectionWhenElectionTimesOut() {
        Network net = Network.of(1, 2, 3);
        net.stepCollect(1, hup());
        assertThat(net.term(1)).isEqualTo(1);
        List<Message> out = tickUntilSends(net, 1);
        assertThat(net.state(1)).isEqualTo(StateType.CANDIDATE);
        assertThat(net.term(1)).isEqualTo(2);
        assertThat(out).extracting(Message::getType).containsOnly(MessageType.MsgVote);
        assertThat(out).allMatch(m -> m.getTerm() == 2);
    }

    /** §5.2: a candidate wins with votes from a majority of the full cluster, loses on a majority of rejections. */
    @Test
    void candidateWinsOnlyWithMajorityOfVotes() {
        record Case(int size, Map<Long, Boolean> votes, StateType want) {
        }
        List<Case> cases = List.of(
                new Case(1, Map.of(), StateType.LEADER),
                new Case(3, Map.of(2L, true, 3L, true), StateType.LEADER),
                new Case(3, Map.of(2L, true), StateType.LEADER),
                new Case(5, Map.of(2L, true, 3L, true, 4L, true, 5L, true), StateType.LEADER),
                new Case(5, Map.of(2L, true, 3L, true, 4L, true), StateType.LEADER),
                new Case(5, Map.of(2L, true, 3L, true), StateType.LEADER),
                new Case(3, Map.of(2L, false, 3L, false), StateType.FOLLOWER),
                new Case(5, Map.of(2L, false, 3L, false, 4L, false), StateType.FOLLOWER),
                new Case(5, Map.of(2L, true, 3L, false, 4L, false, 5L, false), StateType.FOLLOWER),
                new Case(3, Map.of(), StateType.CANDIDATE),
                new Case(5, Map.of(2L, true), StateType.CANDIDATE),
                new Case(5, Map.of(2L, false, 3L, false), StateType.CANDIDATE),
                new Case(5, Map.of(2L, true, 3L, false, 4L, false), StateType.CANDIDATE));
        for (Case c : cases) {
            long[] ids = new long[c.size];
            for (int i = 0; i < c.size; i++) {
                ids[i] = i + 1;
            }
            Network net = Network.of(ids);
            net.stepCollect(1, hup());
            for (var v : new java.util.TreeMap<>(c.votes).entrySet()) {
                net.stepCollect(1, voteResp(v.getKey(), 1, 1, !v.getValue()));
            }
            assertThat(net.state(1)).as("%s", c).isEqualTo(c.want);
            assertThat(net.term(1)).as("%s", c).isEqualTo(1);
        }
    }

    /** §5.2: each server votes for at most one candidate in a term, first-come-first-served. */
    @Test
    void followerGrantsAtMostOneVotePerTerm() {
        record Case(long vote, long from, boolean reject) {
        }
        List<Case> cases = List.of(
                new Case(0, 2, false), new Case(0, 3, false),
                new Case(2, 2, false), new Case(3, 3, false),
                new Case(2, 3, true), new Case(3, 2, true));
        for (Case c : cases) {
            Network net = Network.of(1, 2, 3);
            Raft r = net.raft(1);
            r.becomeFollower(1, Raft.NONE);
            r.vote = c.vote;
            List<Message> out = net.stepCollect(1, vote(c.from, 1, 1, 0, 0));
            assertThat(out).hasSize(1);
            assertThat(out.get(0).getType()).isEqualTo(MessageType.MsgVoteResp);
            assertThat(out.get(0).getTo()).isEqualTo(c.from);
            assertThat(out.get(0).getReject()).as("%s", c).isEqualTo(c.reject);
            assertThat(r.vote).as("%s", c).isEqualTo(c.vote == 0 ? c.from : c.vote);
        }
    }

    /**
     * §5.2: a candidate that receives AppendEntries from a leader whose term is at least its own
     * recognises that leader and returns to follower.
     */
    @Test
    void candidateFallsBackOnAppendFromLegitimateLeader() {
        for (long term : new long[] {1, 2}) {
            Network net = Network.of(1, 2, 3);
            net.stepCollect(1, hup());
            assertThat(net.state(1)).isEqualTo(StateType.CANDIDATE);
            net.stepCollect(1, app(2, 1, term, 0, 0, 0, List.of()));
            assertThat(net.state(1)).isEqualTo(StateType.FOLLOWER);
            assertThat(net.term(1)).isEqualTo(term);
            assertThat(net.raft(1).lead).isEqualTo(2);
        }
    }

    /** §5.2: election timeouts are chosen randomly from a fixed interval, here [et, 2·et). */
    @Test
    void electionTimeoutIsRandomizedBetweenOneAndTwoTimeouts() {
        for (StateType role : List.of(StateType.FOLLOWER, StateType.CANDIDATE)) {
            Network net = Network.of(1, 2, 3);
            int et = net.raft(1).electionTimeout;
            TreeSet<Integer> seen = new TreeSet<>();
            for (int round = 0; round < 50; round++) {
                Raft r = net.raft(1);
                if (role == StateType.FOLLOWER) {
                    r.becomeFollower(r.term + 1, 2);
                } else {
                    r.becomeCandidate();
                }
                net.drain(1);
                int ticks = 0;
                long termBefore = r.term;
                while (r.term == termBefore) {
                    net.tickCollect(1);
                    ticks++;
                }
                assertThat(ticks).isBetween(et, 2 * et - 1);
                seen.add(ticks);
            }
            assertThat(seen.size()).as("distinct timeouts as %s", role).isGreaterThan(et / 2);
        }
    }

    /**
     * §5.2: randomised timeouts make it unlikely that several followers time out together (which
     * would split the vote): over many rounds, the earliest timeout is shared rarely.
     */
    @Test
    void randomizedTimeoutsRarelyConflict() {
        Network net = Network.of(1, 2, 3, 4, 5);
        int conflicts = 0;
        int rounds = 1000;
        for (int round = 0; round < rounds; round++) {
            int min = Integer.MAX_VALUE;
            int atMin = 0;
            for (long id = 1; id <= 5; id++) {
                Raft r = net.raft(id);
                r.resetRandomizedElectionTimeout();
                if (r.randomizedElectionTimeout < min) {
                    min = r.randomizedElectionTimeout;
                    atMin = 1;
                } else if (r.randomizedElectionTimeout == min) {
                    atMin++;
                }
            }
            if (atMin > 1) {
                conflicts++;
            }
        }
        assertThat((double) conflicts / rounds).isLessThanOrEqualTo(0.3);
    }

    /** §5.2: with votes split between two candidates nobody wins the term; a later election resolves it. */
    @Test
    void splitVoteElectsNobodyThenLaterElectionSucceeds() {
        Network net = Network.of(1, 2, 3, 4);
        net.cut(1, 3);
        net.cut(1, 4);
        net.cut(2, 3);
        net.cut(2, 4);
        // 1 gets {1,2}? No: 1 and 3 campaign; 2 reaches only 1, 4 reaches only 3.
        net.heal();
        net.partition(new long[] {1, 2}, new long[] {3, 4});
        net.campaign(1);
        net.campaign(3);
        assertThat(net.state(1)).isEqualTo(StateType.CANDIDATE);
        assertThat(net.state(3)).isEqualTo(StateType.CANDIDATE);
        net.heal();
        net.campaign(1);
        assertThat(net.state(1)).isEqualTo(StateType.LEADER);
        assertThat(net.violations()).isEmpty();
    }

    /**
     * Election Safety (§5.2, Figure 3): at most one leader can be elected in a given term. The
     * network checks it after every step while partitions come and go and timeouts fire.
     */
    @Test
    void electionSafety_atMostOneLeaderPerTerm() {
        for (long seed = 1; seed <= 5; seed++) {
            Network net = Network.builder().voters(1, 2, 3, 4, 5).config(b -> b.electionTick(4)).build();
            SplittableRandom rnd = new SplittableRandom(seed);
            TreeSet<Long> leaders = new TreeSet<>();
            for (int round = 0; round < 40; round++) {
                net.heal();
                if (rnd.nextInt(3) > 0) {
                    List<Long> a = new ArrayList<>();
                    List<Long> b = new ArrayList<>();
                    for (long id = 1; id <= 5; id++) {
                        (rnd.nextBoolean() ? a : b).add(id);
                    }
                    net.partition(a.stream().mapToLong(Long::longValue).toArray(),
                            b.stream().mapToLong(Long::longValue).toArray());
                }
                if (rnd.nextInt(4) == 0) {
                    net.campaign(1 + rnd.nextInt(5));
                }
                net.tickAll(1 + rnd.nextInt(12));
                if (net.leader() != 0) {
                    leaders.add(net.term(net.leader()));
                }
            }
            assertThat(net.violations()).as("seed %d", seed).isEmpty();
            assertThat(leaders.size()).as("seed %d saw elections", seed).isGreaterThan(1);
        }
    }

    private static List<Message> tickUntilSends(Network net, long id) {
        for (int i = 0; i < 100; i++) {
            List<Message> out = net.tickCollect(id);
            if (!out.isEmpty()) {
                return out;
            }
        }
        throw new AssertionError("node " + id + " never sent anything");
    }
}
