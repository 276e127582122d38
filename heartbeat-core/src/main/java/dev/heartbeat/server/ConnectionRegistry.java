package dev.heartbeat.server;

import dev.heartbeat.HeartbeatConnection;
import dev.heartbeat.HeartbeatEvent;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.PeerState;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.internal.HeartbeatSession;
import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.MonotonicScheduler;
import dev.heartbeat.transport.SessionHandler;
import dev.heartbeat.transport.WebSocketConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The server role in one place: every accepted connection runs the heartbeat policy, gets an
 * id and a key, and is counted; a newer connection for a key can supersede the older (4500);
 * messages can be pushed to all, to a key or to a predicate through bounded per-connection
 * buffers; and a graceful shutdown closes every connection with 1001.
 *
 * <pre>{@code
 * ConnectionRegistry registry = ConnectionRegistry.builder(policy)
 *     .sessionKeys(SessionKeyPolicy.onePerKey(SessionKeyPolicy.queryParam("user")))
 *     .build();
 * serverTransport.start(registry.handler(session -> session.send(session.receive())));
 * registry.broadcast(WsFrame.text("{\"type\":\"notice\"}"));
 * }</pre>
 */
public final class ConnectionRegistry {

  /** What the monitoring side is told; called on the connection's thread, must not block. */
  interface Listener {
    default void opened() {}

    default void closed(CloseCause cause) {}

    default void heartbeatSent() {}

    default void answered(Duration rtt) {}

    default void missed() {}

    default void dropped() {}

    default void decodeError() {}
  }

  private static final AtomicIntegerFieldUpdater<Session> UNREGISTERED =
      AtomicIntegerFieldUpdater.newUpdater(Session.class, "unregistered");

  private final HeartbeatPolicy policy;
  private final SessionKeyPolicy keys;
  private final int outboundBuffer;
  private final SlowConsumerAction slowConsumer;
  private final String transportTag;
  private final @Nullable Scheduler scheduler;
  private final Function<HandshakeInfo, @Nullable Duration> validity;
  private final CloseStatus expired;
  /** By id: a number, not its text, kept per connection. */
  private final Map<Long, Session> sessions = new ConcurrentHashMap<>();
  private final Map<String, Session> byKey = new ConcurrentHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong ids = new AtomicLong();
  private final LongAdder opened = new LongAdder();
  private final Map<CloseCause, LongAdder> closed = new EnumMap<>(CloseCause.class);
  private final LongAdder sent = new LongAdder();
  private final LongAdder answered = new LongAdder();
  private final LongAdder missed = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder decodeErrors = new LongAdder();
  /** The last round trip on any connection, in nanoseconds; {@link HeartbeatSession#NO_RTT} before the first. */
  private volatile long lastRttNanos = HeartbeatSession.NO_RTT;
  private volatile boolean accepting = true;

  private ConnectionRegistry(Builder b) {
    this.policy = b.policy;
    this.keys = b.keys;
    this.outboundBuffer = b.outboundBuffer;
    this.slowConsumer = b.slowConsumer;
    this.transportTag = b.transportTag;
    this.scheduler = b.scheduler;
    this.validity = b.validity;
    this.expired = b.expired;
    for (CloseCause cause : CloseCause.values()) {
      closed.put(cause, new LongAdder());
    }
  }

  /**
   * A builder for a registry running {@code policy} on every connection. By default: no
   * session keys, a 256-frame outbound buffer per connection, slow consumers closed with 1008,
   * transport tag {@code "unknown"}, timestamps on a monotonic {@code Schedulers.parallel()}.
   */
  public static Builder builder(HeartbeatPolicy policy) {
    return new Builder(Objects.requireNonNull(policy, "policy"));
  }

