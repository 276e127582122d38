package dev.heartbeat;

import dev.heartbeat.codec.HeartbeatCodec;
import dev.heartbeat.transport.Role;
import dev.heartbeat.internal.Validate;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How one endpoint keeps a connection alive and decides that its peer is dead. Immutable;
 * built with {@link #builder()}, whose every setter returns a new builder and rejects a bad
 * value at once, naming the field; {@link Builder#build()} checks the fields against each other.
 *
 * <p>The peer's state is read from the clock, {@code silence = now - lastSeen}, where
 * {@code lastSeen} is the last inbound frame (or the last answer, with
 * {@link Liveness#ANSWERS_ONLY}):
 * <ul>
 *   <li>{@link PeerState#HEALTHY} while {@code silence < 2 x interval}: a live peer answers,
 *       or sends its own heartbeat, within one interval;</li>
 *   <li>{@link PeerState#SUSPECT} from {@code 2 x interval}: each further whole interval of
 *       silence is one more missed heartbeat;</li>
 *   <li>{@link PeerState#DEAD} at {@code timeout}: the connection is closed with
 *       {@code 4408 heartbeat timeout} and its inbound stream errors with
 *       {@link HeartbeatTimeoutException}.</li>
 * </ul>
 * By default {@code timeout = interval x (toleratedMisses + 2)}: the peer dies at the miss
 * after the tolerated ones, never at the first missed pong on a flaky network.
 *
 * <pre>{@code
 * HeartbeatPolicy policy = HeartbeatPolicy.builder()
 *     .codec(HeartbeatCodec.json())
 *     .interval(Duration.ofSeconds(10))
 *     .timeout(Duration.ofSeconds(25))
 *     .build();
 * }</pre>
 */
public final class HeartbeatPolicy {

  /** When heartbeats are sent. */
  public enum Mode {
    /** Every interval, whatever else the connection carries. */
    FIXED,
    /**
     * Only after an interval with no inbound frame (and, with
     * {@link Builder#outboundResetsIdle(boolean)}, no outbound one): a busy connection sends none.
     */
    IDLE
  }

  /** What proves the peer alive. */
  public enum Liveness {
    /** Any inbound frame: a peer busy sending a large transfer is alive. */
    ANY_FRAME,
    /** Only answers to this side's heartbeats. Requires {@link Mode#FIXED}. */
    ANSWERS_ONLY
  }

  private final HeartbeatCodec codec;
  private final Set<Role> senders;
  private final Duration interval;
  private final Duration timeout;
  private final int toleratedMisses;
  private final Mode mode;
  private final boolean outboundResetsIdle;
  private final Liveness liveness;
  private final Duration resolution;
  private final Duration lateSweepGrace;
  private final int maxAnswersPerInterval;

  private HeartbeatPolicy(Builder b, HeartbeatCodec codec, Duration timeout, Duration resolution, Duration grace) {
    this.codec = codec;
    this.senders = Collections.unmodifiableSet(EnumSet.copyOf(b.senders));
    this.interval = b.interval;
    this.timeout = timeout;
    this.toleratedMisses = b.toleratedMisses;
    this.mode = b.mode;
    this.outboundResetsIdle = b.outboundResetsIdle;
    this.liveness = b.liveness;
    this.resolution = resolution;
    this.lateSweepGrace = grace;
    this.maxAnswersPerInterval = b.maxAnswersPerInterval;
  }

  /** A new builder with the defaults listed on each setter; only the codec must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this policy's values, to derive a variant. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.codec = codec;
    b.senders = EnumSet.copyOf(senders);
    b.interval = interval;
    b.timeout = timeout;
    b.mode = mode;
    b.outboundResetsIdle = outboundResetsIdle;
    b.liveness = liveness;
    b.resolution = resolution;
    b.lateSweepGrace = lateSweepGrace;
    b.maxAnswersPerInterval = maxAnswersPerInterval;
    return b;
  }

  /** The heartbeat wire format. */
  public HeartbeatCodec codec() {
    return codec;
  }

  /** The roles that send heartbeats; the others only answer and watch. */
  public Set<Role> senders() {
    return senders;
  }

  /** Whether a side in {@code role} sends heartbeats. */
  public boolean sendsAs(Role role) {
    return senders.contains(role);
  }

  /** How often heartbeats are sent. */
  public Duration interval() {
    return interval;
  }

  /** How long the peer may stay silent before it is declared dead. */
  public Duration timeout() {
    return timeout;
  }

  /**
   * How many missed heartbeats are tolerated before the peer is dead, when the timeout was
   * derived from it; otherwise the number of whole missed intervals that fit in the timeout.
   */
  public int toleratedMisses() {
    return toleratedMisses;
  }

  /** When heartbeats are sent. */
  public Mode mode() {
    return mode;
  }

  /** In {@link Mode#IDLE}, whether outbound application frames also push the next heartbeat back. */
  public boolean outboundResetsIdle() {
    return outboundResetsIdle;
  }

  /** What proves the peer alive. */
  public Liveness liveness() {
    return liveness;
  }

  /**
   * The period of the shared sweep that sends due heartbeats and closes dead peers: the most a
   * heartbeat or a death may be late.
   */
  public Duration resolution() {
    return resolution;
  }

  /**
   * After a sweep ran late (a busy event loop, a GC pause, a suspended process), how long no peer
   * is declared dead, so that answers waiting unread in the socket are read first. The time the
   * sweep could not run is not counted as any peer's silence either: no heartbeat went out then.
   */
  public Duration lateSweepGrace() {
    return lateSweepGrace;
  }

  /** The most heartbeats of the peer answered per interval; a flood beyond it is not answered. */
  public int maxAnswersPerInterval() {
    return maxAnswersPerInterval;
  }

  @Override
  public String toString() {
    return "HeartbeatPolicy{codec=" + codec.name() + ", senders=" + senders + ", interval=" + interval
        + ", timeout=" + timeout + ", mode=" + mode + ", liveness=" + liveness + "}";
  }

  /**
   * Builds a {@link HeartbeatPolicy}. Immutable: every setter returns a new builder, so a
   * builder can be shared as a template. Each setter rejects a bad value at once with an
   * {@link IllegalArgumentException} (or {@link NullPointerException}) naming the field.
   */
  public static final class Builder {
    private @Nullable HeartbeatCodec codec;
    private Set<Role> senders = EnumSet.allOf(Role.class);
    private Duration interval = Duration.ofSeconds(30);
    private @Nullable Duration timeout;
    private int toleratedMisses = 1;
    private boolean toleratedMissesSet;
    private Mode mode = Mode.FIXED;
    private boolean outboundResetsIdle;
    private Liveness liveness = Liveness.ANY_FRAME;
    private @Nullable Duration resolution;
    private @Nullable Duration lateSweepGrace;
    private int maxAnswersPerInterval = 10;

    private Builder() {}

    private Builder copy() {
      Builder b = new Builder();
      b.codec = codec;
      b.senders = EnumSet.copyOf(senders);
      b.interval = interval;
      b.timeout = timeout;
      b.toleratedMisses = toleratedMisses;
      b.toleratedMissesSet = toleratedMissesSet;
      b.mode = mode;
      b.outboundResetsIdle = outboundResetsIdle;
      b.liveness = liveness;
      b.resolution = resolution;
      b.lateSweepGrace = lateSweepGrace;
      b.maxAnswersPerInterval = maxAnswersPerInterval;
      return b;
    }

    /** The heartbeat wire format. Required: there is no default, the peer decides. */
    public Builder codec(HeartbeatCodec codec) {
      Builder b = copy();
      b.codec = Objects.requireNonNull(codec, "codec");
      return b;
    }

    /**
     * Which roles send heartbeats; the others answer and watch for silence. By default both.
     */
    public Builder sentBy(Role first, Role... more) {
      Objects.requireNonNull(first, "sentBy");
      EnumSet<Role> set = EnumSet.of(first);
      for (Role role : more) {
        set.add(Objects.requireNonNull(role, "sentBy"));
      }
      Builder b = copy();
      b.senders = set;
      return b;
    }

    /** How often heartbeats are sent. By default 30 seconds. */
    public Builder interval(Duration interval) {
      Builder b = copy();
      b.interval = Validate.positive(interval, "interval");
      return b;
    }

    /**
     * Heartbeats every two thirds of an intermediary's idle timeout, so they flow well inside
     * it: behind a proxy that drops connections after 90 s of silence, every 60 s.
     */
    public Builder behindIdleTimeout(Duration intermediaryIdleTimeout) {
      Duration idle = Validate.positive(intermediaryIdleTimeout, "intermediaryIdleTimeout");
      return interval(idle.multipliedBy(2).dividedBy(3));
    }

    /**
     * How long the peer may stay silent before it is declared dead; must exceed the interval.
     * By default {@code interval x (toleratedMisses + 2)}. Set this or
     * {@link #toleratedMisses(int)}, not both.
     */
    public Builder timeout(Duration timeout) {
      Builder b = copy();
      b.timeout = Validate.positive(timeout, "timeout");
      return b;
    }

    /**
     * How many missed heartbeats are tolerated: the peer is declared dead at the next one, so
     * {@code timeout = interval x (toleratedMisses + 2)}. By default 1.
     */
    public Builder toleratedMisses(int toleratedMisses) {
      if (toleratedMisses < 0) {
        throw new IllegalArgumentException("toleratedMisses: must be 0 or more, got " + toleratedMisses);
      }
      Builder b = copy();
      b.toleratedMisses = toleratedMisses;
      b.toleratedMissesSet = true;
      return b;
    }

    /** When heartbeats are sent. By default {@link Mode#FIXED}. */
    public Builder mode(Mode mode) {
      Builder b = copy();
      b.mode = Objects.requireNonNull(mode, "mode");
      return b;
    }

    /** In {@link Mode#IDLE}, whether outbound frames also count as activity. By default false. */
    public Builder outboundResetsIdle(boolean outboundResetsIdle) {
      Builder b = copy();
      b.outboundResetsIdle = outboundResetsIdle;
      return b;
    }

    /** What proves the peer alive. By default {@link Liveness#ANY_FRAME}. */
    public Builder liveness(Liveness liveness) {
      Builder b = copy();
      b.liveness = Objects.requireNonNull(liveness, "liveness");
      return b;
    }

    /**
     * The sweep period: how late a heartbeat or a death may be. By default a fortieth of the
     * interval, at most 25 ms, so that a dead peer is closed within 25 ms of its timeout, leaving
     * room for the closes due in one run (BENCHMARKS.md, dead-peer detection). A run with nothing
     * due costs next to nothing: a connection is visited about once an interval whatever the
     * period. At most the interval.
     */
    public Builder resolution(Duration resolution) {
      Builder b = copy();
      b.resolution = Validate.positive(resolution, "resolution");
      return b;
    }

    /**
     * How long deaths wait after a sweep that ran late, so that answers already in the socket
     * are read first. By default the interval, at most 1 s, and at least two sweep periods.
     */
    public Builder lateSweepGrace(Duration grace) {
      Objects.requireNonNull(grace, "lateSweepGrace");
      if (grace.isNegative()) {
        throw new IllegalArgumentException("lateSweepGrace: must not be negative, got " + grace);
      }
      Builder b = copy();
      b.lateSweepGrace = grace;
      return b;
    }

    /** The most peer heartbeats answered per interval; by default 10. At least 1. */
    public Builder maxAnswersPerInterval(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxAnswersPerInterval: must be at least 1, got " + max);
      }
      Builder b = copy();
      b.maxAnswersPerInterval = max;
      return b;
    }

    /**
     * The policy.
     *
     * @throws IllegalArgumentException naming the field when the fields contradict each other:
     *     no codec, a timeout not greater than the interval, both timeout and toleratedMisses,
     *     a resolution above the interval, or {@link Mode#IDLE} with
     *     {@link Liveness#ANSWERS_ONLY} (a busy connection would send no heartbeat, get no
     *     answer and be declared dead)
     */
    public HeartbeatPolicy build() {
      if (codec == null) {
        throw new IllegalArgumentException(
            "codec: must be set, e.g. HeartbeatCodec.pingFrames(), textPingPong(), heartbeatText() or json()");
      }
      if (timeout != null && toleratedMissesSet) {
        throw new IllegalArgumentException("timeout: set either timeout or toleratedMisses, not both");
      }
      Duration effectiveTimeout = timeout != null ? timeout : interval.multipliedBy(toleratedMisses + 2L);
      if (effectiveTimeout.compareTo(interval) <= 0) {
        throw new IllegalArgumentException(
            "timeout: must be greater than interval (" + interval + "), got " + effectiveTimeout);
      }
      if (mode == Mode.IDLE && liveness == Liveness.ANSWERS_ONLY) {
        throw new IllegalArgumentException(
            "liveness: ANSWERS_ONLY needs mode FIXED; in IDLE mode a busy peer would get no heartbeat to answer");
      }
      Duration effectiveResolution = resolution != null ? resolution : min(interval.dividedBy(40), Duration.ofMillis(25));
      if (effectiveResolution.isZero()) {
        effectiveResolution = Duration.ofNanos(interval.toNanos());
      }
      if (effectiveResolution.compareTo(interval) > 0) {
        throw new IllegalArgumentException(
            "resolution: must not exceed interval (" + interval + "), got " + effectiveResolution);
      }
      Duration grace = lateSweepGrace != null
          ? lateSweepGrace
          : max(min(interval, Duration.ofSeconds(1)), effectiveResolution.multipliedBy(2));
      Builder snapshot = copy();
      if (timeout != null) {
        snapshot.toleratedMisses = (int) Math.max(0, effectiveTimeout.toNanos() / interval.toNanos() - 2);
      }
      return new HeartbeatPolicy(snapshot, codec, effectiveTimeout, effectiveResolution, grace);
    }

    private static Duration min(Duration a, Duration b) {
      return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
      return a.compareTo(b) >= 0 ? a : b;
    }
  }
}
