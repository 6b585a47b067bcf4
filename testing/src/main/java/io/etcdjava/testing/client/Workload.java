package io.etcdjava.testing.client;

import io.etcdjava.api.etcdserverpb.CompactionRequest;
import io.etcdjava.api.etcdserverpb.KVGrpc;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import io.etcdjava.testing.check.Op;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The recorded workload: KV clients doing linearizable gets, puts with unique values, deletes and
 * compare-and-set txns (on the value or on the mod revision they last read) over a few keys; a
 * lease client that grants short leases, attaches a key and reads it until it is gone; a
 * keep-alive client that does the same but keeps its lease alive for a few TTLs first; watchers
 * over the whole prefix; and a compactor so compaction (and its crash point) happens. Threads
 * are named, started by {@link #start} and stopped by {@link #close}.
 */
public final class Workload implements AutoCloseable {
    public static final String PREFIX = "/f/";
    public static final long LEASE_TTL_SECONDS = 2;

    private final Channels channels;
    private final Recorder recorder;
    private final long seed;
    private final int clients;
    private final int keys;
    private final List<Thread> threads = new ArrayList<>();
    private final List<WatchRecorder> watchers = new ArrayList<>();
    private volatile boolean running = true;

    public Workload(List<String> endpoints, Recorder recorder, long seed, int clients, int keys) {
        this.channels = new Channels(endpoints);
        this.recorder = recorder;
        this.seed = seed;
        this.clients = clients;
        this.keys = keys;
    }

    public void start() {
        for (int w = 0; w < 2; w++) {
            WatchRecorder wr = new WatchRecorder(w, PREFIX, channels, recorder);
            watchers.add(wr);
            wr.start();
        }
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.add(new Thread(() -> kvLoop(client), "kv-client-" + c));
        }
        threads.add(new Thread(() -> leaseLoop(clients), "lease-client"));
        threads.add(new Thread(() -> keepAliveLoop(clients + 1), "lease-keepalive-client"));
        threads.add(new Thread(this::compactLoop, "compactor"));
        threads.forEach(t -> {
            t.setDaemon(true);
            t.start();
        });
    }

    private void kvLoop(int client) {
        Random rnd = new Random(seed * 1_000_003L + client);
        KvClient kv = new KvClient(client, channels, recorder, Duration.ofSeconds(3));
        Map<String, Op> lastRead = new HashMap<>();
        long seq = 0;
        while (running) {
            String key = PREFIX + "k" + rnd.nextInt(keys);
            String value = "c" + client + "-" + (seq++);
            int dice = rnd.nextInt(100);
            Op last = lastRead.get(key);
            if (dice < 35) {
                Op r = kv.get(key);
                if (r.completed()) {
                    lastRead.put(key, r);
                }
            } else if (dice < 60) {
                kv.put(key, value, 0);
            } else if (dice < 75) {
                kv.casValue(key, last == null ? null : last.readValue(), value);
            } else if (dice < 92) {
                kv.casModRev(key, last == null ? 0 : last.readModRev(), value);
            } else {
                kv.delete(key);
            }
        }
    }

    private void leaseLoop(int client) {
        KvClient kv = new KvClient(client, channels, recorder, Duration.ofSeconds(3));
        long n = 0;
        while (running) {
            long lease = kv.leaseGrant(LEASE_TTL_SECONDS);
            if (lease == 0) {
                continue;
            }
            String key = PREFIX + "lease/" + (n++);
            Op put = kv.put(key, "l" + n, lease);
            if (!put.completed()) {
                continue;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (running && System.nanoTime() < deadline) {
                Op r = kv.get(key);
                if (r.completed() && r.readValue() == null) {
                    break;
                }
                pace(250);
            }
        }
    }

    /**
     * Grants a lease, attaches a key, keeps the lease alive for 2 to 4 TTLs (reading the key, which
     * must stay), then stops and reads the key until it is gone.
     */
    private void keepAliveLoop(int client) {
        Random rnd = new Random(seed * 1_000_003L + client);
        KvClient kv = new KvClient(client, channels, recorder, Duration.ofSeconds(3));
        long n = 0;
        while (running) {
            long lease = kv.leaseGrant(LEASE_TTL_SECONDS);
            if (lease == 0) {
                continue;
            }
            String key = PREFIX + "lease/ka" + (n++);
            Op put = kv.put(key, "ka" + n, lease);
            if (!put.completed()) {
                continue;
            }
            long keepFor = TimeUnit.SECONDS.toNanos(LEASE_TTL_SECONDS) * (2 + rnd.nextInt(3));
            long stop = System.nanoTime() + keepFor;
            while (running && System.nanoTime() < stop) {
                if (kv.keepAlive(lease) == 0) {
                    break; // the lease is gone (the checker decides whether that was early)
                }
                kv.get(key);
                pace(TimeUnit.SECONDS.toMillis(LEASE_TTL_SECONDS) / 4);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (running && System.nanoTime() < deadline) {
                Op r = kv.get(key);
                if (r.completed() && r.readValue() == null) {
                    break;
                }
                pace(250);
            }
        }
    }

    private void compactLoop() {
        while (running) {
            pace(4000);
            try {
                var stub = KVGrpc.newBlockingStub(channels.get(0)).withDeadlineAfter(3, TimeUnit.SECONDS);
                long rev = stub.range(RangeRequest.newBuilder()
                        .setKey(com.google.protobuf.ByteString.copyFromUtf8(PREFIX)).build()).getHeader().getRevision();
                if (rev > 200) {
                    stub.withDeadlineAfter(3, TimeUnit.SECONDS)
                            .compact(CompactionRequest.newBuilder().setRevision(rev - 100).build());
                }
            } catch (RuntimeException unavailable) {
                // next round
            }
        }
    }

    /** The workload's own pacing (not synchronisation): lease polling and the compaction rhythm. */
    private void pace(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Stops the clients (each finishes its operation in flight, bounded by the RPC timeout). */
    public void stopClients() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(15_000);
        }
    }

    /** Waits (bounded) until every watcher has received revision {@code rev}. */
    public boolean awaitWatchers(long rev, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            if (watchers.stream().allMatch(w -> w.lastRevision() >= rev)) {
                return true;
            }
            Thread.sleep(100); // watchers advance on their own threads; poll their progress
        }
        return false;
    }

    /** Each watcher's last event revision, for a report when they lag. */
    public String watcherPositions() {
        return watchers.stream().map(w -> "w" + w.watcher() + "@" + w.lastRevision())
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** The current revision as one member reports it, or -1. */
    public long currentRevision() {
        for (int i = 0; i < channels.size(); i++) {
            try {
                return KVGrpc.newBlockingStub(channels.get(i)).withDeadlineAfter(3, TimeUnit.SECONDS)
                        .range(RangeRequest.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8(PREFIX))
                                .build()).getHeader().getRevision();
            } catch (RuntimeException e) {
                // next member
            }
        }
        return -1;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (WatchRecorder w : watchers) {
            w.close();
        }
        for (Thread t : threads) {
            t.join(15_000);
        }
        channels.close();
    }
}