  /**
   * The server handler to give a transport: each accepted connection is put under the heartbeat
   * policy, registered, keyed (superseding an older one with the same key when asked), and
   * handed to {@code handler}. While shutting down, new connections are closed with 1001.
   */
  public SessionHandler<WebSocketConnection> handler(SessionHandler<? super ServerSession> handler) {
    Objects.requireNonNull(handler, "handler");
    return raw -> {
      if (!accepting) {
        return raw.close(CloseStatus.GOING_AWAY.withReason("shutting down"));
      }
      Session session = register(HeartbeatSession.apply(raw, policy));
      return handler.handle(session);
    };
  }

  private Session register(HeartbeatSession connection) {
    HandshakeInfo handshake = connection.handshakeInfo();
    String key = keys.keyOf(handshake);
    Session session = new Session(connection, ids.incrementAndGet(), key);
    sessions.put(session.id, session);
    opened.increment();
    listeners.forEach(Listener::opened);
    connection.observe(session);
    connection.whenClosed(session);
    Duration validFor = validity.apply(handshake);
    if (validFor != null) {
      // The credentials' lifetime: one timer, on the connection's loop, gone with the connection.
      Mono.delay(validFor, connection.scheduler())
          .takeUntilOther(connection.onClose())
          .subscribe(tick -> connection.close(expired).subscribe(null, error -> { }));
    }
    if (key != null && keys.onePerKey()) {
      // Atomic per key: of two connections racing for one key, exactly one survives.
      Session older = byKey.put(key, session);
      if (older != null && older != session) {
        older.close(keys.superseded()).subscribe(null, error -> { });
      }
    }
    return session;
  }

  /**
   * Removes {@code session} and counts its close once: at the heartbeat's verdict or at the
   * transport's close, whichever comes first. A dead peer's close can take the transport's whole
   * close timeout (the peer never answers the close frame), and it must not count as active
   * meanwhile.
   */
  private void unregister(Session session, CloseStatus status) {
    if (!UNREGISTERED.compareAndSet(session, 0, 1)) {
      return;
    }
    sessions.remove(session.id);
    if (session.key != null) {
      byKey.remove(session.key, session);
    }
    CloseCause cause = causeOf(status);
    closed.get(cause).increment();
    listeners.forEach(l -> l.closed(cause));
  }

  /**
   * The cause of a close with {@code status}: by its code, reading this registry's takeover code
   * as superseded and its credential-expiry code (a 4xxx such as 4401) as policy, not error.
   */
  private CloseCause causeOf(CloseStatus status) {
    CloseCause cause = CloseCause.of(status, keys.superseded().code());
    return cause == CloseCause.ERROR && status.code() == expired.code() ? CloseCause.POLICY : cause;
  }

  /** The connections open now. */
  public List<ServerSession> sessions() {
    return List.copyOf(sessions.values());
  }

  /** The connection with {@code id}, if open. */
  public Optional<ServerSession> session(String id) {
    Objects.requireNonNull(id, "id");
    long number;
    try {
      number = Long.parseLong(id);
    } catch (NumberFormatException notOurs) {
      return Optional.empty();
    }
    return Optional.ofNullable(sessions.get(number));
  }

  /** The open connections with {@code key}. */
  public List<ServerSession> sessions(String key) {
    Objects.requireNonNull(key, "key");
    List<ServerSession> matching = new ArrayList<>();
    for (Session s : sessions.values()) {
      if (key.equals(s.key)) {
        matching.add(s);
      }
    }
    return matching;
  }

  /** Pushes {@code frame} to every open connection; returns how many queued it. */
  public int broadcast(WsFrame frame) {
    return broadcast(frame, s -> true);
  }

  /** Pushes {@code frame} to the open connections of {@code key}; returns how many queued it. */
  public int sendToKey(String key, WsFrame frame) {
    Objects.requireNonNull(key, "key");
    return broadcast(frame, s -> key.equals(s.key()));
  }

