package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.CompactionRequest;
import io.etcdjava.api.etcdserverpb.DefragmentRequest;
import io.etcdjava.api.etcdserverpb.DeleteRangeRequest;
import io.etcdjava.api.etcdserverpb.DeleteRangeResponse;
import io.etcdjava.api.etcdserverpb.PutRequest;
import io.etcdjava.api.etcdserverpb.RangeRequest;
import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** check perf|datascale (check.go): a write load against the cluster, judged like etcdctl judges it. */
final class CheckCommands {
  private record Load(int limit, int clients, int duration, int kvSize) {}

  private static final Map<String, String> ALIAS = Map.of("s", "s", "small", "s", "m", "m", "medium", "m",
      "l", "l", "large", "l", "xl", "xl", "xLarge", "xl");
  private static final Map<String, Load> PERF = Map.of("s", new Load(150, 50, 60, 0), "m", new Load(1000, 200, 60, 0),
      "l", new Load(8000, 500, 60, 0), "xl", new Load(15000, 1000, 60, 0));
  private static final Map<String, Load> SCALE = Map.of("s", new Load(10000, 50, 0, 1024),
      "m", new Load(100000, 200, 0, 1024), "l", new Load(1000000, 500, 0, 1024), "xl", new Load(3000000, 1000, 0, 1024));
  /** Concurrent callers share this many connections (etcdctl opens one per caller). */
  private static final int MAX_CONNECTIONS = 8;

  private CheckCommands() {}

  static Command create() {
    Command perf = new Command("perf [options]", "Check the performance of the etcd cluster", "", CheckCommands::perf);
    perf.stringFlag(false, "load", "", "s",
        "The performance check's workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)");
    perf.stringFlag(false, "prefix", "", "/etcdctl-check-perf/", "The prefix for writing the performance check's keys.");
    perf.boolFlag(false, "auto-compact", "", false, "Compact storage with last revision after test is finished.");
    perf.boolFlag(false, "auto-defrag", "", false, "Defragment storage after test is finished.");
    Command scale = new Command("datascale [options]",
        "Check the memory usage of holding data for different workloads on a given server endpoint.",
        "If no endpoint is provided, localhost will be used. If multiple endpoints are provided, first endpoint will "
            + "be used.", CheckCommands::datascale);
    scale.stringFlag(false, "load", "", "s",
        "The datascale check's workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)");
    scale.stringFlag(false, "prefix", "", "/etcdctl-check-datascale/",
        "The prefix for writing the datascale check's keys.");
    scale.boolFlag(false, "auto-compact", "", false, "Compact storage with last revision after test is finished.");
    scale.boolFlag(false, "auto-defrag", "", false, "Defragment storage after test is finished.");
    return new Command("check <subcommand>", "commands for checking properties of the etcd cluster", "", null)
        .add(perf, scale);
  }

  private static Load load(Invocation inv, Map<String, Load> table) {
    String model = ALIAS.get(inv.string("load"));
    if (model == null) {
      throw inv.io.exitWithError(CtlExit.BAD_FEATURE, "unknown load option " + inv.string("load"));
    }
    return table.get(model);
  }

  private static List<EtcdClient> clients(Invocation inv, int n) {
    ClientConfig cfg = inv.clientConfig();
    List<EtcdClient> cs = new ArrayList<>();
    for (int i = 0; i < Math.min(n, MAX_CONNECTIONS); i++) {
      cs.add(inv.client(cfg));
    }
    return cs;
  }

