package io.etcdjava.ctl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A long-running etcdctl process (Go's or ours) for commands that stream (watch, lock, elect): stdin to
 * write to, stdout and stderr collected as they come, waits on what has been printed, and a stop by
 * SIGTERM. Always destroyed on close.
 */
final class Streaming implements AutoCloseable {
  private final Process process;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final Thread outPump;
  private final Thread errPump;

  private Streaming(List<String> cmd, Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().putAll(env);
    process = pb.start();
    outPump = pump(process.getInputStream(), out);
    errPump = pump(process.getErrorStream(), err);
  }

  static Streaming go(List<String> args, Map<String, String> env) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Golden.GO_ETCDCTL));
    cmd.addAll(args);
    return new Streaming(cmd, env);
  }

  /** Our etcdctl in its own JVM, from the test classpath. */
  static Streaming ours(List<String> args, Map<String, String> env) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
        System.getProperty("java.class.path"), Etcdctl.class.getName()));
    cmd.addAll(args);
    return new Streaming(cmd, env);
  }

  private static Thread pump(InputStream in, ByteArrayOutputStream to) {
    Thread t = new Thread(() -> {
      byte[] b = new byte[4096];
      try {
        int n;
        while ((n = in.read(b)) >= 0) {
          synchronized (to) {
            to.write(b, 0, n);
          }
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "streaming-pump");
    t.setDaemon(true);
    t.start();
    return t;
  }

  void write(String s) throws IOException {
    OutputStream o = process.getOutputStream();
    o.write(s.getBytes(StandardCharsets.UTF_8));
    o.flush();
  }

  void closeStdin() throws IOException {
    process.getOutputStream().close();
  }

  String out() {
    synchronized (out) {
      return out.toString(StandardCharsets.ISO_8859_1);
    }
  }

  String err() {
    synchronized (err) {
      return err.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** Waits until stdout satisfies {@code p}; fails with what was printed when it does not in time. */
  void awaitOut(Predicate<String> p, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!p.test(out())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out; stdout so far:\n" + out() + "\nstderr:\n" + err());
      }
      if (process.waitFor(20, TimeUnit.MILLISECONDS) && !p.test(out())) {
        Thread.sleep(50);
        if (!p.test(out())) {
          throw new AssertionError("process ended; stdout:\n" + out() + "\nstderr:\n" + err());
        }
      }
    }
  }

  /** Stops the process with SIGTERM and returns everything it printed. */
  Golden.Result stop() throws InterruptedException {
    process.destroy();
    return awaitExit(Duration.ofSeconds(30));
  }

  Golden.Result awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("did not exit; stdout:\n" + out() + "\nstderr:\n" + err());
    }
    outPump.join(5000);
    errPump.join(5000);
    return new Golden.Result(out(), err(), process.exitValue());
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