  /**
   * Pushes {@code frame} to the open connections that match {@code to}, through each one's
   * bounded buffer: a peer that does not read never delays the others. Returns how many
   * connections queued it.
   */
  public int broadcast(WsFrame frame, Predicate<? super ServerSession> to) {
    Objects.requireNonNull(frame, "frame");
    Objects.requireNonNull(to, "to");
    int queued = 0;
    for (Session s : sessions.values()) {
      if (to.test(s) && s.offer(frame)) {
        queued++;
      }
    }
    return queued;
  }

  /** Counts a decode error (from a {@code MessageDecoder}'s error callback) in the figures. */
  public void recordDecodeError() {
    decodeErrors.increment();
    listeners.forEach(Listener::decodeError);
  }

  /** Whether new connections are accepted (false once {@link #shutdown} began). */
  public boolean isAccepting() {
    return accepting;
  }

  /**
   * Graceful shutdown: stops accepting, closes every connection with {@code status} (1001,
   * with a reason that may tell clients when to come back), and completes when all are closed
   * or {@code deadline} passed, whichever is first; the transport's own shutdown then forces
   * whatever is left. Clients reconnect elsewhere, spread by their own jitter. Call the server's
   * {@link dev.heartbeat.transport.ServerHandle#stopAccepting()} first, so that a client that
   * comes back at once is refused by TCP rather than closed again with 1001.
   */
  public Mono<Void> shutdown(CloseStatus status, Duration deadline) {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(deadline, "deadline");
    return Mono.defer(() -> {
      accepting = false;
      // Every close frame goes out at once. A flatMap would keep 256 close handshakes open at a
      // time: on Vert.x, which waits for each peer's reply, 5,000 connections took 5 s to
      // close that way, and those still waiting at the deadline were dropped all at once.
      List<Mono<CloseStatus>> closing = sessions.values().stream()
          .map(s -> s.close(status).onErrorResume(e -> Mono.empty()).then(s.onClose()))
          .toList();
      return Mono.when(closing)
          .timeout(deadline, Mono.empty(), scheduler());
    });
  }

  /** {@link #shutdown(CloseStatus, Duration)} with {@code 1001 going away} and 10 s. */
  public Mono<Void> shutdown() {
    return shutdown(CloseStatus.GOING_AWAY, Duration.ofSeconds(10));
  }

  /** The scheduler of the registry's timers and timestamps. */
  public Scheduler scheduler() {
    return scheduler != null ? scheduler : MonotonicScheduler.wrap(Schedulers.parallel());
  }

  /** The figures now. */
  public RegistrySnapshot snapshot() {
    long atNanos = scheduler().now(TimeUnit.NANOSECONDS);
    Map<CloseCause, Long> byCause = new EnumMap<>(CloseCause.class);
    closed.forEach((cause, count) -> byCause.put(cause, count.sum()));
    return new RegistrySnapshot(atNanos, sessions.size(), opened.sum(), byCause, sent.sum(), answered.sum(),
        missed.sum(), dropped.sum(), decodeErrors.sum(), HeartbeatSession.rtt(lastRttNanos));
  }

  /** The heartbeat policy every connection runs. */
  public HeartbeatPolicy policy() {
    return policy;
  }

  /** Connections open now. */
  public int active() {
    return sessions.size();
  }

  /** The transport tag of this registry's metrics. */
  public String transportTag() {
    return transportTag;
  }

  void addListener(Listener listener) {
    listeners.add(listener);
  }

  /**
   * A registered connection: the heartbeat connection, plus id, key and a bounded outbox. As its
   * session's observer, it counts the connection's heartbeats into the registry's totals.
   */
  private final class Session implements ServerSession, HeartbeatSession.Observer, Consumer<CloseStatus> {
    private final HeartbeatConnection connection;
    private final long id;
    private final @Nullable String key;
    private final long openedAt;
    /**
     * Made, and sent from, at the first frame offered, not at connect: an exactly bounded queue
     * (frames wait here, not in the transport, while the peer is slow) and a send are about 2 KB
     * a connection on Reactor Netty, and most connections of a big server are idle and never get
     * a pushed message. Guarded by this session.
     */
    private Sinks.@Nullable Many<WsFrame> outbox;
    /** 1 once counted as closed ({@code UNREGISTERED}): a field, not an atomic object per connection. */
    volatile int unregistered;

