package dev.heartbeat.transport;

import dev.heartbeat.frame.WsFrame;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.concurrent.Queues;

/**
 * A connection's inbound stream for one subscriber, with back-pressure, fed from the moment
 * the connection exists: the building block of every transport adapter's {@code receive()}
 * and of the heartbeat operator's. It keeps {@code capacity} frames of demand upstream whether
 * or not anyone reads, so that heartbeats, answers and the end of the connection are seen even
 * before the subscriber comes; it replenishes that demand for every frame it admits and
 * delivers, or does not admit; and it holds admitted frames the subscriber has not asked for
 * yet in a bounded queue. When the queue is full it stops reading, so TCP pushes back on the
 * peer, and it is
 * {@linkplain #isBackedUp() backed up}: a heartbeat then counts the peer as alive, since its
 * frames are waiting on this side (SPEC 7, rsocket-java #712).
 *
 * <p>A frame the subscriber has asked for goes straight to it, and the queue is made only when
 * a frame has to wait: an idle connection's relay, or one whose reader keeps up, holds none
 * (about 550 bytes per relay, two per connection, and a queue round trip per message saved).
 *
 * <p>It never cancels its source. When its subscriber cancels, {@code onCancel} runs and it
 * reads on, dropping what arrives, until the source ends: cancelling Reactor Netty's inbound,
 * for one, would make it send an empty close frame (the peer reads 1005). A second subscriber
 * gets an {@link IllegalStateException}. A source error ends the stream with that error, or,
 * for a relay made by {@link #completingOnError}, completes it.
 *
 * <pre>{@code
 * InboundRelay<WebSocketFrame> inbound = InboundRelay.completingOnError(32, MyConnection::toCore, () -> { });
 * nettyInbound.receiveFrames().subscribe(inbound);
 * }</pre>
 *
 * @param <T> what the source emits: transport frames, or core frames
 */
public final class InboundRelay<T> extends Flux<WsFrame> implements CoreSubscriber<T>, Subscription, Scannable {

  private static final AtomicIntegerFieldUpdater<InboundRelay<?>> WIP =
      newIntUpdater("wip");
  private static final AtomicLongFieldUpdater<InboundRelay<?>> REQUESTED =
      newLongUpdater("requested");
  private static final AtomicIntegerFieldUpdater<InboundRelay<?>> SUBSCRIBED =
      newIntUpdater("subscribed");
  private static final AtomicIntegerFieldUpdater<InboundRelay<?>> TOUCHED =
      newIntUpdater("touched");

  private static final int UNTOUCHED = 0;
  private static final int IN_USE = 1;
  private static final int INTERCEPTED = 2;

  private final int capacity;
  /** Made on the source's thread when a frame first has to wait; read by whoever drains. */
  private volatile @Nullable Queue<WsFrame> queue;
  private final Function<? super T, @Nullable WsFrame> admit;
  private final Runnable onCancel;
  private final boolean errorsComplete;
  /** Set by {@link #intercept} before it publishes {@link #INTERCEPTED}; read only after it. */
  private @Nullable Function<WsFrame, @Nullable WsFrame> next;
  private @Nullable Runnable nextOnCancel;
  /** {@link #UNTOUCHED} until a frame arrives, someone subscribes or {@link #intercept} takes it. */
  private volatile int touched;

  private volatile @Nullable Subscription upstream;
  private volatile @Nullable CoreSubscriber<? super WsFrame> actual;
  private volatile int wip;
  private volatile long requested;
  private volatile int subscribed;
  private volatile boolean done;
  private volatile boolean cancelled;
  private @Nullable Throwable error;

