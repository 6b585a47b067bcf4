package io.etcdjava.ctl;

import io.etcdjava.api.etcdserverpb.WatchCreateRequest;
import io.etcdjava.api.etcdserverpb.WatchProgressRequest;
import io.etcdjava.api.etcdserverpb.WatchRequest;
import io.etcdjava.api.etcdserverpb.WatchResponse;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One Watch stream carrying all of a run's watchers, as clientv3 multiplexes them. Responses are handed to
 * a queue in arrival order as {@link Delivery} items, so whoever drains it prints them on one thread.
 * Creation responses are not delivered (etcdctl never asks for them); a canceled watcher gets its last
 * response and then a {@link Delivery#closed} item.
 */
final class WatchStream implements AutoCloseable {
  /** clientv3's InvalidWatchID: progress responses for the whole stream carry it. */
  static final long INVALID_WATCH_ID = -1;

  /** A response for watcher {@code watcher} (an index in creation order), or its end. */
  record Delivery(int watcher, WatchResponse resp, String closeErr, boolean closed) {}

  private final BlockingQueue<Delivery> queue = new LinkedBlockingQueue<>();
  private final StreamObserver<WatchRequest> requests;
  private final Deque<Integer> pending = new ArrayDeque<>();
  private final Map<Long, Integer> active = new HashMap<>();
  private int created;
  private boolean ended;

  WatchStream(EtcdClient c) {
    Metadata md = new Metadata();
    // clientv3.WithRequireLeader: the member cancels the stream when it loses its leader
    md.put(Metadata.Key.of("hasleader", Metadata.ASCII_STRING_MARSHALLER), "true");
    requests = c.watchAsync().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
        .watch(new StreamObserver<>() {
          @Override
          public void onNext(WatchResponse r) {
            received(r);
          }

          @Override
          public void onError(Throwable t) {
            failed(t);
          }

          @Override
          public void onCompleted() {
            failed(Status.CANCELLED.asRuntimeException());
          }
        });
  }

  BlockingQueue<Delivery> queue() {
    return queue;
  }

  /** Starts a watcher; returns its index. */
  synchronized int watch(WatchCreateRequest req) {
    int id = created++;
    if (ended) {
      queue.add(new Delivery(id, null, null, true));
      return id;
    }
    pending.add(id);
    requests.onNext(WatchRequest.newBuilder().setCreateRequest(req).build());
    return id;
  }

  synchronized void requestProgress() {
    if (!ended) {
      requests.onNext(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
    }
  }

  private synchronized void received(WatchResponse r) {
    if (r.getCreated()) {
      Integer w = pending.poll();
      if (w == null) {
        return;
      }
      if (r.getCanceled()) {
        queue.add(new Delivery(w, r, null, false));
        queue.add(new Delivery(w, null, null, true));
        return;
      }
      active.put(r.getWatchId(), w);
      return;
    }
    if (r.getWatchId() == INVALID_WATCH_ID && progress(r)) {
      for (int w : List.copyOf(active.values())) {
        queue.add(new Delivery(w, r, null, false));
      }
      return;
    }
    Integer w = active.get(r.getWatchId());
    if (w == null) {
      return;
    }
    queue.add(new Delivery(w, r, null, false));
    if (r.getCanceled()) {
      active.remove(r.getWatchId());
      queue.add(new Delivery(w, null, null, true));
    }
  }

  private synchronized void failed(Throwable t) {
    if (ended) {
      return;
    }
    ended = true;
    Status st = Status.fromThrowable(t);
    String desc = st.getDescription() == null ? "" : st.getDescription();
    String err = desc.startsWith("etcdserver: ") ? desc
        : "rpc error: code = " + RpcError.goCodeName(st.getCode()) + " desc = " + desc;
    List<Integer> all = new ArrayList<>(pending);
    all.addAll(active.values());
    pending.clear();
    active.clear();
    for (int w : all) {
      queue.add(new Delivery(w, WatchResponse.newBuilder().setCanceled(true).build(), err, false));
      queue.add(new Delivery(w, null, null, true));
    }
  }

  /** clientv3's IsProgressNotify. */
  static boolean progress(WatchResponse r) {
    return r.getEventsCount() == 0 && !r.getCanceled() && !r.getCreated() && r.getCompactRevision() == 0
        && r.getHeader().getRevision() != 0;
  }

  @Override
  public synchronized void close() {
    ended = true;
    try {
      requests.onCompleted();
    } catch (RuntimeException ignored) {
      // already failed
    }
  }
}
