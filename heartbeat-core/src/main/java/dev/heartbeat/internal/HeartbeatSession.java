package dev.heartbeat.internal;

import dev.heartbeat.HeartbeatConnection;
import dev.heartbeat.HeartbeatEvent;
import dev.heartbeat.HeartbeatPolicy;
import dev.heartbeat.HeartbeatTimeoutException;
import dev.heartbeat.PeerState;
import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.frame.WsFrame;
import dev.heartbeat.transport.HandshakeInfo;
import dev.heartbeat.transport.InboundRelay;
import dev.heartbeat.transport.WebSocketConnection;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.util.concurrent.Queues;

/**
 * A connection under a heartbeat policy. The inbound path ({@link #onInbound}) classifies the
 * frame, writes a timestamp and answers heartbeats; it allocates nothing for application
 * frames and never touches a timer. Everything that depends on time happens in
 * {@link #tick}, called by the shared {@link Sweep} of the connection's scheduler, which reads
 * idleness and death from the clock.
 */
public final class HeartbeatSession implements HeartbeatConnection, Sweep.Target {

  /** Application frames held while the application is not reading (see {@link InboundRelay}). */
  public static final int INBOUND_BUFFER = 32;

  /** A round trip not measured yet, where round trips are kept as nanoseconds ({@link #rtt}). */
  public static final long NO_RTT = Long.MIN_VALUE;
  private static final VarHandle LAST_SEEN;
  private static final VarHandle LAST_ACTIVITY;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      LAST_SEEN = lookup.findVarHandle(HeartbeatSession.class, "lastSeen", long.class);
      LAST_ACTIVITY = lookup.findVarHandle(HeartbeatSession.class, "lastActivity", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final WebSocketConnection delegate;
  private final HeartbeatPolicy policy;
  private final HeartbeatCodec codec;
  private final Scheduler scheduler;
  private final boolean sends;
  private final boolean answersExpected;
  private final boolean anyFrameIsLife;
  private final long intervalNanos;
  private final long timeoutNanos;
  private final long graceNanos;
  /** The transport's relay, read in place when it lets us ({@link InboundRelay#intercept}), or our own. */
  private final InboundRelay<?> relay;
  /**
   * Where the heartbeat's own frames (heartbeats, bounded answers) go: the transport's
   * {@linkplain WebSocketConnection#frameWriter() frame writer} when it has one, else one
   * {@code send} of them ({@link SentThroughSend}). At 15,000 idle connections on Reactor Netty,
   * that send and its task hop per heartbeat were about a quarter of the server's Java time.
   */
  private final Consumer<WsFrame> controlOut;
  /**
   * Made by the first {@link #events()}, so that a session nobody listens to (a server's,
   * counted through its {@link Observer}) carries no sink, and a heartbeat asks a field of its
   * own whether to make an event, not a sink it has not touched since the last one. Emitted to
   * and completed under this session's lock.
   */
  private volatile Sinks.@Nullable Many<HeartbeatEvent> events;
  private final Disposable registration;
  private volatile Observer observer = Observer.NONE;

  /** Last proof of life (release-written on the inbound path, read by the sweep). */
  private volatile long lastSeen;
  /** Last traffic that postpones an idle-mode heartbeat. */
  private volatile long lastActivity;
  private volatile PeerState state = PeerState.HEALTHY;
  /** The last round trip in nanoseconds, {@link #NO_RTT} before the first: not a Duration kept per connection. */
  private volatile long lastRttNanos = NO_RTT;
  private volatile boolean closed;
  /**
   * Set when the application closes: the close is decided, so the heartbeat no longer judges. A
   * close frame stuck behind a peer that does not read can take the transport's whole close
   * timeout, and the connection must end for the application's reason, not as a timeout.
   */
  private volatile boolean closing;
  /** When this side's unanswered heartbeat went out: set by the sweep, cleared by the answer. */
  private volatile long outstandingSince = Long.MIN_VALUE;
  // Touched by the sweep only.
  private long nextSendAt;
  private int reportedMissed;
  // Touched by the inbound path only.
  private long answerWindowStart;
  private int answersInWindow;

  private HeartbeatSession(WebSocketConnection delegate, HeartbeatPolicy policy) {
    this.delegate = delegate;
    this.policy = policy;
    this.codec = policy.codec();
    this.scheduler = delegate.scheduler();
    this.sends = policy.sendsAs(delegate.handshakeInfo().role());
    this.answersExpected = codec.answer(codec.heartbeat()) != null;
    this.anyFrameIsLife = policy.liveness() == HeartbeatPolicy.Liveness.ANY_FRAME;
    this.intervalNanos = policy.interval().toNanos();
    this.timeoutNanos = policy.timeout().toNanos();
    this.graceNanos = policy.lateSweepGrace().toNanos();
    long now = now();
    this.lastSeen = now;
    this.lastActivity = now;
    this.nextSendAt = now + intervalNanos;
    this.answerWindowStart = now;
    Consumer<WsFrame> writer = delegate.frameWriter();
    this.controlOut = writer != null ? writer : new SentThroughSend(delegate); // before any frame needs an answer
    Callbacks callbacks = new Callbacks();
    Flux<WsFrame> inbound = delegate.receive();
    if (inbound instanceof InboundRelay<?> transportRelay && transportRelay.intercept(callbacks, callbacks)) {
      this.relay = transportRelay;
    } else {
      InboundRelay<WsFrame> own = InboundRelay.create(INBOUND_BUFFER, callbacks, callbacks);
      inbound.subscribe(own);
      this.relay = own;
    }
    this.registration = Sweep.register(scheduler, policy.resolution().toNanos(), this);
    delegate.whenClosed(callbacks);
  }

  /**
   * The session's callbacks in one object, not a lambda each per connection: what the inbound
   * relay admits (heartbeat frames are consumed here), the application's cancel, the close.
   */
  private final class Callbacks implements Function<WsFrame, @Nullable WsFrame>, Runnable, Consumer<CloseStatus> {
    @Override
    public @Nullable WsFrame apply(WsFrame frame) {
      return onInbound(frame) ? null : frame;
    }

    @Override
    public void run() {
      onApplicationCancel();
    }

    @Override
    public void accept(CloseStatus status) {
      onClosed();
    }
  }

  /** Puts {@code connection} under {@code policy}: starts reading, sending and watching. */
  public static HeartbeatSession apply(WebSocketConnection connection, HeartbeatPolicy policy) {
    return new HeartbeatSession(connection, policy);
  }

  /**
   * What the server's registry counts of every connection, told by direct calls. Going through
   * {@link #events()} costs an event object and a sink emission per heartbeat and per answer,
   * about a tenth of a server's Java time at 15,000 idle connections. Calls come from the
   * connection's thread, in the order of the events they stand for.
   */
  public interface Observer {
    /** Told nothing: a session's observer until {@link #observe} sets one. */
    Observer NONE = new Observer() {
      @Override
      public void sent() { }

      @Override
      public void answered(long rttNanos) { }

      @Override
      public void missed() { }

      @Override
      public void dead() { }
    };

    /** A heartbeat was sent ({@link HeartbeatEvent.Sent}). */
    void sent();

    /**
     * A heartbeat was answered after {@code rttNanos} ({@link HeartbeatEvent.Answered}): a
     * number, so that an answer allocates nothing unless someone asks for a {@code Duration}.
     */
    void answered(long rttNanos);

    /** The peer missed heartbeats ({@link HeartbeatEvent.Suspect}). */
    void missed();

    /** The peer was declared dead ({@link HeartbeatEvent.Dead}), before the close is sent. */
    void dead();
  }

  /**
   * Tells {@code observer} from now on what this session's events say. Set it right after
   * {@link #apply}, on the connection's thread, so that no tick comes first.
   */
  public void observe(Observer observer) {
    this.observer = Objects.requireNonNull(observer, "observer");
  }

  // The inbound path: runs for every frame, on the transport's thread.

  /** True when the frame belongs to the heartbeat machinery and must not reach the application. */
  private boolean onInbound(WsFrame frame) {
    long now = now();
    HeartbeatCodec.Kind kind = codec.classify(frame);
    if (anyFrameIsLife) {
      LAST_SEEN.setRelease(this, now);
      LAST_ACTIVITY.setRelease(this, now);
    }
    switch (kind) {
      case HEARTBEAT:
        answer(frame, now);
        return true;
      case ANSWER:
        onAnswer(now);
        return true;
      default:
        if (frame instanceof WsFrame.Ping) {
          // RFC 6455 §5.5.2: a ping is answered whatever the heartbeat format.
          answer(frame, now);
          return true;
        }
        // Pongs outside the ping-frame format prove life and nothing else.
        return frame.isControl();
    }
  }

  private void answer(WsFrame heartbeat, long now) {
    WsFrame reply = heartbeat instanceof WsFrame.Ping ping ? WsFrame.pong(ping.payload()) : codec.answer(heartbeat);
    boolean answered = false;
    if (reply != null) {
      if (now - answerWindowStart >= intervalNanos) {
        answerWindowStart = now;
        answersInWindow = 0;
      }
      // A flood is answered at a bounded rate (RFC 6455 §5.5.3 allows answering only the latest).
      if (answersInWindow < policy.maxAnswersPerInterval()) {
        answersInWindow++;
        emitControl(reply);
        answered = true;
      }
    }
    if (hasEventSubscribers()) {
      emitEvent(new HeartbeatEvent.PeerHeartbeat(answered));
    }
  }

  private void onAnswer(long now) {
    LAST_SEEN.setRelease(this, now);
    long since = outstandingSince;
    if (since == Long.MIN_VALUE) {
      return; // unsolicited: proves life, measures nothing
    }
    outstandingSince = Long.MIN_VALUE;
    long rttNanos = now - since;
    lastRttNanos = rttNanos;
    observer.answered(rttNanos);
    if (hasEventSubscribers()) {
      emitEvent(new HeartbeatEvent.Answered(Duration.ofNanos(rttNanos)));
    }
  }

  // The sweep: decides sending, suspicion and death from the clock.

  @Override
  public long tick(long now, long stallStart, long stallEnd) {
    if (closed || closing) {
      return now; // nothing left to judge; dropped from the sweep once closed
    }
    boolean backedUp = relay.isBackedUp();
    long heard = backedUp ? now : (long) LAST_SEEN.getAcquire(this);
    long seen = heard;
    // The part of the silence during which this side's loop could not run (a GC pause, a busy
    // loop) is not the peer's: no heartbeat went out, and answers could not be read. Without
    // this, a 1.7 s collection during the connect burst of 15,000 connections made the peers
    // whose answers the loaded loop read more than a grace period later look dead.
    if (stallEnd != Long.MIN_VALUE && seen < stallEnd) {
      seen += stallEnd - Math.max(seen, stallStart);
    }
    long silence = now - seen;
    // After a late run, answers may be unread in the socket: wait for them before judging.
    boolean mayJudge = stallEnd == Long.MIN_VALUE || now - stallEnd >= graceNanos;
    long next; // the earliest time the next visit may have something to do
    if (silence >= timeoutNanos) {
      if (mayJudge) {
        die(heard, now); // the close reports the whole silence, stall included
        return now;
      }
      next = stallEnd + graceNanos;
    } else {
      int missed = silence >= 2 * intervalNanos ? (int) (silence / intervalNanos) - 1 : 0;
      if (missed > reportedMissed && mayJudge) {
        reportedMissed = missed;
        state = PeerState.SUSPECT;
        observer.missed();
        emitEvent(new HeartbeatEvent.Suspect(missed, Duration.ofNanos(silence)));
      } else if (missed == 0 && reportedMissed > 0) {
        reportedMissed = 0;
        state = PeerState.HEALTHY;
        emitEvent(new HeartbeatEvent.Recovered());
      }
      next = Math.min(seen + timeoutNanos, seen + (reportedMissed + 2) * intervalNanos);
      if (reportedMissed > 0 || backedUp) {
        // A suspect's answer, or a relay that drains, changes the verdict at any moment.
        next = now;
      } else if (missed > reportedMissed) {
        next = Math.min(next, stallEnd + graceNanos); // a suspicion held back by a late run
      }
    }
    if (sends) {
      if (isDue(now)) {
        sendHeartbeat(now);
      }
      next = Math.min(next, sendDueAt());
    }
    return next;
  }

  /** When the next heartbeat is due: on the fixed beat, or an interval after the last traffic. */
  private long sendDueAt() {
    return policy.mode() == HeartbeatPolicy.Mode.FIXED
        ? nextSendAt : (long) LAST_ACTIVITY.getAcquire(this) + intervalNanos;
  }

  /** Whether a heartbeat is due at {@code now}; on the fixed beat, moves the beat on when it is. */
  private boolean isDue(long now) {
    if (now < sendDueAt()) {
      return false;
    }
    if (policy.mode() == HeartbeatPolicy.Mode.FIXED) {
      nextSendAt += intervalNanos;
      if (nextSendAt <= now) {
        nextSendAt = now + intervalNanos; // far behind: skip, never burst to catch up
      }
    }
    return true;
  }

  private void sendHeartbeat(long now) {
    if (answersExpected) {
      outstandingSince = now;
    }
    LAST_ACTIVITY.setRelease(this, now);
    emitControl(codec.heartbeat());
    observer.sent();
    if (hasEventSubscribers()) {
      emitEvent(new HeartbeatEvent.Sent(now));
    }
  }

  private void die(long seen, long now) {
    state = PeerState.DEAD;
    HeartbeatTimeoutException cause = HeartbeatTimeoutException.after(policy, seen, now);
    observer.dead();
    emitEvent(new HeartbeatEvent.Dead(cause));
    // The close frame goes out before the inbound stream ends, so the peer reads 4408.
    delegate.close(CloseStatus.HEARTBEAT_TIMEOUT.withReason(
            "no frame for " + Duration.ofNanos(now - seen).toMillis() + " ms"))
        .subscribe(null, error -> { });
    relay.fail(cause);
    onClosed();
  }

  @Override
  public boolean isDone() {
    return closed;
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    registration.dispose();
    if (controlOut instanceof SentThroughSend send) {
      send.complete();
    }
    synchronized (this) {
      Sinks.Many<HeartbeatEvent> sink = events;
      if (sink != null) {
        sink.tryEmitComplete();
      }
    }
  }

  private void onApplicationCancel() {
    delegate.close(CloseStatus.NORMAL).subscribe(null, error -> { });
  }

  private void emitControl(WsFrame frame) {
    controlOut.accept(frame);
  }

  /** The heartbeat's frames as one {@code send} publisher, for a transport without a frame writer. */
  private static final class SentThroughSend implements Consumer<WsFrame> {
    // A few frames at a time: a small first chunk, not Reactor's default 256 slots, which every
    // idle connection would carry.
    private final Sinks.Many<WsFrame> frames = Sinks.many().unicast().onBackpressureBuffer(Queues.<WsFrame>unbounded(8).get());

    SentThroughSend(WebSocketConnection connection) {
      connection.send(frames.asFlux()).subscribe(null, error -> { });
    }

    @Override
    public synchronized void accept(WsFrame frame) {
      frames.tryEmitNext(frame);
    }

    synchronized void complete() {
      frames.tryEmitComplete();
    }
  }

  private boolean hasEventSubscribers() {
    Sinks.Many<HeartbeatEvent> sink = events;
    return sink != null && sink.currentSubscriberCount() > 0;
  }

  private void emitEvent(HeartbeatEvent event) {
    Sinks.Many<HeartbeatEvent> sink = events;
    if (sink == null) {
      return; // nobody asked for events yet: best effort drops it, as the sink would
    }
    synchronized (this) {
      sink.tryEmitNext(event);
    }
  }

  private long now() {
    return scheduler.now(TimeUnit.NANOSECONDS);
  }

  // The decorated connection.

  @Override
  public HeartbeatPolicy policy() {
    return policy;
  }

  @Override
  public Flux<HeartbeatEvent> events() {
    Sinks.Many<HeartbeatEvent> sink = events;
    if (sink == null) {
      synchronized (this) {
        sink = events;
        if (sink == null) {
          sink = Sinks.many().multicast().directBestEffort();
          if (closed) { // onClosed found no sink to complete
            sink.tryEmitComplete();
          }
          events = sink;
        }
      }
    }
    return sink.asFlux();
  }

  @Override
  public PeerState state() {
    return state;
  }

  @Override
  public long lastSeenNanos() {
    return (long) LAST_SEEN.getAcquire(this);
  }

  @Override
  public @Nullable Duration lastRtt() {
    return rtt(lastRttNanos);
  }

  /** A round trip kept as nanoseconds, as a {@code Duration}; {@code null} for {@link #NO_RTT}. */
  public static @Nullable Duration rtt(long nanos) {
    return nanos == NO_RTT ? null : Duration.ofNanos(nanos);
  }

  @Override
  public HandshakeInfo handshakeInfo() {
    return delegate.handshakeInfo();
  }

  @Override
  public Flux<WsFrame> receive() {
    return relay;
  }

  @Override
  public Mono<Void> send(Publisher<? extends WsFrame> frames) {
    if (policy.mode() == HeartbeatPolicy.Mode.IDLE && policy.outboundResetsIdle()) {
      return delegate.send(Flux.<WsFrame>from(frames).doOnNext(frame -> LAST_ACTIVITY.setRelease(this, now())));
    }
    return delegate.send(frames);
  }

  @Override
  public Mono<Void> close(CloseStatus status) {
    closing = true;
    return delegate.close(status);
  }

  @Override
  public Mono<CloseStatus> onClose() {
    return delegate.onClose();
  }

  @Override
  public void whenClosed(Consumer<? super CloseStatus> callback) {
    delegate.whenClosed(callback);
  }

  @Override
  public Scheduler scheduler() {
    return scheduler;
  }

  @Override
  public boolean isOpen() {
    return !closed && delegate.isOpen();
  }

  @Override
  public String toString() {
    return "HeartbeatConnection[" + delegate + ", " + state + "]";
  }
}
