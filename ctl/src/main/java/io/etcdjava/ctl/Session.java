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
    EtcdClient.KeepAliveStream stream = c.openKeepAlive();
    try {
      while (!closed) {
        LeaseKeepAliveResponse r = stream.roundTrip(lease);
        // renew at a third of the TTL, as clientv3's keep-alive loop does
        if (sleep(Math.max(500, r.getTTL() * 1000 / 3))) {
          return;
        }
      }
    } catch (RuntimeException e) {
      // the lease is gone or the cluster unreachable: the session has ended
    } finally {
      stream.close();
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
