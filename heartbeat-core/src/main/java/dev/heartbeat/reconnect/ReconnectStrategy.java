package dev.heartbeat.reconnect;

import dev.heartbeat.ConnectionClosedException;
import dev.heartbeat.ReconnectExhaustedException;
import dev.heartbeat.frame.CloseStatus;
import dev.heartbeat.transport.MonotonicScheduler;
import dev.heartbeat.internal.Validate;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiPredicate;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * When and how often a client reconnects: capped exponential backoff with jitter, an optional
 * limit on attempts, a connect timeout, a backoff reset once a connection stayed up long
 * enough, and close codes after which it must not reconnect. Immutable; built with
 * {@link #builder()}.
 *
 * <p>The delay before reconnect attempt {@code n} (from 1) is uniform in
 * {@code [b x (1 - jitter), b]} with {@code b = min(maxDelay, minDelay x multiplier^(n-1))}.
 * So the first delay is random too, as RFC 6455 §7.2.3 asks: thousands of clients cut off at
 * once do not come back in lock-step. After {@code 1013 try again later} the delay is
 * {@code retryLaterDelay}, with the same jitter.
 *
 * <p>Why the default multiplier is 1.3, not 2: with doubling, each delay is as long as all the
 * earlier ones together, so clients cut off together stay bunched by attempt number, and the
 * attempt that meets the server's return brings most of them back in one wave, the rest a whole
 * step later. With a gentler growth the attempts' times overlap after a few steps and the
 * returns spread out: for 5,000 clients cut off at once and a server back after 3 to 30 s, the
 * busiest 100 ms of the return window sees at most 3 times its mean with 1.3, and up to 5.5
 * times with 2 ({@code ReconnectStrategyTest.manyClientsCutOffAtOnceComeBackSpreadOut}). 1.3 is
 * also the growth of JavaScript's {@code reconnecting-websocket}. The cost: attempt 14 is the
 * first at the 30 s cap, about 75 s after the drop (jitter included), where doubling gets
 * there at attempt 6.
 *
 * <p>Defaults ({@code ReconnectStrategy.builder().build()}):
 * <ul>
 *   <li>{@code minDelay} 1 s, {@code maxDelay} 30 s, {@code multiplier} 1.3,
 *       {@code jitter} 0.5;</li>
 *   <li>{@code maxAttempts}: none, it retries forever;</li>
 *   <li>{@code connectTimeout} 10 s; {@code resetAfter} 30 s;</li>
 *   <li>terminal close codes: 1008 policy violation and 4500 superseded; a close the
 *       application asked for is never reconnected, whatever the predicate says;</li>
 *   <li>{@code retryLaterDelay}: {@code maxDelay};</li>
 *   <li>random source: {@link ThreadLocalRandom}; scheduler: {@link Schedulers#parallel()} with
 *       a monotonic clock, looked up when first used.</li>
 * </ul>
 *
 * <pre>{@code
 * ReconnectStrategy strategy = ReconnectStrategy.builder()
 *     .minDelay(Duration.ofMillis(500))
 *     .maxDelay(Duration.ofSeconds(20))
 *     .terminalWhen((code, reason) -> code == 4001 && reason.equals("token expired"))
 *     .build();
 * Mono<WebSocketConnection> connected = transport.connect().retryWhen(strategy.toRetry());
 * }</pre>
 */
public final class ReconnectStrategy {

  /** The default terminal close codes: 1008 policy violation and 4500 superseded. */
  public static final BiPredicate<Integer, String> DEFAULT_TERMINAL =
      (code, reason) -> code == CloseStatus.POLICY_VIOLATION.code() || code == CloseStatus.SUPERSEDED.code();

  private final Duration minDelay;
  private final Duration maxDelay;
  private final double multiplier;
  private final double jitter;
  private final int maxAttempts; // 0: forever
  private final Duration connectTimeout;
  private final Duration resetAfter;
  private final BiPredicate<Integer, String> terminal;
  private final @Nullable Duration retryLaterDelay; // null: maxDelay
  private final DoubleSupplier random;
  private final @Nullable DoubleSupplier randomSet;
  private final @Nullable Scheduler scheduler; // null: Schedulers.parallel(), looked up lazily

  private ReconnectStrategy(Builder b) {
    this.minDelay = b.minDelay;
    this.maxDelay = b.maxDelay;
    this.multiplier = b.multiplier;
    this.jitter = b.jitter;
    this.maxAttempts = b.maxAttempts;
    this.connectTimeout = b.connectTimeout;
    this.resetAfter = b.resetAfter;
    this.terminal = b.terminal;
    this.retryLaterDelay = b.retryLaterDelay;
    this.randomSet = b.random;
    this.random = b.random != null ? b.random : () -> ThreadLocalRandom.current().nextDouble();
    this.scheduler = b.scheduler;
  }

  /** A builder holding every default listed on this class. */
  public static Builder builder() {
    return Builder.DEFAULTS;
  }

  /** A builder holding this strategy's values, to derive a variant. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.minDelay = minDelay;
    b.maxDelay = maxDelay;
    b.multiplier = multiplier;
    b.jitter = jitter;
    b.maxAttempts = maxAttempts;
    b.connectTimeout = connectTimeout;
    b.resetAfter = resetAfter;
    b.terminal = terminal;
    b.retryLaterDelay = retryLaterDelay;
    b.random = randomSet;
    b.scheduler = scheduler;
    return b;
  }

  /** The base of the first delay. By default 1 s. */
  public Duration minDelay() {
    return minDelay;
  }

  /** The cap on the base of every delay. By default 30 s. */
  public Duration maxDelay() {
    return maxDelay;
  }

  /** How much the base grows per attempt. By default 1.3. */
  public double multiplier() {
    return multiplier;
  }

  /** Which fraction of each delay is random, in [0, 1]. By default 0.5. */
  public double jitter() {
    return jitter;
  }

  /** The most reconnect attempts in a row, or empty to retry forever. By default empty. */
  public OptionalInt maxAttempts() {
    return maxAttempts == 0 ? OptionalInt.empty() : OptionalInt.of(maxAttempts);
  }

  /** How long one connect, handshake included, may take. By default 10 s. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** How long a connection must stay up for the attempt count to start over. By default 30 s. */
  public Duration resetAfter() {
    return resetAfter;
  }

  /** The base of the delay after {@code 1013 try again later}. By default {@link #maxDelay()}. */
  public Duration retryLaterDelay() {
    return retryLaterDelay != null ? retryLaterDelay : maxDelay;
  }

  /**
   * The scheduler that runs backoff delays and connect timeouts and measures uptime. By default
   * {@link Schedulers#parallel()} with a monotonic clock, looked up at each call.
   */
  public Scheduler scheduler() {
    return scheduler != null ? scheduler : MonotonicScheduler.wrap(Schedulers.parallel());
  }

  /**
   * Whether a close with {@code status} is terminal: the configured predicate on its code and
   * reason. By default true for 1008 and 4500.
   */
  public boolean isTerminal(CloseStatus status) {
    Objects.requireNonNull(status, "status");
    return terminal.test(status.code(), status.reason());
  }

  /**
   * The delay before reconnect attempt {@code attempt} (from 1): uniform in
   * {@code [b x (1 - jitter), b]} with {@code b = min(maxDelay, minDelay x multiplier^(attempt-1))},
   * drawn from the random source. With jitter 0 it is exactly {@code b}.
   *
   * @throws IllegalArgumentException naming {@code attempt} when it is below 1
   */
  public Duration delayFor(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt: counts from 1, got " + attempt);
    }
    double base = Math.min((double) maxDelay.toNanos(),
        minDelay.toNanos() * Math.pow(multiplier, attempt - 1.0));
    return jittered(base);
  }

  /**
   * The delay {@link #toRetry()} waits before attempt {@code attempt} after {@code cause}:
   * after a {@link ConnectionClosedException} with {@code 1013 try again later}, the
   * {@link #retryLaterDelay()} with jitter; otherwise {@link #delayFor(int)}.
   */
  public Duration delayFor(int attempt, @Nullable Throwable cause) {
    if (cause instanceof ConnectionClosedException closed
        && closed.status().code() == CloseStatus.TRY_AGAIN_LATER.code()) {
      if (attempt < 1) {
        throw new IllegalArgumentException("attempt: counts from 1, got " + attempt);
      }
      return jittered((double) retryLaterDelay().toNanos());
    }
    return delayFor(attempt);
  }

  private Duration jittered(double baseNanos) {
    double r = random.getAsDouble();
    if (!(r >= 0.0)) { // also NaN
      r = 0.0;
    } else if (r > 1.0) {
      r = 1.0;
    }
    double nanos = baseNanos * (1.0 - jitter * r);
    return Duration.ofNanos((long) Math.min(Math.ceil(nanos), baseNanos));
  }

  /**
   * The one way to ask whether {@code error} is worth a reconnect.
   *
   * <ul>
   *   <li>{@link ConnectionClosedException}: false when the application closed it or its status
   *       is terminal (by default 1008 and 4500), true otherwise (1000 from the server, 1001,
   *       1006, 1011, 1012, 1013, 4408 heartbeat timeout ...);</li>
   *   <li>{@link ReconnectExhaustedException} and JVM errors ({@link VirtualMachineError}):
   *       false;</li>
   *   <li>anything else (a {@link dev.heartbeat.ConnectTimeoutException}, an
   *       {@link java.io.IOException} such as {@link java.net.ConnectException}, a
   *       {@link dev.heartbeat.HeartbeatTimeoutException}, a failed read): true.</li>
   * </ul>
   */
  public boolean shouldReconnect(Throwable error) {
    Objects.requireNonNull(error, "error");
    if (error instanceof ConnectionClosedException closed) {
      return !closed.byApplication() && !isTerminal(closed.status());
    }
    return !(error instanceof ReconnectExhaustedException) && !(error instanceof VirtualMachineError);
  }

  /**
   * This strategy as Reactor's {@link Retry}, for {@code retryWhen}. Each subscription keeps its
   * own attempt count. For each failure: an error not worth a reconnect
   * ({@link #shouldReconnect}) passes through as it is; a {@link ConnectionClosedException} whose
   * uptime reached {@link #resetAfter()} starts the count over; past {@link #maxAttempts()} it
   * errors with {@link ReconnectExhaustedException}; otherwise it waits
   * {@link #delayFor(int, Throwable)} on {@link #scheduler()} and resubscribes.
   *
   * <pre>{@code
   * transport.connect().retryWhen(strategy.toRetry());
   * }</pre>
   */
  public Retry toRetry() {
    return toRetry(RetryListener.NONE);
  }

  /** As {@link #toRetry()}, telling {@code listener} about each scheduled attempt. */
  Retry toRetry(RetryListener listener) {
    Objects.requireNonNull(listener, "listener");
    return Retry.from(signals -> Flux.defer(() -> {
      int[] attempts = {0}; // per subscription; concatMap handles one failure at a time
      return signals.concatMap(signal -> {
        Throwable failure = signal.failure();
        if (!shouldReconnect(failure)) {
          return Mono.error(failure);
        }
        if (failure instanceof ConnectionClosedException closed && closed.uptime().compareTo(resetAfter) >= 0) {
          attempts[0] = 0;
        }
        int attempt = ++attempts[0];
        if (maxAttempts != 0 && attempt > maxAttempts) {
          return Mono.error(ReconnectExhaustedException.after(attempt - 1, failure));
        }
        Duration delay = delayFor(attempt, failure);
        listener.scheduled(failure, attempt, delay);
        return Mono.delay(delay, scheduler());
      });
    }));
  }

  @Override
  public String toString() {
    return "ReconnectStrategy[minDelay=" + minDelay + ", maxDelay=" + maxDelay + ", multiplier=" + multiplier
        + ", jitter=" + jitter + ", maxAttempts=" + (maxAttempts == 0 ? "forever" : maxAttempts)
        + ", connectTimeout=" + connectTimeout + ", resetAfter=" + resetAfter
        + ", retryLaterDelay=" + retryLaterDelay() + "]";
  }

  /** Told about each reconnect attempt {@link #toRetry(RetryListener)} schedules. */
  @FunctionalInterface
  interface RetryListener {
    RetryListener NONE = (failure, attempt, delay) -> { };

    /** Attempt {@code attempt} will start after {@code delay}, because of {@code failure}. */
    void scheduled(Throwable failure, int attempt, Duration delay);
  }

  /**
   * An immutable builder: every setter returns a new builder and rejects a bad value at once
   * with an {@link IllegalArgumentException} (or {@link NullPointerException}) naming the
   * field, so a builder can be shared as a template. {@link #build()} checks the fields against
   * each other. The defaults are listed on {@link ReconnectStrategy}.
   */
  public static final class Builder {
    static final Builder DEFAULTS = new Builder();

    private Duration minDelay = Duration.ofSeconds(1);
    private Duration maxDelay = Duration.ofSeconds(30);
    private double multiplier = 1.3;
    private double jitter = 0.5;
    private int maxAttempts;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration resetAfter = Duration.ofSeconds(30);
    private BiPredicate<Integer, String> terminal = DEFAULT_TERMINAL;
    private @Nullable Duration retryLaterDelay;
    private @Nullable DoubleSupplier random;
    private @Nullable Scheduler scheduler;

    private Builder() {}

    private Builder copy() {
      Builder b = new Builder();
      b.minDelay = minDelay;
      b.maxDelay = maxDelay;
      b.multiplier = multiplier;
      b.jitter = jitter;
      b.maxAttempts = maxAttempts;
      b.connectTimeout = connectTimeout;
      b.resetAfter = resetAfter;
      b.terminal = terminal;
      b.retryLaterDelay = retryLaterDelay;
      b.random = random;
      b.scheduler = scheduler;
      return b;
    }

    /** The base of the first delay; positive, at most {@code maxDelay}. By default 1 s. */
    public Builder minDelay(Duration minDelay) {
      Builder b = copy();
      b.minDelay = Validate.positive(minDelay, "minDelay");
      return b;
    }

    /** The cap on the base of every delay; positive, at least {@code minDelay}. By default 30 s. */
    public Builder maxDelay(Duration maxDelay) {
      Builder b = copy();
      b.maxDelay = Validate.positive(maxDelay, "maxDelay");
      return b;
    }

    /** How much the base grows per attempt; at least 1 (1 = constant). By default 1.3. */
    public Builder multiplier(double multiplier) {
      if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException("multiplier: must be a finite number >= 1, got " + multiplier);
      }
      Builder b = copy();
      b.multiplier = multiplier;
      return b;
    }

    /**
     * Which fraction of each delay is random, in [0, 1]: the delay is uniform in
     * {@code [b x (1 - jitter), b]}. 0 means none, 1 means "full jitter" ({@code [0, b]}).
     * By default 0.5.
     */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0.0 && jitter <= 1.0)) {
        throw new IllegalArgumentException("jitter: must be in [0, 1], got " + jitter);
      }
      Builder b = copy();
      b.jitter = jitter;
      return b;
    }

    /**
     * Gives up with {@link ReconnectExhaustedException} after {@code n} reconnect attempts in a
     * row (counted since the last backoff reset); at least 1. By default it retries forever.
     */
    public Builder maxAttempts(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxAttempts: must be at least 1 (or use forever()), got " + n);
      }
      Builder b = copy();
      b.maxAttempts = n;
      return b;
    }

    /** Retries forever: no limit on attempts. This is the default. */
    public Builder forever() {
      Builder b = copy();
      b.maxAttempts = 0;
      return b;
    }

    /**
     * How long one connect, handshake included, may take before it is abandoned with
     * {@link dev.heartbeat.ConnectTimeoutException}; positive. By default 10 s.
     */
    public Builder connectTimeout(Duration connectTimeout) {
      Builder b = copy();
      b.connectTimeout = Validate.positive(connectTimeout, "connectTimeout");
      return b;
    }

    /**
     * How long a connection must stay up for the attempt count to start over, so the next
     * disconnect waits the attempt-1 delay again; positive. By default 30 s.
     */
    public Builder resetAfter(Duration resetAfter) {
      Builder b = copy();
      b.resetAfter = Validate.positive(resetAfter, "resetAfter");
      return b;
    }

    /**
     * Which closes are terminal, as a predicate on the close code and reason: after one the
     * client does not reconnect. It replaces the default; to extend it, write
     * {@code DEFAULT_TERMINAL.or(...)}. A close the application asked for is never reconnected,
     * whatever the predicate says. By default {@link #DEFAULT_TERMINAL} (1008 and 4500).
     */
    public Builder terminalWhen(BiPredicate<Integer, String> terminal) {
      Builder b = copy();
      b.terminal = Objects.requireNonNull(terminal, "terminalWhen");
      return b;
    }

    /**
     * The base of the delay after {@code 1013 try again later}, jittered like every delay;
     * positive. By default {@code maxDelay}.
     */
    public Builder retryLaterDelay(Duration retryLaterDelay) {
      Builder b = copy();
      b.retryLaterDelay = Validate.positive(retryLaterDelay, "retryLaterDelay");
      return b;
    }

    /**
     * The random source for jitter, giving values in [0, 1) (values outside are clamped). Inject
     * {@code new Random(42)::nextDouble} for deterministic tests. By default
     * {@link ThreadLocalRandom}.
     */
    public Builder random(DoubleSupplier random) {
      Builder b = copy();
      b.random = Objects.requireNonNull(random, "random");
      return b;
    }

    /**
     * The scheduler for backoff delays and connect timeouts, whose clock measures uptime; inject
     * a {@code VirtualTimeScheduler} in tests. Its clock should be monotonic
     * ({@link MonotonicScheduler}). By default {@link Schedulers#parallel()} with a monotonic
     * clock, looked up when first used.
     */
    public Builder scheduler(Scheduler scheduler) {
      Builder b = copy();
      b.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return b;
    }

    /**
     * The strategy.
     *
     * @throws IllegalArgumentException naming {@code minDelay} and {@code maxDelay} when
     *     minDelay exceeds maxDelay
     */
    public ReconnectStrategy build() {
      if (minDelay.compareTo(maxDelay) > 0) {
        throw new IllegalArgumentException(
            "minDelay: must not exceed maxDelay, got minDelay=" + minDelay + " > maxDelay=" + maxDelay);
      }
      return new ReconnectStrategy(this);
    }

  }
}
