package dev.heartbeat.reconnect;

import dev.heartbeat.ConnectTimeoutException;
import dev.heartbeat.ConnectionClosedException;
import dev.heartbeat.ReconnectExhaustedException;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.reconnect.ConnectionEvent.Closed;
import dev.heartbeat.reconnect.ConnectionEvent.Connected;
import dev.heartbeat.reconnect.ConnectionEvent.Connecting;
import dev.heartbeat.reconnect.ConnectionEvent.Disconnected;
import dev.heartbeat.reconnect.ConnectionEvent.GaveUp;
import dev.heartbeat.reconnect.ConnectionEvent.MessageDropped;
import dev.heartbeat.reconnect.ConnectionEvent.ReconnectScheduled;
import dev.heartbeat.transport.ClientTransport;
import dev.heartbeat.transport.WebSocketConnection;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.Exceptions;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * A client session that survives reconnects, over any {@link ClientTransport}: one inbound
 * stream and one outbound queue for the application, and a sequence of connections underneath,
 * replaced by the {@link ReconnectStrategy} whenever one ends abnormally.
 *
 * <p><b>Lifecycle.</b> {@link #start()} connects; every connect is bounded by the strategy's
 * connect timeout. The session reconnects after a failed or timed-out connect and after a
 * connection ends in any way the strategy finds worth a reconnect
 * ({@link ReconnectStrategy#shouldReconnect}): 1006 drop, 1001, 1011, 1012, 1013 (after the
 * strategy's {@code retryLaterDelay}), 4408 heartbeat timeout, a {@code receive()} error. It
 * ends on exactly one of: {@link #close(CloseStatus)} by the application (last event
 * {@link ConnectionEvent.Closed}); a terminal close such as 4500 or 1008 (last event
 * {@link ConnectionEvent.Disconnected} with {@code willReconnect=false}); giving up after the
 * strategy's maximum attempts (last event {@link ConnectionEvent.GaveUp}). Every timer it
 * started is cancelled when it ends.
 *
 * <p><b>Inbound.</b> {@link #receive()} is subscribed once and carries the frames of each
 * successive connection in order, with backpressure.
 *
 * <p><b>Outbound.</b> {@link #send(WsFrame)} puts frames into one bounded FIFO queue. While
 * connected it drains, in order, to the current connection as fast as that connection requests
 * frames; while disconnected frames wait, and after a reconnect they go first. When the queue
 * is full the {@link OverflowRule} applies. Every frame that is not sent is reported as a
 * {@link ConnectionEvent.MessageDropped} and counted in {@link #droppedCount()}. Delivery is
 * at most once: a frame already handed to a connection that then drops may be lost in flight.
 * The queue meets each connection at one seam, the package-private {@code Delivery}, where
 * sequence numbers and acknowledgements can be added for a no-loss resume.
 *
 * <p>Thread-safe: every method may be called from any thread.
 *
 * <pre>{@code
 * ReconnectingSession session = ReconnectingSession.builder(transport)
 *     .strategy(ReconnectStrategy.builder().maxDelay(Duration.ofSeconds(20)).build())
 *     .decorator(Heartbeat.operator(policy))
 *     .offlineQueue(256, OverflowRule.DROP_OLDEST)
 *     .build();
 * session.events().subscribe(event -> log.info("{}", event));
 * session.receive().subscribe(frame -> handle(frame));
 * session.start();
 * session.send(WsFrame.text("hello")).subscribe();
 * ...
 * session.close();
 * }</pre>
 */
public final class ReconnectingSession implements Disposable {

  private enum Ending { CLOSED, TERMINAL, GAVE_UP }

  private final ClientTransport transport;
  private final ReconnectStrategy strategy;
  private final Function<? super WebSocketConnection, ? extends WebSocketConnection> decorator;
  private final Delivery delivery;
  private final int queueCapacity;
  private final OutboundQueue outbound;
  private final AtomicLong dropped = new AtomicLong();

  // Every emission into these sinks happens under signalLock: Sinks need serialized writers.
  private final Object signalLock = new Object();
  private final Sinks.Many<ConnectionEvent> events = Sinks.many().replay().latest();
  private final Sinks.Many<Attached> connections = Sinks.many().unicast().onBackpressureBuffer();
  private final Sinks.Empty<Void> terminated = Sinks.empty();
  private final Flux<WsFrame> inbound;
  private final Lifecycle lifecycle = new Lifecycle();
  private boolean signalsDone; // guarded by signalLock: the sinks are terminated

  // Guarded by this. Never call out (sinks, connections) while holding it.
  private boolean started;
  private boolean closing;
  private boolean ended;
  private CloseStatus closeStatus = CloseStatus.NORMAL;
  private @Nullable Attached current;
  private int nextAttempt;
  private @Nullable Scheduler clock;

  private ReconnectingSession(Builder b) {
    this.transport = b.transport;
    this.strategy = b.strategy;
    this.decorator = b.decorator;
    this.delivery = b.delivery;
    this.queueCapacity = b.capacity;
    this.outbound = new OutboundQueue(b.capacity, b.rule, this::reportDrop);
    this.inbound = connections.asFlux()
        .concatMapDelayError(attached -> delivery.inbound(attached.connection.receive(), attached.connection)
            .onErrorResume(error -> {
              attached.fail(error);
              return Mono.empty();
            }));
  }

  /**
   * A builder for a session over {@code transport}; a lambda returning a connect {@code Mono}
   * is a transport too: {@code builder(() -> myConnectMono)}. By default the session uses
   * {@code ReconnectStrategy.builder().build()}, no decorator, and a queue of 1024 frames with
   * {@link OverflowRule#FAIL}.
   */
  public static Builder builder(ClientTransport transport) {
    return new Builder(Objects.requireNonNull(transport, "transport"));
  }

  /**
   * Starts connecting, and returns this session. Subscribe {@link #events()} and
   * {@link #receive()} first to see everything.
   *
   * @throws IllegalStateException when already started or closed
   */
  public ReconnectingSession start() {
    synchronized (this) {
      if (closing || ended) {
        throw new IllegalStateException("start: the session is closed");
      }
      if (started) {
        throw new IllegalStateException("start: already started");
      }
      started = true;
      clock = strategy.scheduler();
    }
    Mono.defer(this::connectOnce)
        .retryWhen(strategy.toRetry(this::onRetryScheduled))
        .subscribe(lifecycle);
    return this;
  }

  /**
   * The inbound frames of every connection, one connection after the other, in order and with
   * backpressure. Subscribe it once: a second subscriber gets an {@link IllegalStateException}.
   * It completes when the session is closed or ends with a terminal close, after the last
   * connection's frames, and errors with the {@link ConnectionEvent.GaveUp} cause when the
   * session gives up. Frames that arrive before it is subscribed wait in each connection, and
   * ended connections wait in line until it is, so subscribe it before {@link #start()}. By
   * default the frames are those of the connection as the decorator returns it.
   */
  public Flux<WsFrame> receive() {
    return inbound;
  }

  /**
   * Queues {@code frame} for sending, when subscribed. It completes once the frame is queued:
   * it will be written in order to the current or next connection, unless it is reported as a
   * {@link ConnectionEvent.MessageDropped}. When the queue is full: under
   * {@link OverflowRule#FAIL} (the default) it errors with {@link OfflineQueueFullException};
   * under {@link OverflowRule#DROP_OLDEST} the oldest queued frame is dropped; under
   * {@link OverflowRule#DROP_NEWEST} this frame is dropped and it completes. It errors with
   * {@link IllegalStateException} once the session is closing or ended, and with
   * {@link IllegalArgumentException} for a close frame (use {@link #close(CloseStatus)}).
   * Cancelling it after it was queued does not take the frame back. By default the queue holds
   * 1024 frames under {@link OverflowRule#FAIL}; see {@link Builder#offlineQueue}.
   */
  public Mono<Void> send(WsFrame frame) {
    Objects.requireNonNull(frame, "frame");
    return Mono.defer(() -> {
      if (frame instanceof WsFrame.Close) {
        return Mono.error(new IllegalArgumentException("frame: close the session with close(CloseStatus), not a close frame"));
      }
      synchronized (this) {
        if (closing || ended) {
          return Mono.error(new IllegalStateException("send: the session is closed"));
        }
      }
      switch (outbound.offer(frame)) {
        case REJECTED:
          reportDrop(frame, DropReason.REJECTED);
          return Mono.error(OfflineQueueFullException.of(frame, queueCapacity));
        case CLOSED:
          return Mono.error(new IllegalStateException("send: the session is closed"));
        default:
          return Mono.empty();
      }
    });
  }

  /**
   * What happens to the session, hot and multicast: each subscriber first gets the latest event
   * (if any), then every later one; nothing is dropped for a slow subscriber. Events are
   * delivered on the thread where they happen (a connection's or the strategy's scheduler, or
   * the caller of {@link #close()}), so a subscriber must not block. It completes when the
   * session ends. See {@link ConnectionEvent} for the order of events.
   */
  public Flux<ConnectionEvent> events() {
    return events.asFlux();
  }

  /** Completes when the session has ended, whichever way (see {@link #events()} for why). */
  public Mono<Void> onTerminate() {
    return terminated.asMono();
  }

  /**
   * How many frames given to {@link #send(WsFrame)} were not sent, for any {@link DropReason}:
   * each was also reported as a {@link ConnectionEvent.MessageDropped}. 0 at first.
   */
  public long droppedCount() {
    return dropped.get();
  }

  /** How many frames wait in the outbound queue now: at most the capacity, 1024 by default. */
  public int queuedCount() {
    return outbound.size();
  }

  /** Closes the session with {@link CloseStatus#NORMAL 1000}; see {@link #close(CloseStatus)}. */
  public void close() {
    close(CloseStatus.NORMAL);
  }

  /**
   * The application's close: the current connection is closed with {@code status}, no reconnect
   * follows, pending connects and backoff delays are cancelled, frames still queued are
   * reported as dropped, and {@link #receive()} and {@link #events()} complete (last event
   * {@link ConnectionEvent.Closed}). Idempotent; by default (no argument) 1000.
   *
   * @throws IllegalArgumentException naming {@code status} when it may not be sent
   */
  public void close(CloseStatus status) {
    Objects.requireNonNull(status, "status").requireSendable("status");
    Attached attached;
    synchronized (this) {
      if (closing || ended) {
        return;
      }
      closing = true;
      closeStatus = status;
      attached = current;
    }
    if (attached == null) {
      finish(Ending.CLOSED, null); // connecting or waiting to reconnect: cancel that
    } else {
      // Its end reaches the lifecycle as a close by the application.
      attached.connection.close(status).subscribe(null, error -> finish(Ending.CLOSED, null));
    }
  }

  /** Same as {@link #close()}. */
  @Override
  public void dispose() {
    close();
  }

  /** Whether {@link #close()} was called or the session has ended. */
  @Override
  public synchronized boolean isDisposed() {
    return closing || ended;
  }

  // ---------------------------------------------------------------- lifecycle

  private Mono<Void> connectOnce() {
    int attempt;
    Scheduler timer;
    synchronized (this) {
      if (closing || ended) {
        return Mono.empty();
      }
      attempt = nextAttempt;
      timer = Objects.requireNonNull(clock, "clock");
    }
    emit(new Connecting(attempt));
    Duration timeout = strategy.connectTimeout();
    return Mono.<WebSocketConnection>defer(transport::connect)
        .timeout(timeout, Mono.error(() -> ConnectTimeoutException.after(timeout)), timer)
        .flatMap(this::decorate)
        .flatMap(connection -> run(connection, attempt, timer));
  }

  private Mono<WebSocketConnection> decorate(WebSocketConnection raw) {
    try {
      return Mono.just(Objects.requireNonNull(decorator.apply(raw), "decorator returned null"));
    } catch (Throwable error) {
      Exceptions.throwIfJvmFatal(error);
      return raw.close(CloseStatus.INTERNAL_ERROR).onErrorResume(e -> Mono.empty()).then(Mono.error(error));
    }
  }

  /** Runs one open connection; errors with a {@link ConnectionClosedException} when it ends. */
  private Mono<Void> run(WebSocketConnection connection, int attempt, Scheduler timer) {
    Attached attached = new Attached(connection, timer.now(TimeUnit.NANOSECONDS));
    CloseStatus closeNow = null;
    synchronized (this) {
      if (closing || ended) {
        closeNow = closeStatus;
      } else {
        current = attached;
      }
    }
    if (closeNow != null) {
      // Closed while connecting: this pipeline may already be cancelled, so close eagerly.
      connection.close(closeNow).subscribe(null, error -> { });
      return Mono.empty();
    }
    emit(new Connected(connection, attempt));
    synchronized (signalLock) {
      connections.tryEmitNext(attached);
    }
    attached.sending.update(connection.send(delivery.outbound(outbound.drain(connection::isOpen), connection))
        .subscribe(null, error -> {
          if (connection.isOpen()) {
            attached.fail(error); // a write failed on an open connection: end it, reconnect
          }
        }));
    Mono<End> closed = connection.onClose().map(status -> new End(status, null));
    Mono<End> failed = attached.failed.asMono()
        .flatMap(error -> statusAfterFailure(connection).map(status -> new End(status, error)));
    return Mono.firstWithValue(closed, failed)
        .flatMap(end -> Mono.<Void>error(ended(attached, end, timer)));
  }

  private static Mono<CloseStatus> statusAfterFailure(WebSocketConnection connection) {
    if (!connection.isOpen()) {
      return connection.onClose(); // already closing, e.g. 4408 by a heartbeat operator
    }
    return connection.close(CloseStatus.INTERNAL_ERROR).onErrorResume(e -> Mono.empty()).then(connection.onClose());
  }

  private ConnectionClosedException ended(Attached attached, End end, Scheduler timer) {
    attached.sending.dispose(); // frames not yet taken stay queued for the next connection
    boolean byApplication;
    synchronized (this) {
      if (current == attached) {
        current = null;
      }
      byApplication = closing;
    }
    Duration uptime = Duration.ofNanos(Math.max(0, timer.now(TimeUnit.NANOSECONDS) - attached.connectedAt));
    Throwable cause = end.cause != null ? end.cause : attached.failure.get();
    return ConnectionClosedException.of(end.status, byApplication, uptime, cause);
  }

  private void onRetryScheduled(Throwable failure, int attempt, Duration delay) {
    synchronized (this) {
      nextAttempt = attempt;
    }
    if (failure instanceof ConnectionClosedException closed) {
      emit(new Disconnected(closed.status(), closed.getCause(), true));
    }
    emit(new ReconnectScheduled(attempt, delay));
  }

  private void onLifecycleError(Throwable error) {
    if (error instanceof ConnectionClosedException closed) {
      emit(new Disconnected(closed.status(), closed.getCause(), false));
      finish(closed.byApplication() ? Ending.CLOSED : Ending.TERMINAL, null);
    } else {
      if (error instanceof ReconnectExhaustedException exhausted
          && exhausted.getCause() instanceof ConnectionClosedException closed) {
        emit(new Disconnected(closed.status(), closed.getCause(), false));
      }
      finish(Ending.GAVE_UP, error);
    }
  }

  private void finish(Ending ending, @Nullable Throwable error) {
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      closing = true;
      current = null;
    }
    lifecycle.dispose(); // cancels a pending connect, connect timeout or backoff delay
    outbound.close(); // reports what is still queued
    synchronized (signalLock) {
      // The last event and the completion in one step: an event racing in from another thread
      // (a reconnect being scheduled as the application closes) lands before it or not at all.
      if (ending == Ending.CLOSED) {
        events.tryEmitNext(new Closed());
      } else if (ending == Ending.GAVE_UP) {
        events.tryEmitNext(new GaveUp(Objects.requireNonNull(error, "error")));
      }
      signalsDone = true;
      events.tryEmitComplete();
      if (ending == Ending.GAVE_UP) {
        connections.tryEmitError(Objects.requireNonNull(error, "error"));
      } else {
        connections.tryEmitComplete();
      }
      terminated.tryEmitEmpty();
    }
  }

  private void reportDrop(WsFrame frame, DropReason reason) {
    dropped.incrementAndGet();
    emit(new MessageDropped(frame, reason));
  }

  private void emit(ConnectionEvent event) {
    synchronized (signalLock) {
      if (!signalsDone) {
        events.tryEmitNext(event);
      }
    }
  }

  @Override
  public String toString() {
    synchronized (this) {
      return "ReconnectingSession[" + (ended ? "ended" : closing ? "closing" : current != null ? "connected"
          : started ? "connecting" : "new") + ", queued=" + outbound.size() + ", dropped=" + dropped.get() + "]";
    }
  }

  /** How a connection ended. */
  private record End(CloseStatus status, @Nullable Throwable cause) {}

  /** One connection while it carries the session. */
  private static final class Attached {
    final WebSocketConnection connection;
    final long connectedAt;
    final Sinks.One<Throwable> failed = Sinks.one();
    final Disposable.Swap sending = Disposables.swap();
    final AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();

    Attached(WebSocketConnection connection, long connectedAt) {
      this.connection = connection;
      this.connectedAt = connectedAt;
    }

    /**
     * Its receive or send failed: the connection is ended and the error reported as the cause.
     * Only the first failure counts; winning the CAS makes this the sink's only writer.
     */
    void fail(Throwable error) {
      if (failure.compareAndSet(null, error)) {
        failed.tryEmitValue(error);
      }
    }
  }

  /** Subscribes the connect-run-retry pipeline; cancelled when the session ends. */
  private final class Lifecycle extends BaseSubscriber<Void> {
    @Override
    protected void hookOnComplete() {
      finish(Ending.CLOSED, null); // the pipeline stops by itself only when closing
    }

    @Override
    protected void hookOnError(Throwable error) {
      onLifecycleError(error);
    }
  }

  /**
   * An immutable builder: every setter returns a new builder and rejects a bad value at once,
   * naming the field. By default: {@code ReconnectStrategy.builder().build()}, the identity
   * decorator, and an offline queue of 1024 frames with {@link OverflowRule#FAIL}.
   */
  public static final class Builder {
    private final ClientTransport transport;
    private ReconnectStrategy strategy = ReconnectStrategy.builder().build();
    private Function<? super WebSocketConnection, ? extends WebSocketConnection> decorator = Function.identity();
    private int capacity = 1024;
    private OverflowRule rule = OverflowRule.FAIL;
    private Delivery delivery = Delivery.DIRECT;

    private Builder(ClientTransport transport) {
      this.transport = transport;
    }

    private Builder copy() {
      Builder b = new Builder(transport);
      b.strategy = strategy;
      b.decorator = decorator;
      b.capacity = capacity;
      b.rule = rule;
      b.delivery = delivery;
      return b;
    }

    /** When and how often to reconnect. By default {@code ReconnectStrategy.builder().build()}. */
    public Builder strategy(ReconnectStrategy strategy) {
      Builder b = copy();
      b.strategy = Objects.requireNonNull(strategy, "strategy");
      return b;
    }

    /**
     * Applied to each new connection before the session uses it: plug the heartbeat operator
     * here. A decorated connection whose {@code receive()} errors (a heartbeat timeout) or whose
     * {@code onClose()} reports 4408 leads to a reconnect. By default the identity.
     */
    public Builder decorator(Function<? super WebSocketConnection, ? extends WebSocketConnection> decorator) {
      Builder b = copy();
      b.decorator = Objects.requireNonNull(decorator, "decorator");
      return b;
    }

    /**
     * The outbound queue: at most {@code capacity} frames (at least 1) wait, and {@code rule}
     * says what happens to one more. By default 1024 and {@link OverflowRule#FAIL}.
     */
    public Builder offlineQueue(int capacity, OverflowRule rule) {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity: must be at least 1, got " + capacity);
      }
      Builder b = copy();
      b.capacity = capacity;
      b.rule = Objects.requireNonNull(rule, "rule");
      return b;
    }

    /** The seam between the queues and each connection; by default {@link Delivery#DIRECT}. */
    Builder delivery(Delivery delivery) {
      Builder b = copy();
      b.delivery = Objects.requireNonNull(delivery, "delivery");
      return b;
    }

    /** A new session, not started yet; see {@link ReconnectingSession#start()}. */
    public ReconnectingSession build() {
      return new ReconnectingSession(this);
    }
  }
}
