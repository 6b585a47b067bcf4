package io.etcdjava.ctl.h2;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A gRPC channel over plaintext HTTP/2 (h2c with prior knowledge) with no transport library: one
 * connection at a time to the first endpoint that accepts, in list order (pick-first), reconnecting
 * along the list after a failure. Starts in a fraction of the time Netty needs, which is what a
 * one-shot command-line client pays for on every run.
 */
public final class H2Channel extends ManagedChannel {
  private static final long INITIAL_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Like grpc-java, keep-alive pings no more often than every 10s (etcd's server refuses under 5s). */
  private static final long MIN_KEEPALIVE_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final List<InetSocketAddress> endpoints;
  private final long dialTimeoutNanos;
  private long keepAliveTimeNanos;
  private long keepAliveTimeoutNanos;
  private final String userAgent;
  private final Channel intercepted;
  private final Object connectLock = new Object();

  // guarded by this
  private H2Connection conn;
  private ConnectivityState state = ConnectivityState.IDLE;
  private boolean shutdown;
  private ScheduledExecutorService timer;
  private ExecutorService callbacks;

  private H2Channel(List<InetSocketAddress> endpoints, long dialTimeoutNanos, String userAgent,
      ClientInterceptor... interceptors) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no endpoints");
    }
    this.endpoints = List.copyOf(endpoints);
    this.dialTimeoutNanos = dialTimeoutNanos > 0 ? dialTimeoutNanos : TimeUnit.SECONDS.toNanos(20);
    this.userAgent = userAgent;
    Channel raw = new Channel() {
      @Override
      public <Q, P> ClientCall<Q, P> newCall(MethodDescriptor<Q, P> m, CallOptions o) {
        return new H2Call<>(H2Channel.this, m, o);
      }

      @Override
      public String authority() {
        return H2Channel.this.authority();
      }
    };
    this.intercepted = ClientInterceptors.intercept(raw, interceptors);
  }

  /**
   * A channel to these endpoints, tried in order; each connection attempt waits at most
   * {@code dialTimeoutNanos} (20s when not positive).
   */
  public static H2Channel create(List<InetSocketAddress> endpoints, long dialTimeoutNanos, String userAgent,
      ClientInterceptor... interceptors) {
    return new H2Channel(endpoints, dialTimeoutNanos, userAgent, interceptors);
  }

  /**
   * Pings an idle connection that has calls open every {@code timeNanos} (at least 10s) and drops it when
   * a ping goes unanswered for {@code timeoutNanos}; off when {@code timeNanos <= 0}.
   */
  public H2Channel keepAlive(long timeNanos, long timeoutNanos) {
    return keepAliveUnclamped(timeNanos <= 0 ? 0 : Math.max(MIN_KEEPALIVE_NANOS, timeNanos), timeoutNanos);
  }

  /** {@link #keepAlive} without the 10s floor, for tests. */
  synchronized H2Channel keepAliveUnclamped(long timeNanos, long timeoutNanos) {
    keepAliveTimeNanos = Math.max(0, timeNanos);
    keepAliveTimeoutNanos = timeoutNanos > 0 ? timeoutNanos : TimeUnit.SECONDS.toNanos(20);
    return this;
  }

  @Override
  public <Q, P> ClientCall<Q, P> newCall(MethodDescriptor<Q, P> method, CallOptions options) {
    return intercepted.newCall(method, options);
  }

  @Override
  public String authority() {
    InetSocketAddress a = endpoints.get(0);
    return a.getHostString() + ":" + a.getPort();
  }

  /**
   * A unary call without grpc-java's call layer and without this channel's interceptors: {@code metadata}
   * (name, value pairs) goes out as given. Returns the response message's bytes; a failure comes back
   * as the grpc status the blocking stubs would give. Waits for a connection until the timeout (none
   * when {@code timeoutNanos <= 0}).
   */
  public byte[] blockingUnary(String fullMethodName, byte[] request, long timeoutNanos, String... metadata)
      throws StatusException {
    List<Header> extra = new java.util.ArrayList<>();
    for (int i = 0; i + 1 < metadata.length; i += 2) {
      extra.add(new Header(metadata[i], metadata[i + 1]));
    }
    return H2Unary.call(this, "/" + fullMethodName, request, timeoutNanos, extra);
  }

  String userAgent() {
    return userAgent;
  }

  @Override
  public synchronized ConnectivityState getState(boolean requestConnection) {
    if (shutdown) {
      return ConnectivityState.SHUTDOWN;
    }
    if (state == ConnectivityState.READY && (conn == null || !conn.isUsable())) {
      return ConnectivityState.IDLE;
    }
    return state;
  }

  /**
   * The current connection, or a new one to the first endpoint that accepts. With {@code waitForReady}
   * the endpoint list is retried with backoff until the deadline; without, one failed round is
   * UNAVAILABLE. Null when {@code abandoned} turns true first.
   */
  H2Connection connection(Deadline deadline, boolean waitForReady, BooleanSupplier abandoned)
      throws StatusException {
    synchronized (connectLock) {
      synchronized (this) {
        if (shutdown) {
          throw Status.UNAVAILABLE.withDescription("Channel shutdown invoked").asException();
        }
        if (conn != null && conn.isUsable()) {
          return conn;
        }
      }
      long backoff = INITIAL_BACKOFF_NANOS;
      IOException last = null;
      while (true) {
        for (InetSocketAddress a : endpoints) {
          long wait = dialTimeoutNanos;
          if (deadline != null) {
            long left = deadline.timeRemaining(TimeUnit.NANOSECONDS);
            if (left <= 0) {
              return null; // the call's deadline timer reports it
            }
            wait = Math.min(wait, left);
          }
          if (abandoned.getAsBoolean()) {
            return null;
          }
          connecting();
          try {
            H2Connection c = H2Connection.open(a, (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(wait)));
            synchronized (this) {
              if (shutdown) {
                c.close(() -> Status.UNAVAILABLE.withDescription("Channel shutdown invoked"));
                throw Status.UNAVAILABLE.withDescription("Channel shutdown invoked").asException();
              }
              conn = c;
              state = ConnectivityState.READY;
              if (keepAliveTimeNanos > 0) {
                watchKeepAlive(c, keepAliveTimeNanos, keepAliveTimeoutNanos);
              }
            }
            return c;
          } catch (IOException e) {
            last = e;
          }
        }
        setState(ConnectivityState.TRANSIENT_FAILURE);
        if (!waitForReady) {
          throw Status.UNAVAILABLE.withDescription("io exception").withCause(last).asException();
        }
        long sleep = backoff;
        if (deadline != null) {
          sleep = Math.min(sleep, Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS)));
        }
        try {
          // short naps, so a cancelled call stops waiting promptly
          long until = System.nanoTime() + sleep;
          for (long left = sleep; left > 0 && !abandoned.getAsBoolean(); left = until - System.nanoTime()) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(20)));
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw Status.CANCELLED.withDescription("interrupted while connecting").asException();
        }
        backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
      }
    }
  }

  /** Like pick-first: after a failed round the channel stays in TRANSIENT_FAILURE until it is READY. */
  private synchronized void connecting() {
    if (!shutdown && state != ConnectivityState.TRANSIENT_FAILURE) {
      state = ConnectivityState.CONNECTING;
    }
  }

  private synchronized void setState(ConnectivityState s) {
    if (!shutdown) {
      state = s;
    }
  }

  private void watchKeepAlive(H2Connection c, long time, long timeout) {
    // checked at a fraction of the interval so a late ping or a missing ack is seen promptly
    long period = Math.max(TimeUnit.MILLISECONDS.toNanos(100), Math.min(time, timeout) / 4);
    ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
    Runnable check = () -> {
      if (!c.keepAliveCheck(time, timeout)) {
        synchronized (H2Channel.this) {
          if (self[0] != null) {
            self[0].cancel(false);
          }
        }
      }
    };
    synchronized (this) {
      self[0] = timer().scheduleWithFixedDelay(check, period, period, TimeUnit.NANOSECONDS);
    }
  }

  /** Runs {@code r} once after {@code nanos} on the channel's timer thread (started on first use). */
  synchronized ScheduledFuture<?> schedule(Runnable r, long nanos) {
    return timer().schedule(r, nanos, TimeUnit.NANOSECONDS);
  }

  private synchronized ScheduledExecutorService timer() {
    if (timer == null) {
      ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, daemon("etcdctl-h2-timer"));
      t.setRemoveOnCancelPolicy(true);
      timer = t;
    }
    return timer;
  }

  /** Where listener callbacks of calls without their own executor run, in order. */
  synchronized ExecutorService callbackExecutor() {
    if (callbacks == null) {
      callbacks = Executors.newSingleThreadExecutor(daemon("etcdctl-h2-callbacks"));
    }
    return callbacks;
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public ManagedChannel shutdown() {
    return shutdownNow();
  }

  @Override
  public ManagedChannel shutdownNow() {
    H2Connection c;
    synchronized (this) {
      if (shutdown) {
        return this;
      }
      shutdown = true;
      state = ConnectivityState.SHUTDOWN;
      c = conn;
      conn = null;
      if (timer != null) {
        timer.shutdownNow();
      }
      if (callbacks != null) {
        callbacks.shutdown();
      }
    }
    if (c != null) {
      c.close(() -> Status.UNAVAILABLE.withDescription("Channel shutdownNow invoked"));
    }
    return this;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }
}
