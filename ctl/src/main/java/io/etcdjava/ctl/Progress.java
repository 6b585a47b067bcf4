package io.etcdjava.ctl;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A one-line progress report (bytes so far and rate) for long copies, redrawn at most five times a second
 * on stderr when stderr is a terminal; silent otherwise, so scripts and golden tests see Go's output.
 */
final class Progress {
  private static final long REDRAW_NANOS = 200_000_000L;
  private final Io io;
  private final boolean enabled;
  private final String what;
  private final long start = System.nanoTime();
  private long lastDraw;
  private boolean drawn;

  Progress(Io io, String what) {
    this(io, what, stderrIsTerminal());
  }

  Progress(Io io, String what, boolean enabled) {
    this.io = io;
    this.what = what;
    this.enabled = enabled;
  }

  /** Whether file descriptor 2 of this process is a terminal (Linux: /proc/self/fd/2 names a tty). */
  static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (Exception | Error e) {
      return false;
    }
  }

  void update(long amount, String unit) {
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    if (drawn && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    drawn = true;
    double secs = Math.max(1e-9, (now - start) / 1e9);
    String text = unit.equals("bytes")
        ? GoText.humanizeBytes(amount) + " (" + GoText.humanizeBytes((long) (amount / secs)) + "/s)"
        : amount + " " + unit + " (" + (long) (amount / secs) + " " + unit + "/s)";
    io.err("\r\033[K" + what + ": " + text);
    io.err.flush();
  }

  /** Clears the line, leaving stderr as if there had been no report. */
  void done() {
    if (enabled && drawn) {
      io.err("\r\033[K");
      io.err.flush();
    }
  }
}
