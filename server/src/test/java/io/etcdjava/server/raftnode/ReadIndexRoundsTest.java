package io.etcdjava.server.raftnode;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.server.errors.EtcdError;
import io.etcdjava.server.errors.EtcdException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ReadIndexRoundsTest {
    private final ReadIndexRounds rounds = new ReadIndexRounds();

    @Test
    void aReaderParkedWhileLeaderlessJoinsTheNextRoundOnceALeaderIsKnown() {
        CompletableFuture<Long> reader = new CompletableFuture<>();
        rounds.park(reader, 0);
        assertThat(rounds.hasWaiting()).isFalse();

        rounds.unpark();
        assertThat(rounds.hasWaiting()).isTrue();
        rounds.complete(rounds.startRound(), 42);
        assertThat(reader).isCompletedWithValue(42L);
    }

    @Test
    void aReaderParkedForTheRequestTimeoutFailsWithThatError() {
        CompletableFuture<Long> old = new CompletableFuture<>();
        CompletableFuture<Long> young = new CompletableFuture<>();
        rounds.park(old, 0);
        rounds.park(young, 5);

        rounds.expireParked(10, 10, EtcdError.TIMEOUT);
        assertThat(errorOf(old)).isEqualTo(EtcdError.TIMEOUT);
        assertThat(young).isNotDone();
    }

    @Test
    void stoppingFailsParkedWaitingAndInFlightReaders() {
        CompletableFuture<Long> parked = new CompletableFuture<>();
        CompletableFuture<Long> inFlight = new CompletableFuture<>();
        CompletableFuture<Long> waiting = new CompletableFuture<>();
        rounds.park(parked, 0);
        rounds.enqueue(inFlight);
        rounds.startRound();
        rounds.enqueue(waiting);

        rounds.failEverything(EtcdError.STOPPED);
        assertThat(errorOf(parked)).isEqualTo(EtcdError.STOPPED);
        assertThat(errorOf(inFlight)).isEqualTo(EtcdError.STOPPED);
        assertThat(errorOf(waiting)).isEqualTo(EtcdError.STOPPED);
    }

    private static EtcdError errorOf(CompletableFuture<Long> f) {
        assertThat(f).isCompletedExceptionally();
        try {
            f.get();
            throw new AssertionError("not failed");
        } catch (ExecutionException e) {
            return ((EtcdException) e.getCause()).error();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
