package dev.heartbeat.server;

import dev.heartbeat.internal.Validate;
import dev.heartbeat.transport.MonotonicScheduler;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Periodic figures of a {@link ConnectionRegistry}, and an overload alarm: what hand-written
 * servers log every few seconds, as {@code Flux}es. Both are cold: each subscriber gets its
 * own timer, which stops when it cancels.
 *
 * <pre>{@code
 * ServerMonitor monitor = ServerMonitor.builder(registry).build();
 * monitor.snapshots().subscribe(s -> log.info("active={} closed={}", s.active(), s.closedByCause()));
 * monitor.alarms().filter(OverloadAlarm::raised).subscribe(a -> log.warn("load {}", a.loadAverage()));
 * }</pre>
 */
public final class ServerMonitor {

  private final ConnectionRegistry registry;
  private final Duration period;
  private final @Nullable Scheduler scheduler;
  private final DoubleSupplier load;
  private final double threshold;

  private ServerMonitor(Builder b) {
    this.registry = b.registry;
    this.period = b.period;
    this.scheduler = b.scheduler;
    this.load = b.load;
    this.threshold = b.threshold;
  }

  /**
   * A builder for a monitor of {@code registry}. By default: every 5 s, on a monotonic
   * {@code Schedulers.parallel()}, the operating system's one-minute load average, threshold
   * twice the number of CPUs.
   */
  public static Builder builder(ConnectionRegistry registry) {
    return new Builder(Objects.requireNonNull(registry, "registry"));
  }

  /** The registry's snapshot at every period, the first one period after subscribing. */
  public Flux<RegistrySnapshot> snapshots() {
    return Flux.interval(period, period, timer()).map(tick -> registry.snapshot());
  }

  /**
   * An alarm each time the load average crosses the threshold: raised when it goes above,
   * cleared when it falls back. The load is read every period; a load source that cannot tell
   * (a negative value, as on some systems) raises nothing.
   */
  public Flux<OverloadAlarm> alarms() {
    Scheduler timer = timer();
    return Flux.defer(() -> {
      boolean[] raised = {false};
      return Flux.interval(period, period, timer).handle((tick, sink) -> {
        double value = load.getAsDouble();
        if (value < 0) {
          return;
        }
        boolean above = value > threshold;
        if (above != raised[0]) {
          raised[0] = above;
          sink.next(new OverloadAlarm(timer.now(TimeUnit.NANOSECONDS), value, threshold, above, registry.active()));
        }
      });
    });
  }

  /** The alarm threshold. */
  public double threshold() {
    return threshold;
  }

  /** The period of snapshots and load readings. */
  public Duration period() {
    return period;
  }

  private Scheduler timer() {
    return scheduler != null ? scheduler : MonotonicScheduler.wrap(Schedulers.parallel());
  }

  /** Builds a {@link ServerMonitor}; every setter returns a new builder and validates at once. */
  public static final class Builder {
    private final ConnectionRegistry registry;
    private Duration period = Duration.ofSeconds(5);
    private @Nullable Scheduler scheduler;
    private DoubleSupplier load = () -> ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    private double threshold = 2.0 * Runtime.getRuntime().availableProcessors();

    private Builder(ConnectionRegistry registry) {
      this.registry = registry;
    }

    private Builder copy() {
      Builder b = new Builder(registry);
      b.period = period;
      b.scheduler = scheduler;
      b.load = load;
      b.threshold = threshold;
      return b;
    }

    /** How often snapshots are taken and the load is read; by default 5 s. */
    public Builder period(Duration period) {
      Builder b = copy();
      b.period = Validate.positive(period, "period");
      return b;
    }

    /** The scheduler of the timers (a virtual clock in tests); by default a monotonic {@code parallel()}. */
    public Builder scheduler(Scheduler scheduler) {
      Builder b = copy();
      b.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return b;
    }

    /** Where the load average comes from; by default the operating system's one-minute average. */
    public Builder loadSource(DoubleSupplier load) {
      Builder b = copy();
      b.load = Objects.requireNonNull(load, "loadSource");
      return b;
    }

    /** The load average above which the alarm is raised; by default 2 x the CPU count. */
    public Builder loadThreshold(double threshold) {
      if (!(threshold > 0) || Double.isInfinite(threshold)) {
        throw new IllegalArgumentException("loadThreshold: must be a positive number, got " + threshold);
      }
      Builder b = copy();
      b.threshold = threshold;
      return b;
    }

    /** The monitor. */
    public ServerMonitor build() {
      return new ServerMonitor(this);
    }
  }
}
