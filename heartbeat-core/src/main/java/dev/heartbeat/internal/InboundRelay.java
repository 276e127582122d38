package dev.heartbeat.internal;

import dev.heartbeat.frame.WsFrame;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.concurrent.Queues;

/**
 * Reads a connection's inbound frames from the moment the heartbeat operator is applied, lets
 * the heartbeat machinery consume its own frames, and hands the application frames to one
 * application subscriber with back-pressure.
 *
 * <p>Reading must not wait for the application: heartbeats and answers have to be seen even
 * before it subscribes. So the relay keeps {@code capacity} frames of demand on the connection,
 * replenishes it for every frame it consumes or delivers, and holds undelivered application
 * frames in a bounded queue. When that queue is full the relay stops reading: the connection
 * is then {@linkplain #isBackedUp() backed up}, and the peer counts as alive, since its frames
 * are waiting on this side (SPEC 7, rsocket-java #712).
 */
final class InboundRelay extends Flux<WsFrame> implements CoreSubscriber<WsFrame>, Subscription {

  private static final AtomicIntegerFieldUpdater<InboundRelay> WIP =
      AtomicIntegerFieldUpdater.newUpdater(InboundRelay.class, "wip");
  private static final AtomicLongFieldUpdater<InboundRelay> REQUESTED =
      AtomicLongFieldUpdater.newUpdater(InboundRelay.class, "requested");
  private static final AtomicIntegerFieldUpdater<InboundRelay> SUBSCRIBED =
      AtomicIntegerFieldUpdater.newUpdater(InboundRelay.class, "subscribed");

  private final int capacity;
  private final Queue<WsFrame> queue;
  private final Predicate<WsFrame> consumed;
  private final Runnable onCancel;

  private volatile @Nullable Subscription upstream;
  private volatile @Nullable CoreSubscriber<? super WsFrame> actual;
  private volatile int wip;
  private volatile long requested;
  private volatile int subscribed;
  private volatile boolean done;
  private volatile boolean cancelled;
  private @Nullable Throwable error;

  /**
   * @param capacity application frames held while the application is not reading
   * @param consumed called on every inbound frame; true when the heartbeat machinery consumed it
   * @param onCancel called once when the application cancels its subscription
   */
  InboundRelay(int capacity, Predicate<WsFrame> consumed, Runnable onCancel) {
    this.capacity = capacity;
    this.queue = Queues.<WsFrame>get(capacity).get();
    this.consumed = consumed;
    this.onCancel = onCancel;
  }

  /** Whether the application has left {@code capacity} frames unread, so reading has stopped. */
  boolean isBackedUp() {
    return queue.size() >= capacity;
  }

  /**
   * Ends the application's stream with {@code cause} once the frames already held are delivered;
   * the connection's own completion afterwards is ignored. The first terminal signal wins.
   */
  void fail(Throwable cause) {
    if (done) {
      return;
    }
    error = cause;
    done = true;
    drain();
  }

  // Upstream: the connection's inbound frames.

  @Override
  public void onSubscribe(Subscription s) {
    if (Operators.validate(upstream, s)) {
      upstream = s;
      s.request(capacity);
    }
  }

  @Override
  public void onNext(WsFrame frame) {
    if (consumed.test(frame) || cancelled) {
      requestUpstream(1);
      return;
    }
    if (done || !queue.offer(frame)) {
      // Cannot happen while the connection honours demand; never drop silently if it does not.
      Operators.onNextDropped(frame, currentContext());
      return;
    }
    drain();
  }

  @Override
  public void onError(Throwable t) {
    fail(t);
  }

  @Override
  public void onComplete() {
    if (done) {
      return;
    }
    done = true;
    drain();
  }

  // Downstream: the application.

  @Override
  public void subscribe(CoreSubscriber<? super WsFrame> subscriber) {
    if (!SUBSCRIBED.compareAndSet(this, 0, 1)) {
      Operators.error(subscriber, new IllegalStateException("receive() allows only one subscriber"));
      return;
    }
    actual = subscriber;
    subscriber.onSubscribe(this);
    drain();
  }

  @Override
  public void request(long n) {
    if (Operators.validate(n)) {
      Operators.addCap(REQUESTED, this, n);
      drain();
    }
  }

  @Override
  public void cancel() {
    if (cancelled) {
      return;
    }
    cancelled = true;
    onCancel.run();
    if (WIP.getAndIncrement(this) == 0) {
      discardQueued();
    }
  }

  private void drain() {
    if (WIP.getAndIncrement(this) != 0) {
      return;
    }
    int missed = 1;
    do {
      CoreSubscriber<? super WsFrame> a = actual;
      if (a != null) {
        long r = requested;
        long e = 0;
        while (e != r) {
          if (cancelled) {
            discardQueued();
            return;
          }
          boolean d = done;
          WsFrame frame = queue.poll();
          if (frame == null) {
            if (d) {
              terminate(a);
              return;
            }
            break;
          }
          a.onNext(frame);
          e++;
          requestUpstream(1);
        }
        if (cancelled) {
          discardQueued();
          return;
        }
        if (done && queue.isEmpty()) {
          terminate(a);
          return;
        }
        if (e != 0 && r != Long.MAX_VALUE) {
          REQUESTED.addAndGet(this, -e);
        }
      } else if (cancelled) {
        discardQueued();
        return;
      }
      missed = WIP.addAndGet(this, -missed);
    } while (missed != 0);
  }

  private void terminate(CoreSubscriber<? super WsFrame> a) {
    cancelled = true; // nothing more will be delivered
    Throwable e = error;
    if (e != null) {
      a.onError(e);
    } else {
      a.onComplete();
    }
  }

  private void discardQueued() {
    int freed = queue.size();
    queue.clear();
    requestUpstream(freed);
  }

  private void requestUpstream(long n) {
    Subscription s = upstream;
    if (s != null && n > 0) {
      s.request(n);
    }
  }
}
