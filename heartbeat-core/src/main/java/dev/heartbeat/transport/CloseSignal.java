package dev.heartbeat.transport;

import dev.heartbeat.frame.CloseStatus;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * A connection's close status, told once: the {@code Mono} a transport returns from
 * {@link WebSocketConnection#onClose()}, which replays the status to late subscribers, and the
 * {@link #whenClosed} callbacks behind {@link WebSocketConnection#whenClosed}. The first
 * {@link #tryEmit} wins; listeners run on the thread that emits, in the order they were added,
 * or at once on the caller's thread when the status is known already.
 *
 * <p>Why not {@code Sinks.one()}: a server's transport, registry and heartbeat each watch every
 * connection's close for its whole life. Through a sink that is a subscriber, its inner and its
 * lambda each (about 90 bytes); a callback here is one array slot besides the lambda.
 *
 * <pre>{@code
 * CloseSignal closed = CloseSignal.create();
 * closed.whenClosed(status -> registry.remove(connection));
 * closed.tryEmit(CloseStatus.ABNORMAL); // the channel dropped
 * }</pre>
 */
public final class CloseSignal extends Mono<CloseStatus> {

  private static final Object[] NO_LISTENERS = new Object[0];
  private static final AtomicReferenceFieldUpdater<CloseSignal, Object> STATE =
      AtomicReferenceFieldUpdater.newUpdater(CloseSignal.class, Object.class, "state");

  /** While open, the listeners waiting ({@code Consumer}s and {@link Waiter}s); then the status. */
  private volatile Object state = NO_LISTENERS;

  private CloseSignal() {}

  /** A signal not emitted yet. */
  public static CloseSignal create() {
    return new CloseSignal();
  }

  /**
   * Emits {@code status} to every listener, unless a status was emitted before.
   *
   * @return whether this call emitted
   */
  public boolean tryEmit(CloseStatus status) {
    Objects.requireNonNull(status, "status");
    while (true) {
      Object current = state;
      if (current instanceof CloseStatus) {
        return false;
      }
      if (STATE.compareAndSet(this, current, status)) {
        for (Object listener : (Object[]) current) {
          tell(listener, status);
        }
        return true;
      }
    }
  }

  /** The status emitted, or {@code null} while the connection is open. */
  public @Nullable CloseStatus status() {
    return state instanceof CloseStatus status ? status : null;
  }

  /**
   * Runs {@code callback} once with the status: when it is emitted, or now if it was. A callback
   * that throws does not keep the others from running; its error goes to
   * {@link reactor.core.publisher.Hooks#onErrorDropped}.
   */
  public void whenClosed(Consumer<? super CloseStatus> callback) {
    Objects.requireNonNull(callback, "callback");
    CloseStatus known = add(callback);
    if (known != null) {
      tell(callback, known);
    }
  }

  /**
   * Forgets {@code callback} if it has not run: for a listener whose interest ended before the
   * close (a send that completed), so that the signal does not hold it for the connection's life.
   */
  public void forget(Consumer<? super CloseStatus> callback) {
    remove(Objects.requireNonNull(callback, "callback"));
  }

  @Override
  public void subscribe(CoreSubscriber<? super CloseStatus> actual) {
    Waiter waiter = new Waiter(actual, this);
    actual.onSubscribe(waiter);
    CloseStatus known = add(waiter);
    if (known != null) {
      waiter.complete(known);
    }
  }

  /** Adds a listener while open; returns the status instead once there is one. */
  private @Nullable CloseStatus add(Object listener) {
    while (true) {
      Object current = state;
      if (current instanceof CloseStatus status) {
        return status;
      }
      Object[] listeners = (Object[]) current;
      Object[] grown = Arrays.copyOf(listeners, listeners.length + 1);
      grown[listeners.length] = listener;
      if (STATE.compareAndSet(this, current, grown)) {
        return null;
      }
    }
  }

  /** Removes a listener that no longer waits (a cancelled subscriber, a forgotten callback). */
  private void remove(Object listener) {
    while (true) {
      Object current = state;
      if (current instanceof CloseStatus) {
        return;
      }
      Object[] listeners = (Object[]) current;
      int at = -1;
      for (int i = 0; i < listeners.length; i++) {
        if (listeners[i] == listener) {
          at = i;
          break;
        }
      }
      if (at < 0) {
        return;
      }
      Object[] shrunk = listeners.length == 1 ? NO_LISTENERS : new Object[listeners.length - 1];
      System.arraycopy(listeners, 0, shrunk, 0, at);
      System.arraycopy(listeners, at + 1, shrunk, at, listeners.length - at - 1);
      if (STATE.compareAndSet(this, current, shrunk)) {
        return;
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void tell(Object listener, CloseStatus status) {
    if (listener instanceof Waiter waiter) {
      waiter.complete(status);
      return;
    }
    try {
      ((Consumer<? super CloseStatus>) listener).accept(status);
    } catch (RuntimeException e) {
      Operators.onErrorDropped(e, Context.empty());
    }
  }

  @Override
  public String toString() {
    Object current = state;
    return "CloseSignal[" + (current instanceof CloseStatus ? current : "open") + "]";
  }

  /** One subscriber's subscription: it gets the status once it has asked for it. */
  private static final class Waiter extends Operators.MonoSubscriber<CloseStatus, CloseStatus> {
    private final CloseSignal signal;

    Waiter(CoreSubscriber<? super CloseStatus> actual, CloseSignal signal) {
      super(actual);
      this.signal = signal;
    }

    @Override
    public void cancel() {
      super.cancel();
      signal.remove(this);
    }
  }
}
