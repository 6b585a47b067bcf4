package io.etcdjava.server.etcdserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdjava.server.errors.EtcdError;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class WaitTest {
    @Test
    void expireFailsOnlyWaitersPastTheirDeadline() {
        Wait w = new Wait();
        CompletableFuture<Object> early = w.register(1, 100);
        CompletableFuture<Object> late = w.register(2, 300);
        assertThat(w.expire(100, EtcdError.TIMEOUT::exception)).isZero();
        assertThat(w.expire(200, EtcdError.TIMEOUT::exception)).isEqualTo(1);
        assertThat(early).isCompletedExceptionally();
        Assertions.assertThatThrownBy(early::get).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("etcdserver: request timed out");
        assertThat(late).isNotDone();
        assertThat(w.size()).isEqualTo(1);
        w.trigger(2, "applied");
        assertThat(late).isCompletedWithValue("applied");
        assertThat(w.expire(1_000, EtcdError.TIMEOUT::exception)).isZero();
    }

    @Test
    void deadlinesCompareAcrossNanoTimeOverflow() {
        Wait w = new Wait();
        CompletableFuture<Object> f = w.register(1, Long.MAX_VALUE);
        assertThat(w.expire(Long.MAX_VALUE - 5, EtcdError.TIMEOUT::exception)).isZero();
        assertThat(w.expire(Long.MIN_VALUE + 5, EtcdError.TIMEOUT::exception)).isEqualTo(1);
        assertThat(f).isCompletedExceptionally();
    }

    @Test
    void aTriggeredWaiterIsNotExpiredLater() {
        Wait w = new Wait();
        CompletableFuture<Object> f = w.register(7, 0);
        w.trigger(7, new IllegalStateException("boom"));
        assertThat(w.expire(10, EtcdError.TIMEOUT::exception)).isZero();
        Assertions.assertThatThrownBy(f::get).hasMessageContaining("boom");
    }
}