    Session(HeartbeatConnection connection, long id, @Nullable String key) {
      this.connection = connection;
      this.id = id;
      this.key = key;
      this.openedAt = connection.scheduler().now(TimeUnit.NANOSECONDS);
    }

    @Override
    public void sent() {
      ConnectionRegistry.this.sent.increment();
      listeners.forEach(Listener::heartbeatSent);
    }

    @Override
    public void answered(long rttNanos) {
      ConnectionRegistry.this.answered.increment();
      lastRttNanos = rttNanos;
      if (!listeners.isEmpty()) {
        Duration rtt = Duration.ofNanos(rttNanos);
        listeners.forEach(l -> l.answered(rtt));
      }
    }

    @Override
    public void missed() {
      ConnectionRegistry.this.missed.increment();
      listeners.forEach(Listener::missed);
    }

    @Override
    public void dead() {
      unregister(this, CloseStatus.HEARTBEAT_TIMEOUT);
    }

    /** The connection closed: one callback, not a lambda more, per connection. */
    @Override
    public void accept(CloseStatus status) {
      unregister(this, status);
    }

    @Override
    public String id() {
      return Long.toString(id);
    }

    @Override
    public @Nullable String key() {
      return key;
    }

    @Override
    public boolean offer(WsFrame frame) {
      if (!connection.isOpen()) {
        return false;
      }
      Sinks.@Nullable Many<WsFrame> made = null;
      Sinks.EmitResult result;
      synchronized (this) {
        Sinks.Many<WsFrame> box = outbox;
        if (box == null) {
          box = Sinks.many().unicast().onBackpressureBuffer(new ArrayBlockingQueue<>(outboundBuffer));
          outbox = box;
          made = box;
        }
        result = box.tryEmitNext(frame);
      }
      if (made != null) {
        // The unicast sink holds what other threads offer until this send subscribes.
        connection.send(made.asFlux()).subscribe(null, error -> { });
      }
      if (result.isSuccess()) {
        return true;
      }
      if (result == Sinks.EmitResult.FAIL_OVERFLOW) {
        dropped.increment();
        listeners.forEach(Listener::dropped);
        if (slowConsumer == SlowConsumerAction.CLOSE) {
          connection.close(CloseStatus.POLICY_VIOLATION.withReason("outbound buffer full: the client does not read"))
              .subscribe(null, error -> { });
        }
      }
      return false;
    }

    @Override
    public ConnectionInfo info() {
      return new ConnectionInfo(id(), connection.handshakeInfo().remoteAddress(), key, openedAt,
          connection.lastSeenNanos(), connection.lastRtt(), connection.state());
    }

    @Override
    public HeartbeatPolicy policy() {
      return connection.policy();
    }

    @Override
    public Flux<HeartbeatEvent> events() {
      return connection.events();
    }

    @Override
    public PeerState state() {
      return connection.state();
    }

    @Override
    public long lastSeenNanos() {
      return connection.lastSeenNanos();
    }

    @Override
    public @Nullable Duration lastRtt() {
      return connection.lastRtt();
    }

    @Override
    public HandshakeInfo handshakeInfo() {
      return connection.handshakeInfo();
    }

    @Override
    public Flux<WsFrame> receive() {
      return connection.receive();
    }

    @Override
    public Mono<Void> send(Publisher<? extends WsFrame> frames) {
      return connection.send(frames);
    }

    @Override
    public Mono<Void> close(CloseStatus status) {
      return connection.close(status);
    }

    @Override
    public Mono<CloseStatus> onClose() {
      return connection.onClose();
    }

    @Override
    public void whenClosed(Consumer<? super CloseStatus> callback) {
      connection.whenClosed(callback);
    }

    @Override
    public Scheduler scheduler() {
      return connection.scheduler();
    }