  private InboundRelay(int capacity, Function<? super T, @Nullable WsFrame> admit, Runnable onCancel,
      boolean errorsComplete) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
    this.admit = Objects.requireNonNull(admit, "admit");
    this.onCancel = Objects.requireNonNull(onCancel, "onCancel");
    this.errorsComplete = errorsComplete;
  }

  /**
   * A relay holding at most {@code capacity} unread frames.
   *
   * @param admit the frame for the subscriber, or {@code null} when it is not for the
   *     subscriber (consumed by the heartbeat, or skipped); called on the source's thread, while
   *     a transport's buffer is still valid
   * @param onCancel called once when the subscriber cancels
   */
  public static <T> InboundRelay<T> create(int capacity, Function<? super T, @Nullable WsFrame> admit, Runnable onCancel) {
    return new InboundRelay<>(capacity, admit, onCancel, false);
  }

  /**
   * The same, except that a source error completes the stream: for a transport that reports
   * why it stopped reading through the close status (a protocol violation's 1009, 1007 ...),
   * without an operator per connection to swallow the error.
   */
  public static <T> InboundRelay<T> completingOnError(int capacity, Function<? super T, @Nullable WsFrame> admit,
      Runnable onCancel) {
    return new InboundRelay<>(capacity, admit, onCancel, true);
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static AtomicIntegerFieldUpdater<InboundRelay<?>> newIntUpdater(String field) {
    return (AtomicIntegerFieldUpdater) AtomicIntegerFieldUpdater.newUpdater(InboundRelay.class, field);
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static AtomicLongFieldUpdater<InboundRelay<?>> newLongUpdater(String field) {
    return (AtomicLongFieldUpdater) AtomicLongFieldUpdater.newUpdater(InboundRelay.class, field);
  }

  /**
   * Lets a decorator read this relay's frames where they arrive, instead of subscribing a relay
   * of its own to it: a second queue, a second demand and a hop per frame, and about 100 bytes
   * per connection. Every frame this relay admits then goes through {@code next}, whose
   * {@code null} keeps it from the subscriber, and {@code onCancel} runs after the relay's own
   * when the subscriber cancels. It takes them once, and only before any frame arrived and
   * before anyone subscribed: a frame admitted without {@code next} would never be seen by it.
   *
   * @return whether the relay took them; if not, subscribe a relay of your own as before
   */
  public boolean intercept(Function<WsFrame, @Nullable WsFrame> next, Runnable onCancel) {
    Objects.requireNonNull(next, "next");
    Objects.requireNonNull(onCancel, "onCancel");
    if (touched != UNTOUCHED) {
      return false;
    }
    // Written before the CAS publishes them: a frame that finds INTERCEPTED finds them set.
    this.next = next;
    this.nextOnCancel = onCancel;
    if (TOUCHED.compareAndSet(this, UNTOUCHED, INTERCEPTED)) {
      return true;
    }
    this.next = null; // a frame or a subscriber came first; they never read these
    this.nextOnCancel = null;
    return false;
  }

  /**
   * Reactor's view of the relay: {@link Scannable.Attr#BUFFERED} counts the frames read and not
   * yet asked for, {@link Scannable.Attr#PREFETCH} is the capacity.
   */
  @Override
  public @Nullable Object scanUnsafe(Scannable.Attr key) {
    if (key == Scannable.Attr.BUFFERED) {
      Queue<WsFrame> q = queue;
      return q == null ? 0 : q.size();
    }
    if (key == Scannable.Attr.PREFETCH) {
      return capacity;
    }
    if (key == Scannable.Attr.REQUESTED_FROM_DOWNSTREAM) {
      return requested;
    }
    if (key == Scannable.Attr.PARENT) {
      return upstream;
    }
    if (key == Scannable.Attr.ACTUAL) {
      return actual;
    }
    if (key == Scannable.Attr.CANCELLED) {
      return cancelled;
    }
    if (key == Scannable.Attr.TERMINATED) {
      return done;
    }
    return null;
  }

  /** Whether the subscriber has left {@code capacity} frames unread, so reading has stopped. */
  public boolean isBackedUp() {
    Queue<WsFrame> q = queue;
    return q != null && q.size() >= capacity;
  }

  /**
   * Ends the subscriber's stream with {@code cause} once the frames already held are delivered;
   * the source's own end afterwards is ignored. The first terminal signal wins.
   */
  public void fail(Throwable cause) {
    if (done) {
      return;
    }
    error = cause;
    done = true;
    drain();
  }

  // Upstream: the source.

  @Override
  public void onSubscribe(Subscription s) {
    if (Operators.validate(upstream, s)) {
      upstream = s;
      s.request(capacity);
    }
  }

  @Override
  public void onNext(T item) {
    int use = touched;
    if (use == UNTOUCHED && !TOUCHED.compareAndSet(this, UNTOUCHED, IN_USE)) {
      use = touched; // intercept won the race
    }
    WsFrame frame = admit.apply(item);
    if (use == INTERCEPTED && frame != null) {
      frame = Objects.requireNonNull(next).apply(frame);
    }
    if (frame == null || cancelled || done) {
      requestUpstream(1); // not for the subscriber, or nobody will read it any more
      return;
    }
    if (WIP.get(this) == 0 && WIP.compareAndSet(this, 0, 1)) {
      // Nobody drains: when the subscriber asked for it and nothing waits before it, hand it over.
      CoreSubscriber<? super WsFrame> a = actual;
      Queue<WsFrame> q = queue;
      long r = requested;
      if (a != null && r != 0 && !cancelled && (q == null || q.isEmpty())) {
        a.onNext(frame);
        if (r != Long.MAX_VALUE) {
          REQUESTED.decrementAndGet(this);
        }
        requestUpstream(1);
      } else {
        enqueue(frame);
      }
      if (WIP.decrementAndGet(this) != 0) {
        drainLoop(); // work signalled meanwhile: a request, a cancel, the end
      }
      return;
    }
    enqueue(frame);
    drain();
  }

  private void enqueue(WsFrame frame) {
    Queue<WsFrame> q = queue;
    if (q == null) {
      q = Queues.<WsFrame>get(capacity).get();
      queue = q;
    }
    if (!q.offer(frame)) {
      // Cannot happen while the connection honours demand; never drop silently if it does not.
      Operators.onNextDropped(frame, currentContext());
    }
  }

  @Override
  public void onError(Throwable t) {
    if (errorsComplete) {
      onComplete();
    } else {
      fail(t);
    }
  }

  @Override
  public void onComplete() {
    if (done) {
      return;
    }
    done = true;
    drain();
  }

  // Downstream: the one subscriber.

  @Override
  public void subscribe(CoreSubscriber<? super WsFrame> subscriber) {
    if (!SUBSCRIBED.compareAndSet(this, 0, 1)) {
      Operators.error(subscriber, new IllegalStateException("receive() allows only one subscriber"));
      return;
    }
    TOUCHED.compareAndSet(this, UNTOUCHED, IN_USE);
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
    if (touched == INTERCEPTED) {
      Objects.requireNonNull(nextOnCancel).run();
    }
    requestUpstream(Long.MAX_VALUE); // read on, dropping, until the source ends: never cancel it
    if (WIP.getAndIncrement(this) == 0) {
      Queue<WsFrame> q = queue;
      if (q != null) {
        q.clear();
      }
    }
  }

  private void drain() {
    if (WIP.getAndIncrement(this) != 0) {
      return;
    }
    drainLoop();
  }

  /** Delivers while there is demand; the caller holds the drain (wip was 0, now at least 1). */
  private void drainLoop() {
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
          Queue<WsFrame> q = queue;
          WsFrame frame = q == null ? null : q.poll();
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
        if (done && isEmpty()) {
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

  private boolean isEmpty() {
    Queue<WsFrame> q = queue;
    return q == null || q.isEmpty();
  }

  private void discardQueued() {
    Queue<WsFrame> q = queue;
    if (q == null) {
      return;
    }
    int freed = q.size();
    q.clear();
    requestUpstream(freed);
  }

  private void requestUpstream(long n) {
    Subscription s = upstream;
    if (s != null && n > 0) {
      s.request(n);
    }
  }
}