  private static void requireEmpty(Invocation inv, EtcdClient c, String prefix, long timeoutNanos) {
    ByteString p = KvCommands.bytes(prefix);
    try {
      var r = c.unary(c.kv(), timeoutNanos, s -> s.range(RangeRequest.newBuilder().setKey(p)
          .setRangeEnd(MakeMirror.prefixEnd(p)).setLimit(1).build()));
      if (r.getKvsCount() > 0) {
        throw inv.io.exitWithError(CtlExit.INVALID_INPUT, "prefix " + GoText.quote(prefix)
            + " has keys. Delete with etcdctl del --prefix " + prefix + " first");
      }
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
  }

  /** A key: the prefix, then a random varint in a zeroed buffer of {@code size} bytes. */
  private static ByteString randomKey(String prefix, int size) {
    byte[] k = new byte[size];
    long x = ThreadLocalRandom.current().nextLong(Long.MAX_VALUE);
    long ux = x << 1; // zig-zag, as binary.PutVarint
    int i = 0;
    while ((ux & ~0x7fL) != 0) {
      k[i++] = (byte) ((ux & 0x7f) | 0x80);
      ux >>>= 7;
    }
    k[i] = (byte) ux;
    return KvCommands.bytes(prefix).concat(ByteString.copyFrom(k));
  }

  private static void perf(Invocation inv, List<String> args) {
    Load cfg = load(inv, PERF);
    List<EtcdClient> cs = clients(inv, cfg.clients);
    String prefix = inv.string("prefix");
    requireEmpty(inv, cs.get(0), prefix, TimeUnit.SECONDS.toNanos(cfg.duration));
    ByteString value = ByteString.copyFrom(new byte[1024]);
    PbBar bar = new PbBar(inv.io, cfg.duration);
    Thread ticker = new Thread(() -> {
      try {
        for (int i = 0; i < cfg.duration; i++) {
          Thread.sleep(1000);
          bar.add(1);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "etcdctl-check-bar");
    ticker.setDaemon(true);
    ticker.start();
    long intervalNanos = 1_000_000_000L / cfg.limit;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(cfg.duration);
    LoadReport report = run(cs, cfg.clients, q -> {
      long next = System.nanoTime();
      while (next < end) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        q.put(PutRequest.newBuilder().setKey(randomKey(prefix, 256)).setValue(value).build());
        next += intervalNanos;
      }
    });
    try {
      ticker.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    bar.finish();
    DeleteRangeResponse d = deletePrefix(inv, cs.get(0), prefix, TimeUnit.SECONDS.toNanos(30));
    afterwards(inv, cs.get(0), d.getHeader().getRevision());
    boolean ok = report.errorsReported(inv.io);
    if (report.rps() / cfg.limit <= 0.9) {
      inv.io.out("FAIL: Throughput too low: " + ((int) report.rps() + 1) + " writes/s\n");
      ok = false;
    } else {
      inv.io.out("PASS: Throughput is " + ((int) report.rps() + 1) + " writes/s\n");
    }
    if (report.slowest() > 0.5) {
      inv.io.out(String.format("Slowest request took too long: %fs\n", report.slowest()));
      ok = false;
    } else {
      inv.io.out(String.format("PASS: Slowest request took %fs\n", report.slowest()));
    }
    if (report.stddev() > 0.1) {
      inv.io.out(String.format("Stddev too high: %fs\n", report.stddev()));
      ok = false;
    } else {
      inv.io.out(String.format("PASS: Stddev is %fs\n", report.stddev()));
    }
    if (ok) {
      inv.io.out("PASS\n");
    } else {
      inv.io.out("FAIL\n");
      throw new CtlExit(CtlExit.ERROR);
    }
  }

  private static void datascale(Invocation inv, List<String> args) {
    Load cfg = load(inv, SCALE);
    List<EtcdClient> cs = clients(inv, cfg.clients);
    String ep = inv.strings("endpoints").get(0);
    String prefix = inv.string("prefix");
    requireEmpty(inv, cs.get(0), prefix, 0);
    double before = residentMemory(inv, ep);
    if (before == 0) {
      inv.io.out("FAIL: Could not read process_resident_memory_bytes before the put operations.\n");
      throw new CtlExit(CtlExit.ERROR);
    }
    inv.io.out("Start data scale check for work load [" + cfg.limit + " key-value pairs, " + cfg.kvSize
        + " bytes per key-value, " + cfg.clients + " concurrent clients].\n");
    PbBar bar = new PbBar(inv.io, cfg.limit);
    ByteString value = ByteString.copyFrom(new byte[512]);
    LoadReport report = run(cs, cfg.clients, q -> {
      for (int i = 0; i < cfg.limit; i++) {
        q.put(PutRequest.newBuilder().setKey(randomKey(prefix, 512)).setValue(value).build());
      }
    }, bar);
    bar.finish();
    double after = residentMemory(inv, ep);
    if (after == 0) {
      inv.io.out("FAIL: Could not read process_resident_memory_bytes after the put operations.\n");
      throw new CtlExit(CtlExit.ERROR);
    }
    DeleteRangeResponse d = deletePrefix(inv, cs.get(0), prefix, 0);
    afterwards(inv, cs.get(0), d.getHeader().getRevision());
    double mb = (after - before) / (1024 * 1024);
    if (!report.errorsReported(inv.io)) {
      throw new CtlExit(CtlExit.ERROR);
    }
    inv.io.out("PASS: Approximate system memory used : " + String.format("%.2f", mb) + " MB.\n");
  }

  private interface Producer {
    void produce(BlockingQueue<PutRequest> q) throws InterruptedException;
  }

  private static LoadReport run(List<EtcdClient> cs, int callers, Producer producer) {
    return run(cs, callers, producer, null);
  }

  /** {@code callers} threads put what the producer queues, over the shared connections; returns their stats. */
  private static LoadReport run(List<EtcdClient> cs, int callers, Producer producer, PbBar bar) {
    BlockingQueue<PutRequest> q = new ArrayBlockingQueue<>(callers);
    PutRequest poison = PutRequest.getDefaultInstance();
    LoadReport report = new LoadReport();
    List<Thread> ts = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      EtcdClient c = cs.get(i % cs.size());
      Thread t = new Thread(() -> {
        try {
          for (PutRequest r = q.take(); r != poison; r = q.take()) {
            PutRequest req = r;
            long st = System.nanoTime();
            String err = null;
            try {
              c.unary(c.kv(), 0, s -> s.put(req));
            } catch (RpcError e) {
              err = e.getMessage();
            }
            report.add(System.nanoTime() - st, err);
            if (bar != null) {
              bar.add(1);
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "etcdctl-check-" + i);
      t.setDaemon(true);
      t.start();
      ts.add(t);
    }
    try {
      producer.produce(q);
      for (int i = 0; i < callers; i++) {
        q.put(poison);
      }
      for (Thread t : ts) {
        t.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    report.finish();
    return report;
  }

  private static DeleteRangeResponse deletePrefix(Invocation inv, EtcdClient c, String prefix, long timeoutNanos) {
    ByteString p = KvCommands.bytes(prefix);
    try {
      return c.unary(c.kv(), timeoutNanos, s -> s.deleteRange(DeleteRangeRequest.newBuilder().setKey(p)
          .setRangeEnd(MakeMirror.prefixEnd(p)).build()));
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
  }

  /** --auto-compact and --auto-defrag (util.go's compact and defrag). */
  private static void afterwards(Invocation inv, EtcdClient c, long rev) {
    long timeout = TimeUnit.SECONDS.toNanos(30);
    try {
      if (inv.bool("auto-compact")) {
        inv.io.out("Compacting with revision " + rev + "\n");
        c.unary(c.kv(), timeout, s -> s.compact(CompactionRequest.newBuilder().setRevision(rev).setPhysical(true)
            .build()));
        inv.io.out("Compacted with revision " + rev + "\n");
      }
      if (inv.bool("auto-defrag")) {
        ClientConfig cfg = inv.clientConfig();
        for (String ep : cfg.endpoints()) {
          inv.io.out("Defragmenting " + GoText.quote(ep) + "\n");
          DirectEndpoint.call(inv, cfg, ep, one -> one.unary(one.maintenance(), timeout,
              s -> s.defragment(DefragmentRequest.getDefaultInstance())));
          inv.io.out("Defragmented " + GoText.quote(ep) + "\n");
        }
      }
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
  }

  /** process_resident_memory_bytes from the endpoint's /metrics; 0 (with etcdctl's line) when unreadable. */
  private static double residentMemory(Invocation inv, String host) {
    String base = host.startsWith("http://") || host.startsWith("https://") ? host : "http://" + host;
    String url = base + "/metrics";
    try {
      HttpURLConnection h = (HttpURLConnection) new URL(url).openConnection();
      h.setConnectTimeout(5000);
      h.setReadTimeout(30000);
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      try (var in = h.getInputStream()) {
        in.transferTo(body);
      }
      for (String line : body.toString(StandardCharsets.UTF_8).split("\n")) {
        if (line.startsWith("process_resident_memory_bytes ")) {
          return Double.parseDouble(line.substring(line.indexOf(' ') + 1).strip());
        }
      }
      inv.io.out("could not find: process_resident_memory_bytes\n");
      return 0;
    } catch (Exception e) {
      inv.io.out("fetch error: Get " + GoText.quote(url) + ": " + e.getMessage() + "\n");
      return 0;
    }
  }

  /** Latencies and errors of a load run (pkg/report's stats: RPS over the whole run, population stddev). */
  private static final class LoadReport {
    private final long start = System.nanoTime();
    private long total;
    private final List<Long> lats = new ArrayList<>();
    private final Map<String, Integer> errors = new TreeMap<>();

    synchronized void add(long nanos, String err) {
      if (err != null) {
        errors.merge(err, 1, Integer::sum);
      } else {
        lats.add(nanos);
      }
    }

    synchronized void finish() {
      total = System.nanoTime() - start;
    }

    synchronized double rps() {
      return lats.size() / (total / 1e9);
    }

    synchronized double slowest() {
      return lats.stream().mapToLong(Long::longValue).max().orElse(0) / 1e9;
    }

    synchronized double stddev() {
      if (lats.isEmpty()) {
        return 0;
      }
      double mean = lats.stream().mapToLong(Long::longValue).average().orElse(0) / 1e9;
      double sum = 0;
      for (long l : lats) {
        double d = l / 1e9 - mean;
        sum += d * d;
      }
      return Math.sqrt(sum / lats.size());
    }

    /** Prints the failures etcdctl prints; true when there were none. */
    synchronized boolean errorsReported(Io io) {
      if (errors.isEmpty()) {
        return true;
      }
      io.out("FAIL: too many errors\n");
      errors.forEach((k, v) -> io.out("FAIL: ERROR(" + k + ") -> " + v + "\n"));
      return false;
    }
  }
}
