package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.LeaseGrantRequest;
import io.etcdjava.api.etcdserverpb.LeaseKeepAliveResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * clientv3's concurrency.Session: a lease kept alive by a named thread for as long as etcdctl holds a lock
 * or a candidacy; {@link #awaitDone} returns when the lease could not be renewed any more.
 */
final class Session implements AutoCloseable {
  final long lease;
  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread keeper;
  private volatile boolean closed;

  private Session(EtcdClient c, long lease, long ttlSeconds) {
    this.lease = lease;
    keeper = new Thread(() -> keepAlive(c, ttlSeconds), "etcdctl-session-keepalive");
    keeper.setDaemon(true);
    keeper.start();
  }

  /** Grants the session's lease; a failure is the command's error. */
  static Session open(Invocation inv, EtcdClient c, long ttlSeconds) {
    try {
      long id = c.unary(c.lease(), 0, s -> s.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(ttlSeconds).build()))
          .getID();
      return new Session(c, id, ttlSeconds);
    } catch (RpcError e) {
      throw inv.io.exitWithError(CtlExit.ERROR, e.getMessage());
    }
  }

  private void keepAlive(EtcdClient c, long ttlSeconds) {
    // Like clientv3's keep-alive loop, a failed round trip is retried on a new stream; the session ends
    // only when the lease is gone (TTL <= 0) or no renewal got through for a whole TTL.
    long lastRenewed = System.nanoTime();
    long ttlMillis = ttlSeconds * 1000;
    try {
      while (!closed) {
        EtcdClient.KeepAliveStream stream = c.openKeepAlive();
        try {
          while (!closed) {
            LeaseKeepAliveResponse r = stream.roundTrip(lease);
            if (r.getTTL() <= 0) {
              return;
            }
            lastRenewed = System.nanoTime();
            ttlMillis = r.getTTL() * 1000;
            // renew at a third of the TTL, as clientv3's keep-alive loop does
            if (sleep(Math.max(500, ttlMillis / 3))) {
              return;
            }
          }
        } catch (RuntimeException e) {
          if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastRenewed) >= ttlMillis || sleep(500)) {
            return;
          }
        } finally {
          stream.close();
        }
      }
    } finally {
      done.countDown();
    }
  }

  private boolean sleep(long millis) {
    try {
      return done.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /** Blocks until the session has ended (its lease expired or could not be renewed). */
  void awaitDone() throws InterruptedException {
    done.await();
  }

  boolean isDone() {
    return done.getCount() == 0;
  }

  @Override
  public void close() {
    closed = true;
    done.countDown();
  }
}
