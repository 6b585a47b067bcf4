package io.etcdjava.bench.tool;

import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives {@code total} requests with {@code clients} concurrent callers, each with exactly one
 * request in flight, spread over the channels (client i uses channel i % conns) — etcd's
 * benchmark model, without a thread per client: a caller issues its next request from the
 * previous one's completion.
 */
final class LoadRunner {
    private final Workload workload;
    private final int total;
    private final int rate;
    private final Report report;
    private final AtomicInteger issued = new AtomicInteger();
    private final CountDownLatch finished;
    private final ScheduledExecutorService pacer;
    private long startNanos;

    LoadRunner(Workload workload, int total, int rate, Report report, ScheduledExecutorService pacer) {
        this.workload = workload;
        this.total = total;
        this.rate = rate;
        this.report = report;
        this.finished = new CountDownLatch(total);
        this.pacer = pacer;
    }

    /** Runs to completion; returns the wall time in nanoseconds. */
    long run(List<ManagedChannel> channels, int clients) throws InterruptedException {
        startNanos = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            new Caller(KVGrpc.newStub(channels.get(i % channels.size()))).signal();
        }
        finished.await();
        return System.nanoTime() - startNanos;
    }

    /** One of the concurrent clients; its sends are serialized by a work-in-progress counter. */
    private final class Caller {
        private final KVGrpc.KVStub stub;
        private final AtomicInteger wip = new AtomicInteger();

        Caller(KVGrpc.KVStub stub) {
            this.stub = stub;
        }

        /** The previous request finished (or none was sent yet): send the next one. */
        void signal() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            do {
                sendNext();
            } while (wip.decrementAndGet() != 0);
        }

        private void sendNext() {
            int seq = issued.getAndIncrement();
            if (seq >= total) {
                return;
            }
            if (rate > 0) {
                long due = startNanos + (long) (seq * (1e9 / rate));
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    pacer.schedule(() -> send(seq), wait, TimeUnit.NANOSECONDS);
                    return;
                }
            }
            send(seq);
        }

        private void send(int seq) {
            long start = System.nanoTime();
            try {
                workload.send(seq, stub, new Completion(this, start));
            } catch (RuntimeException e) {
                report.record(start, System.nanoTime(), goError(e));
                finished.countDown();
                signal();
            }
        }
    }

    private final class Completion implements StreamObserver<Object> {
        private final Caller caller;
        private final long start;

        Completion(Caller caller, long start) {
            this.caller = caller;
            this.start = start;
        }

        @Override
        public void onNext(Object value) {
        }

        @Override
        public void onError(Throwable t) {
            report.record(start, System.nanoTime(), goError(t));
            finished.countDown();
            caller.signal();
        }

        @Override
        public void onCompleted() {
            report.record(start, System.nanoTime(), null);
            finished.countDown();
            caller.signal();
        }
    }

    /** An error as Go's gRPC client prints it: {@code rpc error: code = Unavailable desc = ...}. */
    static String goError(Throwable t) {
        Status s = Status.fromThrowable(t);
        String desc = s.getDescription() != null ? s.getDescription()
                : (s.getCause() != null ? String.valueOf(s.getCause().getMessage()) : "");
        return "rpc error: code = " + goCode(s.getCode()) + " desc = " + desc;
    }

    static String goCode(Status.Code code) {
        if (code == Status.Code.CANCELLED) {
            return "Canceled";
        }
        StringBuilder sb = new StringBuilder();
        for (String part : code.name().split("_")) {
            sb.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return sb.toString();
    }
}