    @Override
    public boolean isOpen() {
      return connection.isOpen();
    }

    @Override
    public String toString() {
      return "ServerSession[" + id + (key == null ? "" : " key=" + key) + ", " + connection + "]";
    }
  }

  /**
   * Builds a {@link ConnectionRegistry}. Immutable: every setter returns a new builder and
   * rejects a bad value at once, naming the field.
   */
  public static final class Builder {
    private final HeartbeatPolicy policy;
    private SessionKeyPolicy keys = SessionKeyPolicy.none();
    private int outboundBuffer = 256;
    private SlowConsumerAction slowConsumer = SlowConsumerAction.CLOSE;
    private String transportTag = "unknown";
    private @Nullable Scheduler scheduler;
    private Function<HandshakeInfo, @Nullable Duration> validity = handshake -> null;
    private CloseStatus expired = CloseStatus.POLICY_VIOLATION.withReason("credentials expired");

    private Builder(HeartbeatPolicy policy) {
      this.policy = policy;
    }

    private Builder copy() {
      Builder b = new Builder(policy);
      b.keys = keys;
      b.outboundBuffer = outboundBuffer;
      b.slowConsumer = slowConsumer;
      b.transportTag = transportTag;
      b.scheduler = scheduler;
      b.validity = validity;
      b.expired = expired;
      return b;
    }

    /**
     * How long each connection's credentials stay valid, read from its handshake (such as a
     * token's expiry); null means forever. When that time passes, the connection is closed with
     * {@code status}, which clients treat as terminal when it is 1008 (the default: 1008
     * "credentials expired"); a 4xxx code lets clients refresh and reconnect instead. Either way
     * the close is counted with cause {@link CloseCause#POLICY}. By default connections never
     * expire.
     */
    public Builder expireAfter(Function<HandshakeInfo, @Nullable Duration> validFor, CloseStatus status) {
      Objects.requireNonNull(validFor, "expireAfter");
      Objects.requireNonNull(status, "status");
      if (!status.sendable()) {
        throw new IllegalArgumentException("status: " + status.code() + " may not be sent");
      }
      Builder b = copy();
      b.validity = validFor;
      b.expired = status;
      return b;
    }

    /**
     * The scheduler of the registry's timestamps and shutdown deadline (a virtual clock in
     * tests). By default {@code Schedulers.parallel()} with a monotonic clock, looked up lazily.
     */
    public Builder scheduler(Scheduler scheduler) {
      Builder b = copy();
      b.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return b;
    }

    /** How connections are keyed, and whether one per key; by default {@link SessionKeyPolicy#none()}. */
    public Builder sessionKeys(SessionKeyPolicy keys) {
      Builder b = copy();
      b.keys = Objects.requireNonNull(keys, "sessionKeys");
      return b;
    }

    /** Frames each connection's outbound buffer holds for pushed messages; by default 256. */
    public Builder outboundBuffer(int frames) {
      if (frames < 1) {
        throw new IllegalArgumentException("outboundBuffer: must be at least 1, got " + frames);
      }
      Builder b = copy();
      b.outboundBuffer = frames;
      return b;
    }

    /** What a full outbound buffer does; by default {@link SlowConsumerAction#CLOSE} (1008). */
    public Builder slowConsumer(SlowConsumerAction action) {
      Builder b = copy();
      b.slowConsumer = Objects.requireNonNull(action, "slowConsumer");
      return b;
    }

    /** The {@code transport} tag of this registry's metrics; by default {@code "unknown"}. */
    public Builder transportTag(String tag) {
      Objects.requireNonNull(tag, "transportTag");
      if (tag.isBlank()) {
        throw new IllegalArgumentException("transportTag: must not be blank");
      }
      Builder b = copy();
      b.transportTag = tag;
      return b;
    }

    /** The registry. */
    public ConnectionRegistry build() {
      return new ConnectionRegistry(this);
    }
  }
}
