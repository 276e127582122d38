package dev.heartbeat.netty;

import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.netty.http.websocket.WebsocketOutbound;
import reactor.util.context.Context;

/**
 * One subscription to {@link NettyWebSocketConnection#send}: the application's frames, turned
 * into what goes on the wire, as one Reactor Netty send, raced against the connection's close.
 *
 * <ul>
 *   <li>It completes once Reactor Netty has written every frame, or once the connection closes
 *       after the publisher completed (everything was handed over).</li>
 *   <li>It fails with the connection's closed error when the connection closes before the
 *       publisher completed, and with the publisher's error.</li>
 *   <li>Cancelling it, or the close, cancels Reactor Netty's send and so the publisher.</li>
 * </ul>
 *
 * <p>Why not operators: a server's echo {@code send} lives as long as its connection, and the
 * same with {@code map}, {@code doOnComplete}, {@code hide} and {@code Mono.firstWithSignal}
 * against a close sink held about 20 objects, some 450 bytes, per connection. This holds two.
 */
final class FrameSend implements CoreSubscriber<Void>, Subscription, Consumer<CloseStatus> {

  /** The {@code Mono} {@code send} returns: each subscription is one send. */
  static Mono<Void> mono(NettyWebSocketConnection connection, WebsocketOutbound outbound,
      Publisher<? extends WsFrame> frames) {
    return new Mono<>() {
      @Override
      public void subscribe(CoreSubscriber<? super Void> actual) {
        new FrameSend(connection, actual, frames).start(outbound);
      }
    };
  }

  private static final AtomicReferenceFieldUpdater<FrameSend, Subscription> WRITTEN =
      AtomicReferenceFieldUpdater.newUpdater(FrameSend.class, Subscription.class, "written");
  private static final AtomicIntegerFieldUpdater<FrameSend> DONE =
      AtomicIntegerFieldUpdater.newUpdater(FrameSend.class, "done");

  private final NettyWebSocketConnection connection;
  private final CoreSubscriber<? super Void> actual;
  private final Frames frames;
  /** Reactor Netty's send, once subscribed; {@link Operators#cancelledSubscription()} once ended. */
  private volatile @Nullable Subscription written;
  private volatile int done;

  private FrameSend(NettyWebSocketConnection connection, CoreSubscriber<? super Void> actual,
      Publisher<? extends WsFrame> source) {
    this.connection = connection;
    this.actual = actual;
    this.frames = new Frames(source);
  }

  private void start(WebsocketOutbound outbound) {
    actual.onSubscribe(this);
    if (!connection.isOpen()) {
      if (DONE.compareAndSet(this, 0, 1)) {
        actual.onError(connection.closedError());
      }
      return;
    }
    connection.closing().whenClosed(this); // runs at once if the connection began closing meanwhile
    if (done != 0) {
      return;
    }
    // Concurrent sends are fine: each is its own Reactor Netty send, and the event loop writes
    // whole frames one at a time.
    outbound.sendObject(frames).then().subscribe(this);
  }

  /** The connection is closing: the send ends now, whether Reactor Netty's has or not. */
  @Override
  public void accept(CloseStatus closing) {
    if (DONE.compareAndSet(this, 0, 1)) {
      Operators.terminate(WRITTEN, this);
      if (frames.handedOver) {
        actual.onComplete();
      } else {
        actual.onError(connection.closedError());
      }
    }
  }

  // Reactor Netty's send, as its subscriber.

  @Override
  public void onSubscribe(Subscription s) {
    if (Operators.setOnce(WRITTEN, this, s)) {
      s.request(Long.MAX_VALUE);
    }
  }

  @Override
  public void onNext(Void nothing) {
    // a Mono<Void> emits no value
  }

  @Override
  public void onError(Throwable error) {
    if (DONE.compareAndSet(this, 0, 1)) {
      connection.closing().forget(this);
      actual.onError(error);
    } else {
      Operators.onErrorDropped(error, actual.currentContext());
    }
  }

  @Override
  public void onComplete() {
    if (DONE.compareAndSet(this, 0, 1)) {
      connection.closing().forget(this);
      actual.onComplete();
    }
  }

  @Override
  public Context currentContext() {
    return actual.currentContext();
  }

  // The application's subscription to this send.

  @Override
  public void request(long n) {
    // a Mono<Void>: nothing to request
  }

  @Override
  public void cancel() {
    if (DONE.compareAndSet(this, 0, 1)) {
      connection.closing().forget(this);
      Operators.terminate(WRITTEN, this);
    }
  }

  /**
   * The application's frames as Reactor Netty writes them ({@link NettyWebSocketConnection#toWire}),
   * passing demand and cancellation straight through. Not fuseable on purpose: a fused queue
   * would let Reactor Netty see the completion late, on the event loop, after a close that came
   * meanwhile had already judged the frames not handed over.
   */
  private final class Frames extends Flux<Object> implements CoreSubscriber<WsFrame>, Subscription {
    private @Nullable Publisher<? extends WsFrame> source;
    private @Nullable CoreSubscriber<? super Object> downstream;
    private @Nullable Subscription upstream;
    private boolean terminated;
    /** The publisher completed: every frame it had went to Reactor Netty. */
    volatile boolean handedOver;

    Frames(Publisher<? extends WsFrame> source) {
      this.source = source;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void subscribe(CoreSubscriber<? super Object> netty) {
      Publisher<WsFrame> from = (Publisher<WsFrame>) source;
      if (from == null) {
        Operators.error(netty, new IllegalStateException("a send's frames are subscribed once"));
        return;
      }
      source = null;
      downstream = netty;
      from.subscribe(this);
    }

    @Override
    public void onSubscribe(Subscription s) {
      if (Operators.validate(upstream, s)) {
        upstream = s;
        downstream().onSubscribe(this);
      }
    }

    @Override
    public void onNext(WsFrame frame) {
      if (terminated) {
        Operators.onNextDropped(frame, currentContext());
        return;
      }
      Object wire;
      try {
        wire = connection.toWire(frame);
      } catch (RuntimeException e) {
        cancel();
        onError(Operators.onOperatorError(e, currentContext()));
        return;
      }
      downstream().onNext(wire);
    }

    @Override
    public void onError(Throwable error) {
      if (terminated) {
        Operators.onErrorDropped(error, currentContext());
        return;
      }
      terminated = true;
      downstream().onError(error);
    }

    @Override
    public void onComplete() {
      if (terminated) {
        return;
      }
      terminated = true;
      handedOver = true; // before Reactor Netty hears of it, so a close that follows finds it set
      downstream().onComplete();
    }

    @Override
    public void request(long n) {
      Subscription s = upstream;
      if (s != null) {
        s.request(n);
      }
    }

    @Override
    public void cancel() {
      Subscription s = upstream;
      if (s != null) {
        s.cancel();
      }
    }

    @Override
    public Context currentContext() {
      CoreSubscriber<? super Object> d = downstream;
      return d != null ? d.currentContext() : Context.empty();
    }

    private CoreSubscriber<? super Object> downstream() {
      CoreSubscriber<? super Object> d = downstream;
      if (d == null) {
        throw new IllegalStateException("not subscribed");
      }
      return d;
    }
  }
}
