package dev.heartbeat.netty;

import dev.heartbeat.frame.WsFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.concurrent.Queues;

/**
 * The connection's inbound stream: reads Reactor Netty's frames from the moment the connection
 * exists, turns each into a {@link WsFrame} while its buffer is still valid (Reactor Netty
 * releases it once {@code onNext} returns), and hands the frames to one subscriber with
 * back-pressure.
 *
 * <p>It never cancels Reactor Netty's inbound: doing so makes Reactor Netty send an empty close
 * frame, and the peer would read 1005 instead of the code this side means to send. When its own
 * subscriber cancels, it goes on reading and drops what arrives, until the connection ends.
 *
 * <p>It keeps {@code prefetch} frames of demand upstream whether or not anyone reads, so that a
 * peer's close (and the end of the connection) is seen even by a connection nobody reads; when
 * {@code prefetch} frames wait unread, it stops reading and TCP pushes back on the peer.
 */
final class InboundFrames extends Flux<WsFrame> implements CoreSubscriber<WebSocketFrame>, Subscription {

  private static final AtomicIntegerFieldUpdater<InboundFrames> WIP =
      AtomicIntegerFieldUpdater.newUpdater(InboundFrames.class, "wip");
  private static final AtomicLongFieldUpdater<InboundFrames> REQUESTED =
      AtomicLongFieldUpdater.newUpdater(InboundFrames.class, "requested");
  private static final AtomicIntegerFieldUpdater<InboundFrames> SUBSCRIBED =
      AtomicIntegerFieldUpdater.newUpdater(InboundFrames.class, "subscribed");

  private final int prefetch;
  private final Queue<WsFrame> queue;
  private final Function<WebSocketFrame, @Nullable WsFrame> convert;

  private volatile @Nullable Subscription upstream;
  private volatile @Nullable CoreSubscriber<? super WsFrame> actual;
  private volatile int wip;
  private volatile long requested;
  private volatile int subscribed;
  private volatile boolean done;
  private volatile boolean cancelled;

  /**
   * @param prefetch frames read ahead of the subscriber
   * @param convert the frame as the core sees it, or {@code null} to skip it; called on the
   *     event loop while the frame's buffer is valid
   */
  InboundFrames(int prefetch, Function<WebSocketFrame, @Nullable WsFrame> convert) {
    this.prefetch = prefetch;
    this.queue = Queues.<WsFrame>get(prefetch).get();
    this.convert = convert;
  }

  // Upstream: Reactor Netty's receiveFrames(), on the event loop.

  @Override
  public void onSubscribe(Subscription s) {
    if (Operators.validate(upstream, s)) {
      upstream = s;
      s.request(prefetch);
    }
  }

  @Override
  public void onNext(WebSocketFrame nettyFrame) {
    WsFrame frame = convert.apply(nettyFrame);
    if (frame == null || cancelled || done) {
      requestUpstream(1);
      return;
    }
    if (!queue.offer(frame)) {
      // Cannot happen while Reactor Netty honours demand; never drop silently if it does not.
      Operators.onNextDropped(frame, currentContext());
      return;
    }
    drain();
  }

  @Override
  public void onError(Throwable t) {
    // The connection's close status tells what happened (1006, 1009 ...); the stream just ends.
    onComplete();
  }

  @Override
  public void onComplete() {
    if (done) {
      return;
    }
    done = true;
    drain();
  }

  // Downstream: the core.

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
    // Read on, dropping: Reactor Netty's inbound is never cancelled (see the class comment).
    requestUpstream(Long.MAX_VALUE);
    if (WIP.getAndIncrement(this) == 0) {
      queue.clear();
    }
  }

  private void drain() {
    if (WIP.getAndIncrement(this) != 0) {
      return;
    }
    int missed = 1;
    do {
      CoreSubscriber<? super WsFrame> a = actual;
      if (cancelled) {
        queue.clear();
        return;
      }
      if (a != null) {
        long r = requested;
        long e = 0;
        while (e != r) {
          if (cancelled) {
            queue.clear();
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
          queue.clear();
          return;
        }
        if (done && queue.isEmpty()) {
          terminate(a);
          return;
        }
        if (e != 0 && r != Long.MAX_VALUE) {
          REQUESTED.addAndGet(this, -e);
        }
      }
      missed = WIP.addAndGet(this, -missed);
    } while (missed != 0);
  }

  private void terminate(CoreSubscriber<? super WsFrame> a) {
    cancelled = true; // nothing more will be delivered; later frames are dropped
    a.onComplete();
  }

  private void requestUpstream(long n) {
    Subscription s = upstream;
    if (s != null && n > 0) {
      s.request(n);
    }
  }
}
