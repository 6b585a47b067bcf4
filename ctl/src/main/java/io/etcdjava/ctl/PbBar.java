package io.etcdjava.ctl;

/**
 * The counter check perf|datascale draw on stdout as etcdctl's progress bar library does without a
 * terminal: "\r current / total  percent% eta", redrawn at most five times a second, a newline when done.
 */
final class PbBar {
  private static final long REDRAW_NANOS = 200_000_000L;
  private final Io io;
  private final long total;
  private final long start = System.nanoTime();
  private long current;
  private long lastDraw;

  PbBar(Io io, long total) {
    this.io = io;
    this.total = total;
    draw();
  }

  synchronized void add(long n) {
    current += n;
    long now = System.nanoTime();
    if (now - lastDraw >= REDRAW_NANOS) {
      draw();
    }
  }

  private void draw() {
    lastDraw = System.nanoTime();
    double pct = total == 0 ? 100 : current * 100.0 / total;
    String line = String.format("\r %d / %d %7.2f%%", current, total, pct);
    long elapsed = System.nanoTime() - start;
    if (current > 0 && current < total) {
      long left = (long) (elapsed / (double) current * (total - current)) / 1_000_000_000L;
      line += String.format(" %02dm%02ds", left / 60, left % 60);
    }
    synchronized (io) {
      io.out(line);
      io.out.flush();
    }
  }

  synchronized void finish() {
    current = Math.max(current, total);
    draw();
    long secs = (System.nanoTime() - start) / 1_000_000_000L;
    synchronized (io) {
      io.out(" " + secs + "s\n");
    }
  }
}
