package io.etcdjava.server.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.LeaseGrantResponse;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveRequest;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import io.etcdjava.api.etcdserverpb.LeaseLeasesRequest;
import io.etcdjava.api.etcdserverpb.LeaseLeasesResponse;
import io.etcdjava.api.etcdserverpb.LeaseRevokeRequest;
import io.etcdjava.api.etcdserverpb.LeaseRevokeResponse;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.etcdjava.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.etcdjava.server.etcdserver.LeaseService;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One keep-alive stream with renewals the test completes by hand and a hand-run "event loop":
 * replies keep request order, leave only from the event loop, and a reply that loses the race
 * with the client's cancel ends the stream instead of escaping as an exception.
 */
@Timeout(30)
class KeepAliveStreamTest {
    /** Renewals by lease ID, completed by the test. */
    private final Map<Long, CompletableFuture<LeaseKeepAliveResponse>> renewals = new HashMap<>();
    private final ArrayDeque<Runnable> eventLoop = new ArrayDeque<>();
    private final Call call = new Call();
    private final KeepAliveStream stream = new KeepAliveStream(new Renewals(), call, eventLoop::add);

    private void request(long id) {
        stream.onNext(LeaseKeepAliveRequest.newBuilder().setID(id).build());
    }

    private void renewed(long id) {
        renewals.get(id).complete(LeaseKeepAliveResponse.newBuilder().setID(id).setTTL(10).build());
    }

    private void runEventLoop() {
        Runnable r;
        while ((r = eventLoop.poll()) != null) {
            r.run();
        }
    }

    @Test
    void repliesLeaveInRequestOrderAndOnlyFromTheEventLoop() {
        request(1);
        request(2);
        renewed(2);
        renewed(1);
        assertThat(call.sent).as("nothing sent from the renewing thread").isEmpty();
        runEventLoop();
        assertThat(call.sent).containsExactly(1L, 2L);
    }

    @Test
    void aReplyThatLosesTheRaceWithTheCancelEndsTheStreamQuietly() {
        request(1);
        request(2);
        renewed(1);
        // The call closed before the event loop got to the reply; the cancel handler runs later.
        call.closed = true;
        assertThatCode(this::runEventLoop).doesNotThrowAnyException();
        renewed(2);
        runEventLoop();
        call.cancel();
        request(3);
        assertThat(call.sent).isEmpty();
        assertThat(call.attempts).as("one failed send, then the stream stopped").isEqualTo(1);
        assertThat(renewals).as("no renewal started after the stream ended").doesNotContainKey(3L);
        assertThat(call.ended).isFalse();
    }

    @Test
    void afterTheCancelNothingIsSent() {
        request(1);
        call.cancel();
        renewed(1);
        runEventLoop();
        assertThat(call.attempts).isZero();
    }

    @Test
    void aHalfClosedStreamCompletesOnceEveryReplyIsSent() {
        request(1);
        stream.onCompleted();
        runEventLoop();
        assertThat(call.ended).isFalse();
        renewed(1);
        runEventLoop();
        assertThat(call.sent).containsExactly(1L);
        assertThat(call.ended).isTrue();
    }

    private final class Renewals implements LeaseService {
        @Override
        public CompletableFuture<LeaseKeepAliveResponse> keepAlive(LeaseKeepAliveRequest request) {
            return renewals.computeIfAbsent(request.getID(), k -> new CompletableFuture<>());
        }

        @Override
        public CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<LeaseLeasesResponse> leases(LeaseLeasesRequest request) {
            throw new UnsupportedOperationException();
        }
    }

    /** A server call that refuses sends once closed, as Armeria's does. */
    private static final class Call extends ServerCallStreamObserver<LeaseKeepAliveResponse> {
        final List<Long> sent = new ArrayList<>();
        boolean closed;
        boolean ended;
        int attempts;
        private Runnable onCancel;

        void cancel() {
            closed = true;
            onCancel.run();
        }

        @Override
        public void onNext(LeaseKeepAliveResponse value) {
            attempts++;
            if (closed) {
                throw new IllegalStateException("call is closed");
            }
            sent.add(value.getID());
        }

        @Override
        public void onError(Throwable t) {
            ended = true;
        }

        @Override
        public void onCompleted() {
            ended = true;
        }

        @Override
        public void setOnCancelHandler(Runnable handler) {
            onCancel = handler;
        }

        @Override
        public boolean isCancelled() {
            return closed;
        }

        @Override
        public void setCompression(String compression) {
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setOnReadyHandler(Runnable handler) {
        }

        @Override
        public void request(int count) {
        }

        @Override
        public void setMessageCompression(boolean enable) {
        }

        @Override
        public void disableAutoInboundFlowControl() {
        }
    }
}
