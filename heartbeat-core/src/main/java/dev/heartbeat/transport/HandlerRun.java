package dev.heartbeat.transport;

import dev.heartbeat.frame.CloseStatus;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * One run of a {@link SessionHandler} on one session, as {@link SessionHandler#serve} promises:
 * the handler's publisher completing closes the session with 1000, its error (or the handler
 * throwing) with 1011; the session's close cancels the publisher and completes the run.
 *
 * <p>One object, the subscriber of the handler's publisher and the subscription of the run,
 * because it lives as long as the connection on every server: the same with {@code then},
 * {@code onErrorResume}, {@code subscribe} and {@code onClose().doOnNext(...).then()} held about
 * ten objects, some 300 bytes, per connection.
 */
final class HandlerRun<S extends WebSocketConnection>
    implements CoreSubscriber<Object>, Subscription, Consumer<CloseStatus> {

  static <S extends WebSocketConnection> Mono<Void> mono(S session, SessionHandler<? super S> handler) {
    return new Mono<>() {
      @Override
      public void subscribe(CoreSubscriber<? super Void> actual) {
        new HandlerRun<>(session, actual).start(handler);
      }
    };
  }

  @SuppressWarnings("rawtypes")
  private static final AtomicReferenceFieldUpdater<HandlerRun, Subscription> HANDLING =
      AtomicReferenceFieldUpdater.newUpdater(HandlerRun.class, Subscription.class, "handling");

  private final S session;
  private final CoreSubscriber<? super Void> actual;
  /** The handler's publisher; {@link Operators#cancelledSubscription()} once the session closed. */
  private volatile @Nullable Subscription handling;
  /** False once the run's subscriber cancelled: the handler runs on, unwatched. */
  private volatile boolean watched = true;

  private HandlerRun(S session, CoreSubscriber<? super Void> actual) {
    this.session = session;
    this.actual = actual;
  }

  @SuppressWarnings("unchecked")
  private void start(SessionHandler<? super S> handler) {
    actual.onSubscribe(this);
    Publisher<Void> work = null;
    try {
      work = handler.handle(session);
      if (work == null) {
        throw new NullPointerException("the session handler returned null");
      }
    } catch (Throwable e) {
      Exceptions.throwIfJvmFatal(e);
      onError(e);
    }
    if (work != null) {
      work.subscribe(this);
    }
    // Watched after the handler subscribed, so a handler waiting for the close sees it before
    // it is cancelled; cancelling stops handlers that would otherwise run forever.
    session.whenClosed(this);
  }

  /** The session closed. */
  @Override
  public void accept(CloseStatus status) {
    Operators.terminate(HANDLING, this);
    if (watched) {
      actual.onComplete();
    }
  }

  private boolean sessionClosed() {
    return handling == Operators.cancelledSubscription();
  }

  // The handler's publisher, as its subscriber.

  @Override
  public void onSubscribe(Subscription s) {
    if (Operators.setOnce(HANDLING, this, s)) {
      s.request(Long.MAX_VALUE);
    }
  }

  @Override
  public void onNext(Object ignored) {
    // a Publisher<Void> emits nothing worth keeping
  }

  @Override
  public void onError(Throwable error) {
    if (!sessionClosed()) {
      session.close(CloseStatus.INTERNAL_ERROR).subscribe(null, e -> { });
    }
  }

  @Override
  public void onComplete() {
    if (!sessionClosed()) {
      session.close(CloseStatus.NORMAL).subscribe(null, e -> { });
    }
  }

  // The run's subscriber.

  @Override
  public void request(long n) {
    // a Mono<Void>: nothing to request
  }

  @Override
  public void cancel() {
    watched = false;
  }
}
