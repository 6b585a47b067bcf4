package io.etcdjava.ctl;

import java.util.concurrent.CountDownLatch;

/**
 * SIGINT and SIGTERM as a latch, for commands that hold something until interrupted (lock, elect) and
 * must release it before exiting, as etcdctl does with signal.Notify. Falls back to never firing when the
 * JVM does not let us handle signals.
 */
final class Signals {
  private Signals() {}

  static CountDownLatch interrupted() {
    CountDownLatch l = new CountDownLatch(1);
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), s -> l.countDown());
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // signal not available here: the command then ends only by its own means
      }
    }
    return l;
  }
}
